"""Follow-up actions: the secretariat's contacts with a State about its nominations, recorded and
audited through the domain functions, and shown on the nomination health pages."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories import CountryReviewFactory, NominationFactory, StateFactory, UserFactory
from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.people import services
from revmod.people.models import FollowUpAction

pytestmark = pytest.mark.django_db

D = datetime.date
Channel = FollowUpAction.Channel
Outcome = FollowUpAction.Outcome


@pytest.fixture
def review(db):
    # A generated code: the shipped reference data, when a session loaded it, holds GHA already.
    return CountryReviewFactory(state=StateFactory(name="Ghana"))


def record(actor, review, state=None, **changes):
    arguments = {
        "actor": actor,
        "review": review,
        "state": state or review.state,
        "channel": Channel.PERMANENT_MISSION,
        "contacted_on": D(2023, 5, 2),
        "contact_person": "First Secretary, Permanent Mission of Ghana in Vienna",
        "note": "Reminded of the focal point nomination by email and phone.",
        **changes,
    }
    return services.record_follow_up(**arguments)


def follow_up_rows():
    return list(FollowUpAction.objects.values()), list(AuditEvent.objects.values())


def test_the_secretariat_records_a_follow_up_and_the_audit_trail_keeps_it(review, secretariat):
    follow_up = record(secretariat, review)

    assert follow_up.outcome == Outcome.PENDING
    assert (follow_up.recorded_by, follow_up.review, follow_up.state) == (
        secretariat,
        review,
        review.state,
    )
    event = AuditEvent.objects.get(action="people.follow_up_recorded")
    assert (event.actor, event.review_id, event.state_code) == (
        secretariat,
        review.pk,
        review.state.code,
    )
    assert event.data["channel"] == Channel.PERMANENT_MISSION
    assert event.data["contacted_on"] == "2023-05-02"


def test_an_official_cannot_record_a_follow_up_and_nothing_is_written(review):
    before = follow_up_rows()

    with pytest.raises(NotAllowed, match="Only the secretariat can record follow-up actions"):
        record(UserFactory(state=review.state), review)

    assert follow_up_rows() == before


def test_a_state_that_takes_no_part_in_the_review_is_refused(review, secretariat):
    with pytest.raises(DomainError, match="takes no part in the Review of Ghana"):
        record(secretariat, review, state=StateFactory(name="Elsewhere"))
    assert not FollowUpAction.objects.exists()


def test_a_reviewing_state_with_a_nomination_can_be_followed_up(review, secretariat):
    peru = StateFactory(name="Peru")
    NominationFactory(review=review, person__state=peru)

    follow_up = record(secretariat, review, state=peru, channel=Channel.FIELD_OFFICE)

    assert follow_up.state == peru


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "pigeon"}, "Choose how the State was contacted."),
        ({"contacted_on": timezone.localdate() + datetime.timedelta(days=2)}, "in the future"),
        ({"outcome": Outcome.OTHER, "outcome_note": " "}, "Say what the outcome was"),
        ({"outcome": "lost"}, "Choose the outcome of the follow-up."),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_is_written(
    review, secretariat, changes, message
):
    before = follow_up_rows()

    with pytest.raises(DomainError, match=message):
        record(secretariat, review, **changes)

    assert follow_up_rows() == before


def test_the_outcome_is_updated_and_audited_with_what_it_was(review, secretariat):
    follow_up = record(secretariat, review)

    services.update_follow_up_outcome(
        actor=secretariat,
        follow_up=follow_up,
        outcome=Outcome.NOMINATION_RECEIVED,
        outcome_note="Note Verbale 123/2023 received",
    )

    follow_up.refresh_from_db()
    assert follow_up.outcome == Outcome.NOMINATION_RECEIVED
    assert follow_up.outcome_updated_at is not None
    event = AuditEvent.objects.get(action="people.follow_up_outcome_updated")
    assert event.data == {
        "from": Outcome.PENDING,
        "to": Outcome.NOMINATION_RECEIVED,
        "note": "Note Verbale 123/2023 received",
    }


def test_an_official_cannot_change_an_outcome(review, secretariat):
    follow_up = record(secretariat, review)
    before = follow_up_rows()

    with pytest.raises(NotAllowed):
        services.update_follow_up_outcome(
            actor=UserFactory(state=review.state), follow_up=follow_up, outcome=Outcome.NO_ANSWER
        )

    assert follow_up_rows() == before


# --- The page ---------------------------------------------------------------------------------


def _page(review, state=None):
    return reverse(
        "reviews_health:follow_ups",
        kwargs={"review_id": review.pk, "state_code": (state or review.state).pk},
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_follow_up_page_records_a_contact_through_the_domain_function(review, secretariat):
    response = _client(secretariat).post(
        _page(review),
        {
            "action": "record",
            "channel": Channel.REGIONAL_OFFICE,
            "contacted_on": "2023-05-02",
            "contact_person": "UNODC Regional Office for West and Central Africa",
            "outcome": Outcome.PENDING,
        },
    )

    assert response.status_code == 302
    follow_up = FollowUpAction.objects.get()
    assert follow_up.channel == Channel.REGIONAL_OFFICE
    assert AuditEvent.objects.filter(action="people.follow_up_recorded").count() == 1


def test_the_health_page_shows_the_latest_follow_up_of_each_state(review, secretariat):
    record(secretariat, review, contacted_on=D(2023, 4, 1))
    record(secretariat, review, contacted_on=D(2023, 5, 2), channel=Channel.FIELD_OFFICE)

    response = _client(secretariat).get(reverse("reviews_health:health"))

    (row,) = response.context["rows"]
    assert row.latest_follow_up.contacted_on == D(2023, 5, 2)
    assert "UNODC field office: Pending" in response.content.decode()


def test_a_refused_follow_up_re_renders_the_form_with_what_was_typed(review, secretariat):
    response = _client(secretariat).post(
        _page(review),
        {
            "action": "record",
            "channel": Channel.OTHER,
            "contacted_on": "2023-05-02",
            "contact_person": "Ambassador's office",
            "outcome": Outcome.OTHER,
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the outcome was" in html
    assert 'value="Ambassador&#x27;s office"' in html
    assert not FollowUpAction.objects.exists()


def test_the_outcome_form_updates_the_outcome(review, secretariat):
    follow_up = record(secretariat, review)

    response = _client(secretariat).post(
        _page(review),
        {"action": "outcome", "follow_up": follow_up.pk, "outcome": Outcome.NO_ANSWER},
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.outcome == Outcome.NO_ANSWER


def test_an_official_is_refused_the_follow_up_page(review):
    official = _client(UserFactory(state=review.state))

    assert official.get(_page(review)).status_code == 403
    assert official.post(_page(review), {"action": "record"}).status_code == 403
    assert not FollowUpAction.objects.exists()


def test_a_state_outside_the_review_has_no_follow_up_page(review, secretariat):
    outsider = StateFactory()

    assert _client(secretariat).get(_page(review, outsider)).status_code == 404
