import datetime
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories import (
    CountryReviewFactory,
    NominationFactory,
    NoteVerbaleFactory,
    SecretariatFactory,
    StateFactory,
    UserFactory,
)
from revmod.core.models import AuditEvent
from revmod.people import services
from revmod.people.models import Nomination, User

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def review(db):
    return CountryReviewFactory(state=StateFactory(code="GHA", name="Ghana"))


@pytest.fixture
def expert(review):
    return NominationFactory(review=review, person__full_name="Eve Expert").person


@pytest.fixture
def nomination(review):
    return NominationFactory(
        review=review, role=Nomination.Role.FOCAL_POINT, person__state=review.state
    )


def secretariat_pages(review, nomination):
    return [
        reverse("people:pending"),
        reverse("people:people"),
        reverse("people:invite"),
        reverse("people:person", args=[nomination.person.pk]),
        reverse("people:nominate"),
        reverse("people:review_nominations", args=[review.pk]),
        reverse("people:end_nomination", args=[nomination.pk]),
    ]


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_sign_in_page(client, review, nomination):
    for url in [*secretariat_pages(review, nomination), reverse("people:profile")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("people:login") + "?next="), url


@pytest.mark.django_db
def test_an_expert_gets_403_on_every_secretariat_page(client, review, nomination, expert):
    client.force_login(expert)
    for url in secretariat_pages(review, nomination):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"person": expert.pk}).status_code == 403, url


@pytest.mark.django_db
def test_the_secretariat_sees_every_secretariat_page(client, secretariat, review, nomination):
    client.force_login(secretariat)
    for url in secretariat_pages(review, nomination):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_an_invited_secretariat_account_has_no_secretariat_powers(client, review, nomination):
    client.force_login(SecretariatFactory(status=User.Status.ACTIVATED))
    assert client.get(reverse("people:people")).status_code == 403


@pytest.mark.django_db
def test_a_person_sees_their_own_page_but_not_someone_elses(client, expert, nomination):
    client.force_login(expert)
    assert client.get(reverse("people:person", args=[expert.pk])).status_code == 200
    assert client.get(reverse("people:person", args=[nomination.person.pk])).status_code == 403


