"""The phase gate of each group (para 10), counted from its reviews, against hand-computed cases."""

import datetime

import pytest

from factories import SecretariatFactory
from revmod.core.domain import DomainError
from revmod.mechanisms.models import ConferenceDecision
from revmod.parties.models import State
from revmod.reviews import services
from revmod.reviews.gate import group_gate
from revmod.reviews.models import CountryReview, ReviewPhase

from .helpers import assert_refused, moment

pytestmark = pytest.mark.django_db

D = datetime.date
OPEN = ConferenceDecision.Effect.OPEN_NEXT_PHASE
HOLD = ConferenceDecision.Effect.HOLD_NEXT_PHASE


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


def _complete_first_phase(reviews, completed_on: D) -> None:
    """Phase-1 rows as the workflow leaves them once completed (the walk itself is tested in
    test_services; here only the counts matter)."""
    definition = reviews[0].mechanism.phases.get(number=1)
    ReviewPhase.objects.bulk_create(
        ReviewPhase(
            review=review,
            definition=definition,
            starts_on=review.group.starts_on,
            launched_at=moment(review.group.starts_on),
            status=ReviewPhase.Status.COMPLETED,
            completed_at=moment(completed_on),
        )
        for review in reviews
    )


@pytest.fixture
def groups(untoc):
    """Groups 1–3 with 62, 63 and 64 reviews foreseen at the start of their first phase
    (November 2020, 2021 and 2022), of which 44, 44 and 45 completed phase 1 by 1 March 2024."""
    counts = {1: (62, 44), 2: (63, 44), 3: (64, 45)}
    result = {}
    for number, (foreseen, completed) in counts.items():
        group = untoc.groups.get(number=number)
        reviews = _reviews(group, foreseen, group.starts_on, prefix="ABC"[number - 1])
        _complete_first_phase(reviews[:completed], D(2024, 3, 1))
        result[number] = group
    return result


@pytest.mark.parametrize(
    ("number", "foreseen", "completed", "required", "met"),
    [(1, 62, 44, 44, True), (2, 63, 44, 45, False), (3, 64, 45, 45, True)],
)
def test_each_group_gate_matches_the_hand_computed_seventy_per_cent_of_the_reviews_foreseen(
    groups, number, foreseen, completed, required, met
):
    # 62 × 70 % = 43.4 → 44; 63 × 70 % = 44.1 → 45; 64 × 70 % = 44.8 → 45.
    gate = group_gate(groups[number], 2, as_of=D(2024, 6, 1))

    verdict = gate.verdict
    assert (verdict.foreseen, verdict.completed, verdict.required) == (
        foreseen,
        completed,
        required,
    )
    assert (verdict.met, gate.is_open, verdict.decision) == (met, met, None)
    assert gate.previous_phase_starts_on == groups[number].starts_on


def test_the_gate_counts_completions_up_to_the_day_asked_about(groups):
    assert group_gate(groups[1], 2, as_of=D(2024, 2, 29)).verdict.completed == 0
    assert group_gate(groups[1], 2, as_of=D(2024, 3, 1)).verdict.completed == 44


def test_reviews_added_after_the_previous_phase_started_or_closed_before_are_not_foreseen(groups):
    group = groups[2]
    late = _reviews(group, 3, group.starts_on + datetime.timedelta(days=1), prefix="L")
    _complete_first_phase(late, D(2024, 3, 1))
    closed = CountryReview.objects.filter(group=group).first()
    CountryReview.objects.filter(pk=closed.pk).update(closed_at=moment(D(2021, 6, 1)))

    verdict = group_gate(group, 2, as_of=D(2024, 6, 1)).verdict

    assert (verdict.foreseen, verdict.completed) == (62, 43)


def test_a_conference_decision_opens_the_next_phase_before_the_threshold_from_its_date(groups):
    ConferenceDecision.objects.create(
        mechanism=groups[2].mechanism,
        group=groups[2],
        phase_number=2,
        effect=OPEN,
        decided_on=D(2024, 10, 15),
        reference="resolution 12/2",
    )

    before = group_gate(groups[2], 2, as_of=D(2024, 10, 14))
    after = group_gate(groups[2], 2, as_of=D(2024, 10, 15))

    assert (before.is_open, before.verdict.decision) == (False, None)
    assert (after.verdict.met, after.is_open, after.verdict.decision.reference) == (
        False,
        True,
        "resolution 12/2",
    )
    assert "resolution 12/2" in after.explanation
    assert "44 of the 63 reviews" in after.explanation


def test_a_conference_decision_for_every_group_holds_a_group_that_met_the_threshold(groups):
    ConferenceDecision.objects.create(
        mechanism=groups[1].mechanism,
        group=None,
        phase_number=2,
        effect=HOLD,
        decided_on=D(2024, 1, 10),
        reference="decision 11/1",
    )

    gate = group_gate(groups[1], 2, as_of=D(2024, 6, 1))

    assert (gate.verdict.met, gate.is_open) == (True, False)
    assert gate.explanation.startswith("The Conference decided to hold phase 2 for group 1")


def test_launching_phase_two_is_refused_with_the_numbers_while_the_gate_is_closed(groups):
    secretariat = SecretariatFactory()
    review = CountryReview.objects.filter(group=groups[2]).first()

    assert_refused(
        DomainError,
        "Group 2 cannot start phase 2 yet: 44 of the 63 reviews foreseen at the start of phase 1 "
        "are completed; 45 (70 %) are required.",
        services.launch_phase,
        actor=secretariat,
        review=review,
        phase_number=2,
        at=moment(D(2024, 6, 1)),
    )


def test_launching_phase_two_succeeds_once_the_gate_is_met(groups):
    review = CountryReview.objects.filter(group=groups[3]).first()

    phase = services.launch_phase(
        actor=SecretariatFactory(), review=review, phase_number=2, at=moment(D(2024, 11, 1))
    )

    assert phase.starts_on == groups[3].phase_starts_on(2) == D(2024, 11, 1)
    assert review.current_phase == phase


def test_the_first_phase_of_a_group_has_no_gate(groups):
    with pytest.raises(ValueError, match="no gate"):
        group_gate(groups[1], 1)
