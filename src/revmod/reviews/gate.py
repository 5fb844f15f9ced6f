"""The phase gate (para 10) of a group of States parties, counted from its reviews.

The arithmetic and the precedence of Conference decisions are the pure functions of
`revmod.mechanisms.gate`; this module counts, for a group and a phase, the reviews foreseen at the
start of the previous phase and those of them completed by a given day, and finds the Conference
decisions taken by that day.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from revmod.mechanisms import gate
from revmod.mechanisms.models import ConferenceDecision, ReviewGroup
from revmod.reviews.models import CountryReview, ReviewPhase


@dataclass(frozen=True)
class GroupGate:
    group: ReviewGroup
    phase_number: int
    as_of: datetime.date
    previous_phase_starts_on: datetime.date
    verdict: gate.GateVerdict

    @property
    def is_open(self) -> bool:
        return self.verdict.opens

    @property
    def explanation(self) -> str:
        verdict = self.verdict
        numbers = {
            "group": self.group.number,
            "phase": self.phase_number,
            "previous": self.phase_number - 1,
            "completed": verdict.completed,
            "foreseen": verdict.foreseen,
            "required": verdict.required,
            "threshold": f"{verdict.threshold_percent.normalize():f}",
        }
        if verdict.decision is not None:
            numbers.update(reference=verdict.decision.reference, date=verdict.decision.decided_on)
            if verdict.opens:
                text = _(
                    "The Conference decided to open phase %(phase)s for group %(group)s "
                    "(%(reference)s, %(date)s); %(completed)s of the %(foreseen)s reviews "
                    "foreseen at the start of phase %(previous)s are completed."
                )
            else:
                text = _(
                    "The Conference decided to hold phase %(phase)s for group %(group)s "
                    "(%(reference)s, %(date)s); %(completed)s of the %(foreseen)s reviews "
                    "foreseen at the start of phase %(previous)s are completed."
                )
        elif verdict.met:
            text = _(
                "Group %(group)s may start phase %(phase)s: %(completed)s of the %(foreseen)s "
                "reviews foreseen at the start of phase %(previous)s are completed; "
                "%(required)s (%(threshold)s %%) are required."
            )
        else:
            text = _(
                "Group %(group)s cannot start phase %(phase)s yet: %(completed)s of the "
                "%(foreseen)s reviews foreseen at the start of phase %(previous)s are completed; "
                "%(required)s (%(threshold)s %%) are required."
            )
        return text % numbers


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the site's time zone."""
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return midnight + datetime.timedelta(days=1)


def group_gate(
    group: ReviewGroup, phase_number: int, as_of: datetime.date | None = None
) -> GroupGate:
    """May `group` start phase `phase_number` (2 or later) on `as_of` (default today)?

    Foreseen: the group's reviews that existed on the start date of the previous phase (created
    on or before that day and not closed by then). Completed: those of them whose previous phase
    was completed on or before `as_of`.
    """
    if phase_number < 2:
        raise ValueError("The first phase of a group has no gate.")
    as_of = as_of or timezone.localdate()
    previous_start = group.phase_starts_on(phase_number - 1)
    foreseen = CountryReview.objects.filter(
        group=group, created_at__lt=_end_of(previous_start)
    ).exclude(closed_at__lt=_end_of(previous_start))
    completed = ReviewPhase.objects.filter(
        review__in=foreseen,
        definition__number=phase_number - 1,
        status=ReviewPhase.Status.COMPLETED,
        completed_at__lt=_end_of(as_of),
    )
    decisions = ConferenceDecision.objects.filter(
        mechanism_id=group.mechanism_id, phase_number=phase_number, decided_on__lte=as_of
    )
    verdict = gate.apply_conference_decisions(
        gate.phase_gate(
            foreseen.count(), completed.count(), group.mechanism.gate_threshold_percent
        ),
        decisions,
        group_id=group.pk,
        phase_number=phase_number,
    )
    return GroupGate(
        group=group,
        phase_number=phase_number,
        as_of=as_of,
        previous_phase_starts_on=previous_start,
        verdict=verdict,
    )


@dataclass(frozen=True)
class GateRow:
    """One group on the gate page: the phase it waits for, and its gate (None once the group is
    in the mechanism's last phase, or when the mechanism has no such phase)."""

    group: ReviewGroup
    phase_number: int | None
    gate: GroupGate | None


def next_phase_number(highest_launched: int | None) -> int:
    """The phase a group waits for: the one after the latest any of its reviews launched (the
    first gate stands before phase 2)."""
    return max((highest_launched or 0) + 1, 2)


def gate_overview(
    *,
    as_of: datetime.date | None = None,
    mechanism_code: str = "",
    group_number: int | None = None,
    phase_number: int | None = None,
) -> list[GateRow]:
    """The gate of every group (of a mechanism, or one group), for the phase asked for or else the
    next phase of each group, on `as_of` (default today)."""
    as_of = as_of or timezone.localdate()
    groups = ReviewGroup.objects.select_related("mechanism").annotate(
        last_phase=Max("mechanism__phases__number")
    )
    if mechanism_code:
        groups = groups.filter(mechanism__code=mechanism_code)
    if group_number is not None:
        groups = groups.filter(number=group_number)
    launched = (
        ReviewPhase.objects.filter(review__group__in=groups.values("pk"))
        .filter(launched_at__lt=_end_of(as_of))
        .values("review__group")
        .annotate(highest=Max("definition__number"))
        .order_by()
    )
    highest = {row["review__group"]: row["highest"] for row in launched}
    rows = []
    for group in groups.order_by("mechanism__code", "number"):
        number = phase_number or next_phase_number(highest.get(group.pk))
        if 2 <= number <= (group.last_phase or 0):
            rows.append(GateRow(group, number, group_gate(group, number, as_of=as_of)))
        else:
            rows.append(GateRow(group, None, None))
    return rows