# --- Sign in and activation ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_signs_in_with_email_and_password_but_not_once_deactivated(client):
    person = UserFactory(email="ama@example.gh", password=PASSPHRASE)
    page = client.get(reverse("people:login"))
    assert page.status_code == 200
    assert "people/login.html" in [t.name for t in page.templates]
    response = client.post(
        reverse("people:login"), {"username": "ama@example.gh", "password": PASSPHRASE}
    )
    assert response.status_code == 302
    client.logout()
    person.status = User.Status.DEACTIVATED
    person.save()
    response = client.post(
        reverse("people:login"), {"username": "ama@example.gh", "password": PASSPHRASE}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.fixture
def invitation(secretariat, mechanism):
    return services.invite_user(
        actor=secretariat,
        email="ama.mensah@example.gh",
        full_name="Ama Mensah",
        state=StateFactory(),
        preferred_language="en",
        mechanism=mechanism,
    )


@pytest.mark.django_db
def test_the_activation_form_keeps_the_email_but_never_the_password_on_error(client, invitation):
    _person, token = invitation
    url = reverse("people:activate", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "ama.mensah@example.gh" in page.content.decode()

    response = client.post(url, {"new_password1": "password1234", "new_password2": "password1234"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "This password is too common." in content
    assert 'value="ama.mensah@example.gh"' in content
    assert "password1234" not in content

    response = client.post(url, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE + "!"})
    assert "The two password fields didn’t match." in response.content.decode()
    assert PASSPHRASE not in response.content.decode()


@pytest.mark.django_db
def test_activating_signs_the_person_in_and_leads_to_the_profile(client, invitation):
    person, token = invitation
    response = client.post(
        reverse("people:activate", args=[token]),
        {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE},
    )
    assert response.status_code == 302
    assert response.url == reverse("people:profile")
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVATED
    assert client.session["_auth_user_id"] == str(person.pk)
    # The link is spent.
    assert client.get(reverse("people:activate", args=[token])).status_code == 400


@pytest.mark.django_db
def test_an_expired_activation_link_shows_the_clear_message_and_no_form(client, invitation):
    _person, token = invitation
    later = timezone.now() + datetime.timedelta(days=10, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(reverse("people:activate", args=[token]))
    content = response.content.decode()
    assert response.status_code == 400
    assert "This activation link expired on" in content
    assert "Ask the secretariat to send you a new link" in content
    assert "new_password1" not in content


# --- Profile ------------------------------------------------------------------------------------


def profile_data(**overrides):
    return {
        "full_name": "Ama Mensah",
        "title": "Ms.",
        "position": "State Attorney",
        "organization": "Ministry of Justice",
        "phone": "+233 30 000 0000",
        "gender": "female",
        "languages": ["en", "fr"],
        "preferred_language": "fr",
        **overrides,
    }


@pytest.mark.django_db
def test_the_profile_form_offers_the_six_languages_as_checkboxes(client, languages):
    client.force_login(UserFactory(status=User.Status.ACTIVATED))
    content = client.get(reverse("people:profile")).content.decode()
    for code in ["ar", "zh-hans", "en", "fr", "ru", "es"]:
        assert f'type="checkbox" name="languages" value="{code}"' in content


@pytest.mark.django_db
def test_an_invalid_profile_is_shown_again_with_what_was_typed(client, languages):
    person = UserFactory(status=User.Status.ACTIVATED)
    client.force_login(person)
    response = client.post(
        reverse("people:profile"), profile_data(full_name="", position="Chief of Unit")
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in content
    assert 'value="Chief of Unit"' in content
    assert 'value="fr" id="id_languages_3" checked' in content
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVATED


@pytest.mark.django_db
def test_submitting_the_profile_sends_it_for_approval(client, languages):
    person = UserFactory(status=User.Status.CLARIFICATION, clarification_request="Your title?")
    client.force_login(person)
    assert "Your title?" in client.get(reverse("people:profile")).content.decode()
    response = client.post(reverse("people:profile"), profile_data())
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == User.Status.SUBMITTED
    assert person.preferred_language == "fr"
    page = client.get(reverse("people:profile")).content.decode()
    assert "waiting for the secretariat" in page
    assert 'name="full_name"' not in page


# --- Secretariat: approval ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_secretariat_approves_a_pending_profile_with_a_button(client, secretariat):
    person = UserFactory(full_name="Ama Mensah", status=User.Status.SUBMITTED)
    client.force_login(secretariat)
    assert "Ama Mensah" in client.get(reverse("people:pending")).content.decode()
    response = client.post(reverse("people:pending"), {"person": person.pk, "action": "approve"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE
    assert AuditEvent.objects.filter(action="people.profile_approved").exists()


@pytest.mark.django_db
def test_a_clarification_request_without_a_message_is_shown_again_with_its_error(
    client, secretariat
):
    person = UserFactory(status=User.Status.SUBMITTED)
    client.force_login(secretariat)
    field = f"person-{person.pk}-message"
    response = client.post(
        reverse("people:pending"), {"person": person.pk, "action": "clarify", field: ""}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = client.post(
        reverse("people:pending"),
        {"person": person.pk, "action": "clarify", field: "Which ministry?"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.status, person.clarification_request) == ("clarification", "Which ministry?")


@pytest.mark.django_db
def test_approving_requires_the_csrf_token(secretariat):
    person = UserFactory(status=User.Status.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)
    response = client.post(reverse("people:pending"), {"person": person.pk, "action": "approve"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.status == User.Status.SUBMITTED


# --- Secretariat: people ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_of_people_filters_by_state_status_and_role(client, secretariat, review):
    ghana = review.state
    focal = NominationFactory(
        review=review, role="focal_point", person__state=ghana, person__full_name="Fiona Focal"
    ).person
    NominationFactory(review=review, person__state=ghana, person__full_name="Ed Expert")
    UserFactory(full_name="Ines Invited", state=ghana, status=User.Status.INVITED)
    UserFactory(full_name="Otto Other")
    client.force_login(secretariat)

    def names(**filters):
        page = client.get(reverse("people:people"), filters)
        return [person.full_name for person in page.context["people"]]

    assert names(state="GHA") == ["Ed Expert", "Fiona Focal", "Ines Invited"]
    assert names(state="GHA", status="invited") == ["Ines Invited"]
    assert names(role="focal_point") == [focal.full_name]
    assert "Otto Other" in names()


@pytest.mark.django_db
def test_inviting_from_the_page_creates_the_account_and_keeps_the_input_on_error(
    client, secretariat, mechanism
):
    client.force_login(secretariat)
    ghana = StateFactory(code="GHA", name="Ghana")
    data = {
        "email": "kofi@example.gh",
        "full_name": "Kofi Boateng",
        "state": "GHA",
        "preferred_language": "en",
        "mechanism": mechanism.pk,
    }
    response = client.post(reverse("people:invite"), data)
    kofi = User.objects.get(email="kofi@example.gh")
    assert response.url == reverse("people:person", args=[kofi.pk])
    assert (kofi.state, kofi.status) == (ghana, User.Status.INVITED)

    response = client.post(reverse("people:invite"), {**data, "full_name": "Kofi B."})
    content = response.content.decode()
    assert "An account with the email address kofi@example.gh already exists." in content
    assert 'class="form-errors"' in content
    assert 'value="Kofi B."' in content


@pytest.mark.django_db
def test_the_person_page_shows_the_history_of_nominations(client, secretariat, nomination):
    jane = nomination.person
    john = UserFactory(full_name="John Roe", state=jane.state)
    services.replace_focal_point(
        actor=secretariat,
        review=nomination.review,
        state=jane.state,
        new_person=john,
        starts_on=datetime.date(2023, 5, 2),
    )
    client.force_login(secretariat)
    content = client.get(reverse("people:person", args=[jane.pk])).content.decode()
    assert "2 May 2023" in content
    assert "Replaced by John Roe." in content


@pytest.mark.django_db
def test_resending_and_deactivating_from_the_person_page(client, secretariat, invitation):
    person, _token = invitation
    client.force_login(secretariat)
    page = client.get(reverse("people:person", args=[person.pk])).content.decode()
    assert reverse("people:resend", args=[person.pk]) in page
    response = client.post(reverse("people:resend", args=[person.pk]))
    assert response.status_code == 302
    assert person.activation_links.filter(revoked_at=None).count() == 1
    assert client.get(reverse("people:resend", args=[person.pk])).status_code == 405

    response = client.post(reverse("people:deactivate", args=[person.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    client.post(reverse("people:deactivate", args=[person.pk]), {"reason": "Wrong address"})
    person.refresh_from_db()
    assert person.status == User.Status.DEACTIVATED


# --- Secretariat: nominations -------------------------------------------------------------------


@pytest.mark.django_db
def test_nominating_a_second_focal_point_shows_the_clear_message_and_keeps_the_form(
    client, secretariat, nomination
):
    ghana = nomination.state
    john = UserFactory(full_name="John Roe", state=ghana)
    client.force_login(secretariat)
    data = {
        "person": john.pk,
        "state": ghana.pk,
        "review": nomination.review.pk,
        "role": "focal_point",
        "starts_on": "2024-01-15",
    }
    response = client.post(reverse("people:nominate"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert (
        f"Ghana already has a focal point for this review ({nomination.person.full_name}, "
        "since 3 March 2022). Replace the focal point instead."
    ) in content
    assert 'value="2024-01-15"' in content
    assert Nomination.objects.count() == 1

    response = client.post(reverse("people:nominate"), {**data, "role": "expert"})
    assert response.url == reverse("people:review_nominations", args=[nomination.review.pk])
    assert Nomination.objects.filter(person=john, role="expert").exists()


@pytest.mark.django_db
def test_the_nominations_of_a_review_are_grouped_by_state_and_the_focal_point_replaced(
    client, secretariat, nomination
):
    review = nomination.review
    reviewer = NominationFactory(review=review, person__full_name="Rita Reviewer")
    ghana = nomination.state
    john = UserFactory(full_name="John Roe", state=ghana)
    note = NoteVerbaleFactory(state=ghana, reference="GH/2023/5")
    client.force_login(secretariat)

    page = client.get(reverse("people:review_nominations", args=[review.pk]))
    groups = page.context["groups"]
    assert [group["state"] for group in groups] == [ghana, reviewer.state]
    assert groups[0]["focal_point"] == nomination

    url = reverse("people:review_nominations", args=[review.pk])
    prefix = f"replace-{ghana.pk}-"
    response = client.post(
        url, {"state": ghana.pk, prefix + "new_person": john.pk, prefix + "starts_on": ""}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()

    response = client.post(
        url,
        {
            "state": ghana.pk,
            prefix + "new_person": john.pk,
            prefix + "starts_on": "2023-05-02",
            prefix + "note_verbale": note.pk,
        },
    )
    assert response.status_code == 302
    current = Nomination.objects.current().get(review=review, state=ghana, role="focal_point")
    assert (current.person, current.replaces) == (john, nomination)
    content = client.get(url).content.decode()
    assert "Earlier nominations" in content
    assert "Replaces " + nomination.person.full_name in content


@pytest.mark.django_db
def test_ending_a_nomination_from_its_page(client, secretariat, nomination):
    client.force_login(secretariat)
    url = reverse("people:end_nomination", args=[nomination.pk])
    response = client.post(url, {"ends_on": "2021-01-01", "reason": "Retired"})
    assert "A nomination cannot end before it starts" in response.content.decode()
    response = client.post(url, {"ends_on": "2023-01-31", "reason": "Retired"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.ends_on, nomination.end_reason) == (datetime.date(2023, 1, 31), "Retired")
