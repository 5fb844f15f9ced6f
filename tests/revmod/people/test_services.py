import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from factories import (
    CountryReviewFactory,
    MechanismFactory,
    NominationFactory,
    NoteVerbaleFactory,
    SecretariatFactory,
    StateFactory,
    UserFactory,
)
from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.people import services, tokens
from revmod.people.models import Nomination, User

PASSPHRASE = "correct horse battery staple"
MARCH_3 = datetime.date(2022, 3, 3)


def invite(actor, mechanism, **fields):
    defaults = {
        "email": "ama.mensah@example.gh",
        "full_name": "Ama Mensah",
        "state": fields.pop("state", None) or StateFactory(),
        "preferred_language": "en",
    }
    return services.invite_user(actor=actor, mechanism=mechanism, **{**defaults, **fields})


def actions():
    return list(AuditEvent.objects.values_list("action", flat=True))


# --- The account life cycle -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_account_life_cycle_goes_from_invitation_to_approval_with_an_email_at_each_step(
    secretariat, mechanism, ghana, languages, send_tasks_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person, raw_token = invite(secretariat, mechanism, state=ghana)
    assert person.status == User.Status.INVITED
    assert not person.has_usable_password()
    invitation = mail.outbox[-1]
    assert invitation.to == ["ama.mensah@example.gh"]
    assert invitation.subject == "Your account on revmod: choose your password"
    link = re.search(r"http\S+/activate/\S+/", invitation.body).group(0)
    assert link == f"http://127.0.0.1:8000/en/accounts/activate/{raw_token}/"
    assert "This link can be used once, until" in invitation.body

    person = services.activate_account(raw_token=raw_token, password=PASSPHRASE)
    assert person.status == User.Status.ACTIVATED
    assert person.check_password(PASSPHRASE)

    profile = {
        "full_name": "Ama Mensah",
        "title": "Ms.",
        "position": "Senior State Attorney",
        "organization": "Ministry of Justice",
        "phone": "+233 30 000 0000",
        "gender": User.Gender.FEMALE,
        "languages": ["en", "fr"],
        "preferred_language": "en",
    }
    services.submit_profile(actor=person, user=person, **profile)
    assert person.status == User.Status.SUBMITTED
    assert sorted(person.languages.values_list("code", flat=True)) == ["en", "fr"]

    with django_capture_on_commit_callbacks(execute=True):
        services.request_clarification(
            actor=secretariat, user=person, message="Your position differs from the Note Verbale."
        )
    person.refresh_from_db()
    assert person.status == User.Status.CLARIFICATION
    assert person.clarification_request == "Your position differs from the Note Verbale."
    clarification = mail.outbox[-1]
    assert "the secretariat asks for clarification" in clarification.subject
    assert "Your position differs from the Note Verbale." in clarification.body
    assert "/en/accounts/profile/" in clarification.body

    services.submit_profile(actor=person, user=person, **{**profile, "position": "State Attorney"})
    assert person.status == User.Status.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_profile(actor=secretariat, user=person)
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE
    assert person.position == "State Attorney"
    assert person.clarification_request == ""
    assert mail.outbox[-1].subject == "Your profile on revmod has been approved"
    assert len(mail.outbox) == 3
    assert actions() == [
        "people.user_invited",
        "people.account_activated",
        "people.profile_submitted",
        "people.clarification_requested",
        "people.profile_submitted",
        "people.profile_approved",
    ]


