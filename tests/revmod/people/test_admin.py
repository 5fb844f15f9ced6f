import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse

from factories import NominationFactory, NoteVerbaleFactory, SecretariatFactory, UserFactory
from revmod.core.models import AuditEvent
from revmod.people import services, tokens
from revmod.people.models import ActivationLink, NoteVerbale, User


@pytest.fixture
def staff(db):
    return SecretariatFactory(is_staff=True)


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def run_action(client, action, people, **extra):
    return client.post(
        reverse("admin:people_user_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [person.pk for person in people], **extra},
    )


@pytest.mark.django_db
def test_secretariat_staff_list_and_filter_users_in_the_admin(admin_client):
    UserFactory(full_name="Ama Mensah", status=User.Status.SUBMITTED)
    UserFactory(full_name="Kofi Boateng", status=User.Status.ACTIVE)
    url = reverse("admin:people_user_changelist")
    content = admin_client.get(url, {"status__exact": "submitted"}).content.decode()
    assert "Ama Mensah" in content
    assert "Kofi Boateng" not in content


@pytest.mark.django_db
def test_the_admin_approves_selected_profiles_through_the_domain_function(admin_client, staff):
    submitted = UserFactory(status=User.Status.SUBMITTED)
    activated = UserFactory(status=User.Status.ACTIVATED)
    run_action(admin_client, "approve_selected", [submitted, activated])
    submitted.refresh_from_db()
    activated.refresh_from_db()
    assert submitted.status == User.Status.ACTIVE
    # Refused by the domain function, which the admin reports instead of forcing the status.
    assert activated.status == User.Status.ACTIVATED
    event = AuditEvent.objects.get(action="people.profile_approved")
    assert (event.actor, event.target_id) == (staff, str(submitted.pk))


@pytest.mark.django_db
def test_the_admin_resends_activation_links(admin_client, staff, mechanism):
    person, old_token = services.invite_user(
        actor=staff,
        email="ama@example.gh",
        full_name="Ama Mensah",
        state=UserFactory().state,
        preferred_language="en",
        mechanism=mechanism,
    )
    run_action(admin_client, "resend_activation", [person])
    links = ActivationLink.objects.filter(user=person)
    assert links.count() == 2
    assert links.get(token_hash=tokens.hash_token(old_token)).revoked_at is not None


@pytest.mark.django_db
def test_the_admin_asks_for_a_reason_before_deactivating(admin_client):
    nomination = NominationFactory()
    person = nomination.person
    page = run_action(admin_client, "deactivate_selected", [person])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE

    run_action(admin_client, "deactivate_selected", [person], apply="1", reason="Left the post")
    person.refresh_from_db()
    nomination.refresh_from_db()
    assert person.status == User.Status.DEACTIVATED
    assert nomination.end_reason == "Left the post"


@pytest.mark.django_db
def test_the_admin_cannot_write_a_status_directly(admin_client):
    person = UserFactory(status=User.Status.SUBMITTED)
    page = admin_client.get(reverse("admin:people_user_change", args=[person.pk]))
    assert page.status_code == 200
    assert "status" in page.context["adminform"].readonly_fields
    assert "is_secretariat" in page.context["adminform"].readonly_fields


@pytest.mark.django_db
def test_adding_a_user_or_a_nomination_in_the_admin_leads_to_the_checked_pages(admin_client):
    response = admin_client.get(reverse("admin:people_user_add"))
    assert response.url == reverse("people:invite")
    response = admin_client.get(reverse("admin:people_nomination_add"))
    assert response.url == reverse("people:nominate")


@pytest.mark.django_db
def test_nominations_and_activation_links_are_read_only_in_the_admin(admin_client):
    nomination = NominationFactory()
    url = reverse("admin:people_nomination_change", args=[nomination.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"role": "focal_point", "starts_on": "2020-01-01"})
    nomination.refresh_from_db()
    assert nomination.role == "expert"
    delete = reverse("admin:people_nomination_delete", args=[nomination.pk])
    assert admin_client.get(delete).status_code == 403


@pytest.mark.django_db
def test_a_note_verbale_added_in_the_admin_is_registered_by_the_domain_function(
    admin_client, staff
):
    existing = NoteVerbaleFactory(reference="GH/2022/17")
    data = {
        "state": existing.state.pk,
        "reference": "GH/2022/17",
        "dated_on": "2022-03-01",
        "received_on": "2022-03-02",
        "summary": "",
    }
    url = reverse("admin:people_noteverbale_add")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "GH/2022/17 is already registered" in response.content.decode()

    response = admin_client.post(url, {**data, "reference": "GH/2022/18"})
    assert response.status_code == 302
    note = NoteVerbale.objects.get(reference="GH/2022/18")
    assert note.registered_by == staff
    assert AuditEvent.objects.filter(action="people.note_verbale_registered").count() == 1


@pytest.mark.django_db
def test_an_official_without_secretariat_powers_cannot_open_the_people_admin(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:people_user_changelist")).status_code == 403


@pytest.mark.django_db
def test_createsuperuser_still_works_with_the_full_name_required(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough passphrase")
    call_command(
        "createsuperuser",
        interactive=False,
        email="Admin@Example.org",
        full_name="Ada Admin",
        verbosity=0,
    )
    admin = User.objects.get(email="admin@example.org")
    assert (admin.full_name, admin.is_superuser, admin.is_secretariat) == ("Ada Admin", True, True)
    assert admin.status == User.Status.ACTIVE
    assert admin.check_password("a long enough passphrase")
