"""The phase gate page and the recording of Conference decisions, against a hand-computed case."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from factories import SecretariatFactory, UserFactory
from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.mechanisms.models import ConferenceDecision
from revmod.parties.models import State
from revmod.reviews.decisions import record_conference_decision
from revmod.reviews.gate import gate_overview
from revmod.reviews.models import CountryReview, ReviewPhase

from .helpers import moment

pytestmark = pytest.mark.django_db

D = datetime.date
OPEN = ConferenceDecision.Effect.OPEN_NEXT_PHASE


def _reviews(group, count: int, created_on: D, prefix: str) -> list[CountryReview]:
    states = State.objects.bulk_create(
        State(code=f"{prefix}{n:02d}", name=f"State {prefix}{n}") for n in range(count)
    )
    return CountryReview.objects.bulk_create(
        CountryReview(
            mechanism=group.mechanism, group=group, state=state, created_at=moment(created_on)
        )
        for state in states
    )


def _phase_one(reviews, *, completed_on: D | None) -> None:
    definition = reviews[0].mechanism.phases.get(number=1)
    ReviewPhase.objects.bulk_create(
        ReviewPhase(
            review=review,
            definition=definition,
            starts_on=review.group.starts_on,
            launched_at=moment(review.group.starts_on),
            status=ReviewPhase.Status.COMPLETED if completed_on else ReviewPhase.Status.IN_PROGRESS,
            completed_at=moment(completed_on) if completed_on else None,
        )
        for review in reviews
    )


@pytest.fixture
def group_two(untoc):
    """Group 2 (phase 1 from 1 November 2021): 13 reviews foreseen then and 2 added later; 9 of
    the foreseen completed phase 1 by 1 September 2023, a tenth on 1 February 2024."""
    group = untoc.groups.get(number=2)
    foreseen = _reviews(group, 13, D(2021, 10, 1), "B")
    _reviews(group, 2, D(2022, 3, 1), "L")
    _phase_one(foreseen[:9], completed_on=D(2023, 9, 1))
    _phase_one(foreseen[9:10], completed_on=D(2024, 2, 1))
    _phase_one(foreseen[10:], completed_on=None)
    return group


@pytest.fixture
def secretariat(db):
    return SecretariatFactory()


def _row(rows, number):
    (row,) = [row for row in rows if row.group.number == number]
    return row


def test_the_overview_gives_each_groups_numbers_for_its_next_phase(group_two):
    # 13 × 70 % = 9.1: 10 completed reviews are required.
    before = _row(gate_overview(as_of=D(2023, 12, 31), mechanism_code="untoc"), 2)
    after = _row(gate_overview(as_of=D(2024, 3, 1), mechanism_code="untoc"), 2)

    assert before.phase_number == 2
    verdict = before.gate.verdict
    assert (verdict.foreseen, verdict.completed, verdict.required, verdict.met) == (
        13,
        9,
        10,
        False,
    )
    assert (after.gate.verdict.completed, after.gate.verdict.met) == (10, True)


def test_a_conference_decision_opens_the_phase_from_the_day_it_was_taken(group_two, secretariat):
    record_conference_decision(
        actor=secretariat,
        mechanism=group_two.mechanism,
        group=group_two,
        phase_number=2,
        effect=OPEN,
        decided_on=D(2023, 10, 15),
        reference="resolution 12/2",
    )

    earlier = _row(gate_overview(as_of=D(2023, 10, 1), mechanism_code="untoc"), 2).gate
    later = _row(gate_overview(as_of=D(2023, 12, 31), mechanism_code="untoc"), 2).gate

    assert (earlier.is_open, earlier.verdict.decision) == (False, None)
    assert later.is_open and not later.verdict.met
    assert later.verdict.decision.reference == "resolution 12/2"


def test_recording_a_decision_is_audited(group_two, secretariat):
    decision = record_conference_decision(
        actor=secretariat,
        mechanism=group_two.mechanism,
        phase_number=2,
        effect=OPEN,
        decided_on=D(2023, 10, 15),
        reference="resolution 12/2",
    )

    event = AuditEvent.objects.get(action="gate.conference_decision_recorded")
    assert event.actor == secretariat
    assert event.target_id == str(decision.pk)
    assert event.data["group"] is None and event.data["phase"] == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decided_on": D(2099, 1, 1)}, "is in the future"),
        ({"reference": "  "}, "Give the reference of the decision"),
        ({"phase_number": 1}, "The first phase has no gate"),
        ({"phase_number": 9}, "has no phase 9"),
        ({"effect": "maybe"}, "Choose whether the decision opens or holds the phase."),
    ],
)
def test_a_bad_decision_is_refused_with_a_reason_and_nothing_is_written(
    group_two, secretariat, changes, message
):
    arguments = {
        "actor": secretariat,
        "mechanism": group_two.mechanism,
        "group": group_two,
        "phase_number": 2,
        "effect": OPEN,
        "decided_on": D(2023, 10, 15),
        "reference": "resolution 12/2",
        **changes,
    }
    with pytest.raises(DomainError, match=message):
        record_conference_decision(**arguments)

    assert not ConferenceDecision.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="gate.").exists()


def test_a_group_of_another_mechanism_is_refused(group_two, secretariat, uncac):
    with pytest.raises(DomainError, match="This group belongs to another mechanism"):
        record_conference_decision(
            actor=secretariat,
            mechanism=uncac,
            group=group_two,
            phase_number=2,
            effect=OPEN,
            decided_on=D(2023, 10, 15),
            reference="resolution 12/2",
        )


def test_an_official_cannot_record_a_decision(group_two):
    with pytest.raises(NotAllowed, match="Only the secretariat can record a Conference decision"):
        record_conference_decision(
            actor=UserFactory(),
            mechanism=group_two.mechanism,
            phase_number=2,
            effect=OPEN,
            decided_on=D(2023, 10, 15),
            reference="resolution 12/2",
        )
    assert not ConferenceDecision.objects.exists()


# --- The page ---------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_gate_page_shows_the_numbers_behind_each_verdict_as_of_a_date(group_two, secretariat):
    record_conference_decision(
        actor=secretariat,
        mechanism=group_two.mechanism,
        group=group_two,
        phase_number=2,
        effect=OPEN,
        decided_on=D(2023, 10, 15),
        reference="resolution 12/2",
    )

    response = _client(secretariat).get(
        reverse("reviews_health:gate"), {"as_of": "2023-12-31", "mechanism": "untoc"}
    )

    assert response.status_code == 200
    assert response.context["as_of"] == D(2023, 12, 31)
    row = _row(response.context["rows"], 2)
    assert (row.gate.verdict.foreseen, row.gate.verdict.completed) == (13, 9)
    html = response.content.decode()
    assert "resolution 12/2" in html
    assert "No: 1 more review needed" in html
    assert "70 %" in html
    assert "The Conference decided to open phase 2 for group 2" in html


def test_an_official_reads_the_gate_without_the_decision_form(group_two):
    response = _client(UserFactory()).get(reverse("reviews_health:gate"))

    assert response.status_code == 200
    assert response.context["decision_form"] is None
    assert "Record a Conference decision" not in response.content.decode()


def test_an_official_posting_a_decision_is_refused(group_two):
    response = _client(UserFactory()).post(
        reverse("reviews_health:gate"),
        {
            "decision-mechanism": group_two.mechanism.pk,
            "decision-phase_number": 2,
            "decision-effect": OPEN,
            "decision-decided_on": "2023-10-15",
            "decision-reference": "resolution 12/2",
        },
    )

    assert response.status_code == 403
    assert not ConferenceDecision.objects.exists()


def test_a_visitor_is_sent_to_sign_in(group_two):
    response = Client().get(reverse("reviews_health:gate"))

    assert response.status_code == 302
    assert reverse("people:login") in response["Location"]


def test_the_secretariat_records_a_decision_through_the_form(group_two, secretariat):
    response = _client(secretariat).post(
        reverse("reviews_health:gate"),
        {
            "decision-mechanism": group_two.mechanism.pk,
            "decision-group": group_two.pk,
            "decision-phase_number": 2,
            "decision-effect": OPEN,
            "decision-decided_on": "2023-10-15",
            "decision-reference": "resolution 12/2",
        },
    )

    assert response.status_code == 302
    decision = ConferenceDecision.objects.get()
    assert (decision.group, decision.reference) == (group_two, "resolution 12/2")


def test_a_refused_decision_re_renders_the_form_with_what_was_typed(group_two, secretariat):
    response = _client(secretariat).post(
        reverse("reviews_health:gate"),
        {
            "decision-mechanism": group_two.mechanism.pk,
            "decision-phase_number": 2,
            "decision-effect": OPEN,
            "decision-decided_on": "2099-10-15",
            "decision-reference": "resolution 99/1",
        },
    )

    assert response.status_code == 400
    assert "is in the future" in response.content.decode()
    assert 'value="resolution 99/1"' in response.content.decode()
    assert not ConferenceDecision.objects.exists()