@pytest.mark.django_db
def test_an_invitation_is_written_in_the_language_the_person_prefers(
    secretariat, mechanism, send_tasks_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _person, raw_token = invite(secretariat, mechanism, preferred_language="fr")
    message = mail.outbox[-1]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.extra_headers["Content-Language"] == "fr"
    assert '<html lang="fr" dir="ltr">' in html
    # The link opens the page in French too.
    assert f"/fr/accounts/activate/{raw_token}/" in message.body
    assert f'href="http://127.0.0.1:8000/fr/accounts/activate/{raw_token}/"' in html


@pytest.mark.django_db
def test_an_invitation_in_arabic_is_written_right_to_left(
    secretariat, mechanism, send_tasks_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(secretariat, mechanism, preferred_language="ar")
    html, _mimetype = mail.outbox[-1].alternatives[0]
    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.django_db
def test_no_email_leaves_before_the_invitation_is_committed(
    secretariat, mechanism, send_tasks_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(secretariat, mechanism)
    assert mail.outbox == []
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_an_invitation_to_an_invalid_address_is_refused_with_a_clear_message(
    secretariat, mechanism
):
    with pytest.raises(DomainError, match=re.escape("“ama.mensah@” is not a valid email address.")):
        invite(secretariat, mechanism, email="ama.mensah@")
    assert not User.objects.filter(email__startswith="ama").exists()


@pytest.mark.django_db
def test_an_invitation_to_an_address_already_registered_is_refused_whatever_its_case(
    secretariat, mechanism
):
    invite(secretariat, mechanism)
    with pytest.raises(
        DomainError,
        match=re.escape("An account with the email address ama.mensah@example.gh already exists."),
    ):
        invite(secretariat, mechanism, email="Ama.Mensah@Example.GH")
    assert User.objects.filter(email="ama.mensah@example.gh").count() == 1


@pytest.mark.django_db
def test_an_official_must_be_invited_with_the_state_they_serve(secretariat, mechanism):
    with pytest.raises(DomainError, match="Choose the State"):
        services.invite_user(
            actor=secretariat,
            email="someone@example.org",
            full_name="Someone",
            state=None,
            preferred_language="en",
            mechanism=mechanism,
        )
    colleague, _token = services.invite_user(
        actor=secretariat,
        email="colleague@un.org",
        full_name="A Colleague",
        state=None,
        preferred_language="en",
        mechanism=mechanism,
        is_secretariat=True,
    )
    assert colleague.is_secretariat


@pytest.mark.django_db
def test_the_activation_link_lives_as_many_days_as_the_mechanism_says(secretariat):
    mechanism = MechanismFactory(activation_link_days=14)
    before = timezone.now()
    person, _token = invite(secretariat, mechanism)
    link = person.activation_links.get()
    assert link.mechanism == mechanism
    assert before + datetime.timedelta(days=14) <= link.expires_at
    assert link.expires_at <= timezone.now() + datetime.timedelta(days=14)


@pytest.mark.django_db
def test_only_a_hash_of_the_activation_token_is_stored(secretariat, mechanism):
    person, raw_token = invite(secretariat, mechanism)
    link = person.activation_links.get()
    assert link.token_hash != raw_token
    assert raw_token not in link.token_hash
    assert len(link.token_hash) == 64
    assert link.token_hash == tokens.hash_token(raw_token)


@pytest.mark.django_db
def test_an_expired_link_is_refused_saying_that_the_secretariat_can_send_a_new_one(
    secretariat, mechanism
):
    person, raw_token = invite(secretariat, mechanism)
    eleven_days_later = timezone.now() + datetime.timedelta(days=11)
    with (
        mock.patch("django.utils.timezone.now", return_value=eleven_days_later),
        pytest.raises(DomainError) as refusal,
    ):
        services.activate_account(raw_token=raw_token, password=PASSPHRASE)
    assert "This activation link expired on" in refusal.value.messages[0]
    assert "Ask the secretariat to send you a new link" in refusal.value.messages[0]
    person.refresh_from_db()
    assert person.status == User.Status.INVITED
    assert not person.has_usable_password()


@pytest.mark.django_db
def test_a_link_still_works_on_its_last_day(secretariat, mechanism):
    person, raw_token = invite(secretariat, mechanism)
    nearly_ten_days = timezone.now() + datetime.timedelta(days=10) - datetime.timedelta(minutes=1)
    services.activate_account(raw_token=raw_token, password=PASSPHRASE, now=nearly_ten_days)
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVATED


@pytest.mark.django_db
def test_resending_the_link_invalidates_the_old_one(
    secretariat, mechanism, send_tasks_now, django_capture_on_commit_callbacks
):
    person, old_token = invite(secretariat, mechanism)
    with django_capture_on_commit_callbacks(execute=True):
        new_token = services.resend_activation(actor=secretariat, user=person)
    assert new_token != old_token
    assert f"/activate/{new_token}/" in mail.outbox[-1].body
    with pytest.raises(DomainError, match="replaced by a newer one"):
        services.activate_account(raw_token=old_token, password=PASSPHRASE)
    services.activate_account(raw_token=new_token, password=PASSPHRASE)
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVATED
    assert person.activation_links.filter(revoked_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_resent_link_follows_the_mechanism_of_the_first_one(secretariat):
    mechanism = MechanismFactory(activation_link_days=3)
    person, _token = invite(secretariat, mechanism)
    services.resend_activation(actor=secretariat, user=person)
    newest = person.activation_links.first()
    assert newest.mechanism == mechanism
    assert newest.expires_at - newest.created_at == datetime.timedelta(days=3)


@pytest.mark.django_db
def test_no_link_is_resent_to_an_account_already_activated(secretariat, mechanism):
    person, raw_token = invite(secretariat, mechanism)
    services.activate_account(raw_token=raw_token, password=PASSPHRASE)
    with pytest.raises(DomainError, match="already activated"):
        services.resend_activation(actor=secretariat, user=person)


@pytest.mark.django_db
def test_a_link_cannot_be_used_twice(secretariat, mechanism):
    _person, raw_token = invite(secretariat, mechanism)
    services.activate_account(raw_token=raw_token, password=PASSPHRASE)
    with pytest.raises(DomainError, match="already been used"):
        services.activate_account(raw_token=raw_token, password="another long passphrase")


@pytest.mark.django_db
def test_an_unknown_token_is_refused(db):
    with pytest.raises(DomainError, match="This activation link is not valid"):
        services.activate_account(raw_token="made-up", password=PASSPHRASE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("ocean violet paper kite", True),  # 23 characters of lowercase words, no symbols
        ("lamp river stone cloud", True),
        ("password1234", False),  # common
        ("short words", False),  # under 12 characters
        ("123456789012345", False),  # only digits
    ],
)
def test_the_password_policy_wants_long_passphrases_not_composition_rules(
    secretariat, mechanism, password, accepted
):
    person, raw_token = invite(secretariat, mechanism)
    if accepted:
        services.activate_account(raw_token=raw_token, password=password)
        person.refresh_from_db()
        assert person.check_password(password)
    else:
        with pytest.raises(DomainError):
            services.activate_account(raw_token=raw_token, password=password)
        person.refresh_from_db()
        assert person.status == User.Status.INVITED
        assert not person.activation_links.get().used_at


@pytest.mark.django_db
def test_a_person_can_submit_only_their_own_profile(languages):
    person = UserFactory(status=User.Status.ACTIVATED)
    other = UserFactory(status=User.Status.ACTIVATED)
    with pytest.raises(NotAllowed, match=re.escape("You can only submit your own profile.")):
        services.submit_profile(actor=other, user=person, full_name="X", languages=["en"])
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVATED


@pytest.mark.django_db
def test_a_profile_needs_a_working_language_among_those_offered(languages):
    person = UserFactory(status=User.Status.ACTIVATED)
    for chosen in ([], ["en", "klingon"]):
        with pytest.raises(DomainError, match="at least one working language"):
            services.submit_profile(actor=person, user=person, full_name="A", languages=chosen)
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVATED


@pytest.mark.django_db
def test_a_submitted_profile_cannot_be_submitted_again_before_the_secretariat_answers(languages):
    person = UserFactory(status=User.Status.SUBMITTED)
    with pytest.raises(DomainError, match="cannot be submitted now"):
        services.submit_profile(actor=person, user=person, full_name="A", languages=["en"])


@pytest.mark.django_db
def test_only_a_submitted_profile_can_be_approved_or_questioned(secretariat):
    person = UserFactory(status=User.Status.ACTIVATED)
    with pytest.raises(DomainError, match="is not waiting for approval"):
        services.approve_profile(actor=secretariat, user=person)
    with pytest.raises(DomainError, match="is not waiting for approval"):
        services.request_clarification(actor=secretariat, user=person, message="Why?")


@pytest.mark.django_db
def test_a_request_for_clarification_must_say_what_to_clarify(secretariat):
    person = UserFactory(status=User.Status.SUBMITTED)
    with pytest.raises(DomainError, match="Say what the person should clarify"):
        services.request_clarification(actor=secretariat, user=person, message="   ")
    person.refresh_from_db()
    assert person.status == User.Status.SUBMITTED


@pytest.mark.django_db
def test_deactivating_an_account_ends_its_current_nominations_with_the_reason(secretariat):
    nomination = NominationFactory()
    ended_earlier = NominationFactory(
        person=nomination.person, ends_on=datetime.date(2022, 6, 1), end_reason="moved"
    )
    services.deactivate_user(actor=secretariat, user=nomination.person, reason="Left the ministry")
    nomination.refresh_from_db()
    ended_earlier.refresh_from_db()
    assert nomination.person.status == User.Status.DEACTIVATED
    assert not nomination.person.is_active
    assert nomination.ends_on == timezone.localdate()
    assert nomination.end_reason == "Left the ministry"
    assert ended_earlier.end_reason == "moved"
    event = AuditEvent.objects.get(action="people.user_deactivated")
    assert event.data == {"reason": "Left the ministry", "ended_nominations": [nomination.pk]}


@pytest.mark.django_db
def test_the_secretariat_cannot_deactivate_its_own_account(secretariat):
    with pytest.raises(DomainError, match="your own account"):
        services.deactivate_user(actor=secretariat, user=secretariat, reason="tired")


# --- Permissions ------------------------------------------------------------------------------


def _secretariat_actions(mechanism, person, review):
    return {
        "invite": lambda actor: invite(actor, mechanism, email="new@example.org"),
        "resend": lambda actor: services.resend_activation(
            actor=actor, user=person, mechanism=mechanism
        ),
        "approve": lambda actor: services.approve_profile(actor=actor, user=person),
        "clarify": lambda actor: services.request_clarification(
            actor=actor, user=person, message="?"
        ),
        "deactivate": lambda actor: services.deactivate_user(actor=actor, user=person, reason="x"),
        "note": lambda actor: services.register_note_verbale(
            actor=actor,
            state=person.state,
            reference="NV/1",
            dated_on=MARCH_3,
            received_on=MARCH_3,
        ),
        "nominate": lambda actor: services.nominate(
            actor=actor,
            person=person,
            state=person.state,
            review=review,
            role=Nomination.Role.FOCAL_POINT,
            starts_on=MARCH_3,
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action", ["invite", "resend", "approve", "clarify", "deactivate", "note", "nominate"]
)
@pytest.mark.parametrize("who", ["expert", "focal point", "anonymous", "invited secretariat"])
def test_only_the_secretariat_may_invite_approve_deactivate_or_nominate(mechanism, action, who):
    from django.contrib.auth.models import AnonymousUser

    person = UserFactory(status=User.Status.SUBMITTED)
    review = CountryReviewFactory(state=person.state)
    actor = {
        "expert": lambda: NominationFactory(review=review).person,
        "focal point": lambda: (
            NominationFactory(review=review, role=Nomination.Role.FOCAL_POINT).person
        ),
        "anonymous": AnonymousUser,
        "invited secretariat": lambda: SecretariatFactory(status=User.Status.INVITED),
    }[who]()
    events = AuditEvent.objects.count()
    with pytest.raises(NotAllowed, match="Only the secretariat can"):
        _secretariat_actions(mechanism, person, review)[action](actor)
    person.refresh_from_db()
    assert person.status == User.Status.SUBMITTED
    assert not Nomination.objects.filter(person=person).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action", ["invite", "resend", "approve", "clarify", "deactivate", "note", "nominate"]
)
def test_the_secretariat_may_do_each_of_these_actions(secretariat, mechanism, action):
    person = UserFactory(status=User.Status.SUBMITTED)
    review = CountryReviewFactory(state=person.state)
    if action == "resend":
        person.status = User.Status.INVITED
        person.save()
    _secretariat_actions(mechanism, person, review)[action](secretariat)
    assert AuditEvent.objects.filter(actor=secretariat).count() == 1


# --- Notes Verbales and nominations -------------------------------------------------------------


@pytest.mark.django_db
def test_a_note_verbale_reference_is_registered_once_per_state(secretariat, ghana):
    fields = {"state": ghana, "reference": "GH/2022/17", "dated_on": MARCH_3}
    note = services.register_note_verbale(actor=secretariat, received_on=MARCH_3, **fields)
    assert note.registered_by == secretariat
    with pytest.raises(DomainError, match="GH/2022/17 is already registered"):
        services.register_note_verbale(actor=secretariat, received_on=MARCH_3, **fields)
    with pytest.raises(DomainError, match="cannot be received before the date it bears"):
        services.register_note_verbale(
            actor=secretariat,
            **{**fields, "reference": "GH/2022/18"},
            received_on=MARCH_3.replace(day=1),
        )


@pytest.fixture
def jane(ghana):
    return UserFactory(full_name="Jane Doe", state=ghana)


@pytest.fixture
def review(ghana):
    return CountryReviewFactory(state=ghana)


def nominate_focal_point(actor, person, review, starts_on=MARCH_3, **fields):
    return services.nominate(
        actor=actor,
        person=person,
        state=person.state,
        review=review,
        role=Nomination.Role.FOCAL_POINT,
        starts_on=starts_on,
        **fields,
    )


@pytest.mark.django_db
def test_a_nomination_is_recorded_with_its_note_verbale_and_audited(secretariat, jane, review):
    note = NoteVerbaleFactory(state=jane.state)
    nomination = nominate_focal_point(secretariat, jane, review, note_verbale=note)
    assert nomination.ends_on is None
    assert nomination.note_verbale == note
    event = AuditEvent.objects.get(action="people.nominated")
    assert (event.review_id, event.state_code) == (review.pk, "GHA")
    assert event.data["note_verbale"] == note.reference


@pytest.mark.django_db
def test_a_state_can_only_nominate_its_own_officials(secretariat, jane, review):
    foreigner = UserFactory(full_name="Karl Muster", state=StateFactory(name="Austria"))
    with pytest.raises(
        DomainError, match=re.escape("Karl Muster is an official of Austria, not of Ghana.")
    ):
        services.nominate(
            actor=secretariat,
            person=foreigner,
            state=jane.state,
            review=review,
            role=Nomination.Role.EXPERT,
            starts_on=MARCH_3,
        )
    assert not Nomination.objects.exists()


@pytest.mark.django_db
def test_a_note_verbale_of_another_state_cannot_support_a_nomination(secretariat, jane, review):
    with pytest.raises(DomainError, match="comes from"):
        nominate_focal_point(secretariat, jane, review, note_verbale=NoteVerbaleFactory())


@pytest.mark.django_db
def test_a_second_focal_point_is_refused_with_a_clear_message_and_nothing_is_written(
    secretariat, jane, review
):
    nominate_focal_point(secretariat, jane, review)
    john = UserFactory(full_name="John Roe", state=jane.state)
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refusal:
        nominate_focal_point(secretariat, john, review, starts_on=datetime.date(2023, 1, 1))
    assert refusal.value.messages == [
        "Ghana already has a focal point for this review (Jane Doe, since 3 March 2022). "
        "Replace the focal point instead."
    ]
    assert Nomination.objects.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_focal_point_nominated_by_a_concurrent_request_gives_the_same_refusal(
    secretariat, jane, review
):
    """The check found no focal point, but another request committed one before our insert: the
    database constraint refuses it, and the person reads the same message."""
    nominate_focal_point(secretariat, jane, review)
    john = UserFactory(full_name="John Roe", state=jane.state)
    real_check = services._refuse_second_focal_point
    calls = []

    def check_blind_the_first_time(*args):
        calls.append(args)
        if len(calls) > 1:
            real_check(*args)

    with (
        mock.patch.object(services, "_refuse_second_focal_point", check_blind_the_first_time),
        pytest.raises(DomainError, match=r"Ghana already has a focal point for this review"),
    ):
        nominate_focal_point(secretariat, john, review)
    assert len(calls) == 2
    assert list(Nomination.objects.values_list("person__full_name", flat=True)) == ["Jane Doe"]


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_current_focal_point(jane, review):
    NominationFactory(person=jane, review=review, role=Nomination.Role.FOCAL_POINT)
    john = UserFactory(state=jane.state)
    with pytest.raises(IntegrityError), transaction.atomic():
        NominationFactory(person=john, review=review, role=Nomination.Role.FOCAL_POINT)
    # An ended focal point leaves room for the next one.
    Nomination.objects.filter(person=jane).update(ends_on=datetime.date(2023, 1, 1))
    NominationFactory(person=john, review=review, role=Nomination.Role.FOCAL_POINT)
    assert Nomination.objects.current().get(role=Nomination.Role.FOCAL_POINT).person == john


@pytest.mark.django_db
def test_several_experts_of_one_state_can_serve_in_a_review_but_not_twice_the_same(
    secretariat, jane, review
):
    for person in (jane, UserFactory(state=jane.state)):
        services.nominate(
            actor=secretariat,
            person=person,
            state=jane.state,
            review=review,
            role=Nomination.Role.EXPERT,
            starts_on=MARCH_3,
        )
    with pytest.raises(DomainError, match="already holds this nomination"):
        services.nominate(
            actor=secretariat,
            person=jane,
            state=jane.state,
            review=review,
            role=Nomination.Role.EXPERT,
            starts_on=MARCH_3,
        )
    assert Nomination.objects.count() == 2


@pytest.mark.django_db
def test_a_deactivated_account_cannot_be_nominated(secretariat, jane, review):
    jane.status = User.Status.DEACTIVATED
    jane.save()
    with pytest.raises(DomainError, match="is deactivated"):
        nominate_focal_point(secretariat, jane, review)


@pytest.mark.django_db
def test_replacing_a_focal_point_closes_the_old_nomination_and_keeps_it(secretariat, jane, review):
    old = nominate_focal_point(secretariat, jane, review)
    john = UserFactory(full_name="John Roe", state=jane.state)
    note = NoteVerbaleFactory(state=jane.state, reference="GH/2023/5")
    handover = datetime.date(2023, 5, 2)
    events = AuditEvent.objects.count()

    new = services.replace_focal_point(
        actor=secretariat,
        review=review,
        state=jane.state,
        new_person=john,
        starts_on=handover,
        note_verbale=note,
    )

    old.refresh_from_db()
    assert (old.ends_on, old.end_reason, old.ending_note_verbale) == (handover, "replaced", note)
    assert (new.person, new.starts_on, new.ends_on, new.replaces) == (john, handover, None, old)
    assert new.note_verbale == note
    assert old.replaced_by == new
    history = Nomination.objects.filter(review=review, role=Nomination.Role.FOCAL_POINT)
    assert history.count() == 2
    fp = history.filter(state=jane.state)
    assert [n.person for n in fp.active_on(handover - datetime.timedelta(days=1))] == [jane]
    assert [n.person for n in fp.active_on(handover)] == [john]
    # One action, one audit event.
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.last()
    assert event.action == "people.focal_point_replaced"
    assert event.data["replaced_nomination"] == old.pk
    assert event.data["replaced_person"] == jane.pk


@pytest.mark.django_db
def test_a_refused_replacement_leaves_the_current_focal_point_in_place(secretariat, jane, review):
    old = nominate_focal_point(secretariat, jane, review)
    foreigner = UserFactory(state=StateFactory())
    with pytest.raises(DomainError, match="not of Ghana"):
        services.replace_focal_point(
            actor=secretariat,
            review=review,
            state=jane.state,
            new_person=foreigner,
            starts_on=datetime.date(2023, 5, 2),
        )
    with pytest.raises(DomainError, match="cannot start before the current one started"):
        services.replace_focal_point(
            actor=secretariat,
            review=review,
            state=jane.state,
            new_person=UserFactory(state=jane.state),
            starts_on=datetime.date(2021, 1, 1),
        )
    old.refresh_from_db()
    assert old.ends_on is None
    assert Nomination.objects.count() == 1


@pytest.mark.django_db
def test_a_focal_point_can_only_be_replaced_where_there_is_one(secretariat, jane, review):
    with pytest.raises(DomainError, match="Ghana has no focal point for this review"):
        services.replace_focal_point(
            actor=secretariat, review=review, state=jane.state, new_person=jane, starts_on=MARCH_3
        )


@pytest.mark.django_db
def test_ending_a_nomination_records_the_date_the_reason_and_the_note(secretariat, jane, review):
    nomination = nominate_focal_point(secretariat, jane, review)
    note = NoteVerbaleFactory(state=jane.state)
    with pytest.raises(DomainError, match="cannot end before it starts"):
        services.end_nomination(
            actor=secretariat, nomination=nomination, ends_on=datetime.date(2022, 1, 1), reason="x"
        )
    services.end_nomination(
        actor=secretariat,
        nomination=nomination,
        ends_on=datetime.date(2023, 1, 31),
        reason="Retired",
        note_verbale=note,
    )
    assert (nomination.ends_on, nomination.end_reason) == (datetime.date(2023, 1, 31), "Retired")
    assert nomination.ending_note_verbale == note
    with pytest.raises(DomainError, match="already ended on 31 January 2023"):
        services.end_nomination(
            actor=secretariat, nomination=nomination, ends_on=datetime.date(2023, 2, 1), reason="x"
        )
    # With the focal point gone, the State can nominate a new one.
    nominate_focal_point(secretariat, UserFactory(state=jane.state), review)


@pytest.mark.django_db
def test_the_email_task_never_carries_the_raw_activation_token(
    secretariat, mechanism, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []

    class Recorder:
        def enqueue(self, *args, **kwargs):
            enqueued.append((args, kwargs))

    monkeypatch.setattr(services, "send_account_email", Recorder())

    with django_capture_on_commit_callbacks(execute=True):
        person, raw_token = invite(secretariat, mechanism)

    link = person.activation_links.get()
    assert enqueued == [((person.pk, "invitation"), {"link_id": link.pk})]
    assert raw_token not in repr(enqueued) and raw_token not in link.nonce
    # The token comes back only with the secret key.
    assert tokens.raw_token(link.nonce) == raw_token
