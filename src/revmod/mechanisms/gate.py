"""The phase gate (UNTOC procedures, para 10) as pure functions.

"For each group of States parties as set forth in paragraph 17, the advancement to the next review
phase is conditional upon the completion of 70 per cent of the reviews foreseen at the beginning of
the previous phase, unless the Conference decides otherwise."

The threshold comes from the mechanism row (`Mechanism.gate_threshold_percent`); the counts come
from the caller, who knows how many reviews were foreseen at the start of the previous phase and
how many have reached the completing step since.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from revmod.mechanisms.models import ConferenceDecision


@dataclass(frozen=True)
class GateVerdict:
    met: bool  # the completion threshold is reached
    required: int  # completed reviews needed: ceil(foreseen × threshold / 100)
    foreseen: int
    completed: int
    threshold_percent: Decimal
    # Whether the next phase may open: `met`, unless a Conference decision says otherwise.
    opens: bool
    decision: ConferenceDecision | None = None

    @property
    def missing(self) -> int:
        return max(self.required - self.completed, 0)


def phase_gate(
    foreseen: int, completed: int, threshold_percent: Decimal | int | str
) -> GateVerdict:
    threshold = Decimal(str(threshold_percent))
    if foreseen < 0 or completed < 0 or not 0 <= threshold <= 100:
        raise ValueError("counts must not be negative and the threshold must be within 0-100")
    # "70 per cent of 63 reviews" is 44.1: 44 completed reviews would fall short, so round up.
    required = math.ceil(Decimal(foreseen) * threshold / 100)
    met = completed >= required
    return GateVerdict(
        met=met,
        required=required,
        foreseen=foreseen,
        completed=completed,
        threshold_percent=threshold,
        opens=met,
    )


def governing_decision(
    decisions: Iterable[ConferenceDecision], *, group_id: int, phase_number: int
) -> ConferenceDecision | None:
    """The decision that settles whether the group may enter the phase, if any: a decision naming
    the group prevails over one for every group; among equals the latest decided prevails."""
    relevant = [
        decision
        for decision in decisions
        if decision.phase_number == phase_number and decision.group_id in (None, group_id)
    ]
    if not relevant:
        return None
    return max(
        relevant,
        key=lambda decision: (decision.group_id is not None, decision.decided_on, decision.pk or 0),
    )


def apply_conference_decisions(
    verdict: GateVerdict,
    decisions: Iterable[ConferenceDecision],
    *,
    group_id: int,
    phase_number: int,
) -> GateVerdict:
    """The verdict once the Conference has spoken: it may open the next phase before the threshold
    is met, or hold it although the threshold is met ("unless the Conference decides otherwise")."""
    decision = governing_decision(decisions, group_id=group_id, phase_number=phase_number)
    if decision is None:
        return verdict
    opens = decision.effect == ConferenceDecision.Effect.OPEN_NEXT_PHASE
    return replace(verdict, opens=opens, decision=decision)
