import datetime
from decimal import Decimal

import pytest

from revmod.mechanisms.gate import apply_conference_decisions, governing_decision, phase_gate
from revmod.mechanisms.models import ConferenceDecision

OPEN = ConferenceDecision.Effect.OPEN_NEXT_PHASE
HOLD = ConferenceDecision.Effect.HOLD_NEXT_PHASE


@pytest.mark.parametrize(
    ("foreseen", "required"),
    [(62, 44), (63, 45), (64, 45), (189, 133), (10, 7), (0, 0)],
)
def test_seventy_per_cent_of_the_reviews_foreseen_rounds_up_to_a_whole_review(foreseen, required):
    # 62 × 0.7 = 43.4 → 44; 63 × 0.7 = 44.1 → 45; 64 × 0.7 = 44.8 → 45; 189 × 0.7 = 132.3 → 133.
    assert phase_gate(foreseen, 0, 70).required == required


def test_the_gate_is_met_at_the_required_count_and_not_one_review_before():
    short = phase_gate(62, 43, Decimal(70))
    met = phase_gate(62, 44, Decimal(70))

    assert (short.met, short.opens, short.missing) == (False, False, 1)
    assert (met.met, met.opens, met.missing) == (True, True, 0)


def test_a_threshold_with_decimals_is_applied_exactly():
    assert phase_gate(100, 0, "66.67").required == 67
    assert phase_gate(3, 0, "33.33").required == 1


def test_a_threshold_of_zero_means_no_gate():
    verdict = phase_gate(64, 0, 0)

    assert verdict.met and verdict.required == 0


def test_the_gate_refuses_impossible_figures():
    with pytest.raises(ValueError):
        phase_gate(62, 10, 120)
    with pytest.raises(ValueError):
        phase_gate(-1, 0, 70)


def decision(effect, *, group_id=None, phase=2, on=(2024, 10, 1), pk=None) -> ConferenceDecision:
    return ConferenceDecision(
        pk=pk,
        group_id=group_id,
        phase_number=phase,
        effect=effect,
        decided_on=datetime.date(*on),
        reference="resolution 12/2",
    )


def test_the_conference_may_open_the_next_phase_before_the_threshold_is_met():
    verdict = phase_gate(62, 30, 70)
    opening = decision(OPEN, group_id=1)

    decided = apply_conference_decisions(verdict, [opening], group_id=1, phase_number=2)

    assert (decided.met, decided.opens, decided.decision) == (False, True, opening)


def test_the_conference_may_hold_the_next_phase_although_the_threshold_is_met():
    decided = apply_conference_decisions(
        phase_gate(62, 50, 70), [decision(HOLD)], group_id=1, phase_number=2
    )

    assert decided.met and not decided.opens


def test_decisions_on_another_phase_or_another_group_leave_the_verdict_alone():
    verdict = phase_gate(62, 30, 70)
    others = [decision(OPEN, group_id=2), decision(OPEN, phase=3)]

    assert apply_conference_decisions(verdict, others, group_id=1, phase_number=2) == verdict


def test_a_decision_naming_the_group_prevails_over_one_for_every_group():
    general = decision(HOLD, on=(2025, 1, 1))
    for_group = decision(OPEN, group_id=1, on=(2024, 1, 1))

    assert governing_decision([general, for_group], group_id=1, phase_number=2) is for_group
    assert governing_decision([general, for_group], group_id=2, phase_number=2) is general


def test_among_decisions_of_the_same_reach_the_latest_prevails():
    earlier = decision(OPEN, on=(2023, 6, 1))
    later = decision(HOLD, on=(2024, 6, 1))

    decided = apply_conference_decisions(
        phase_gate(62, 10, 70), [later, earlier], group_id=1, phase_number=2
    )

    assert decided.decision is later and not decided.opens
