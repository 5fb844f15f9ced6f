"""Domain functions of the drawing of lots: preview a draw, confirm or discard it, redraw one
reviewer on request. The secretariat alone runs them.

A draw covers the open reviews of one group that have no reviewers yet for the phase. Its
candidates are the parties to the mechanism's instruments on the day of the draw, each in its
group for the draw; the lots come from `revmod.reviews.draw`, and the seed is recorded so the
same inputs give the same draw again. A preview that cannot meet the rules is refused with every
failure (which constraint, for which State) and nothing is stored.

Reviewers already assigned in the same phase of the mechanism (the other groups' confirmed
draws) count towards the cap of reviews per State and the ban on mutual reviews.
"""

import dataclasses
import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from revmod.core import audit
from revmod.core.domain import DomainError, NotAllowed
from revmod.draws.models import Assignment, Draw, Redraw
from revmod.mechanisms.models import Mechanism, ReviewGroup
from revmod.parties.models import PartyStatus, RegionalGroup, State
from revmod.people.rules import is_secretariat
from revmod.reviews import draw as lots
from revmod.reviews.models import CountryReview
from revmod.reviews.signals import review_event

# Seeds drawn when none is given: small enough to read out at a draw and type in again.
SEED_RANGE = 10**9


class DrawRefused(DomainError):
    """The rules cannot be met: one message per failure, and the failures themselves."""

    def __init__(self, messages: list[str], failures: Sequence[lots.DrawFailure]):
        super().__init__(messages)
        self.failures = tuple(failures)


def _in_force(review: CountryReview, phase_number: int | None) -> QuerySet[Assignment]:
    assignments = Assignment.objects.in_force().filter(review=review)
    if phase_number is None:
        # The latest phase drawn: a review's reviewers are drawn again for each phase.
        latest = assignments.order_by("-draw__phase_number").values("draw__phase_number")[:1]
        return assignments.filter(draw__phase_number=Subquery(latest))
    return assignments.filter(draw__phase_number=phase_number)


def reviewing_states(review: CountryReview, phase_number: int | None = None) -> QuerySet[State]:
    """The States assigned to review `review` in a phase (default: the latest phase drawn), by
    its confirmed draw with the redraws applied. Empty before a draw is confirmed."""
    return State.objects.filter(code__in=_in_force(review, phase_number).values("reviewer_id"))


def has_confirmed_draw(review: CountryReview, phase_number: int | None = None) -> bool:
    return _in_force(review, phase_number).exists()


def _check_secretariat(actor) -> None:
    if not is_secretariat(actor):
        raise NotAllowed(_("Only the secretariat can draw lots."))


def _rules_of(mechanism: Mechanism) -> lots.DrawRules:
    rules = getattr(mechanism, "draw_rules", None)
    if rules is None:
        raise DomainError(
            _("%(mechanism)s has no rules for the drawing of lots.") % {"mechanism": mechanism}
        )
    return lots.DrawRules.from_model(rules)


def _instrument_order(mechanism: Mechanism) -> list[str]:
    order = list(
        mechanism.mechanisminstrument_set.order_by("order").values_list("instrument_id", flat=True)
    )
    if not order:
        raise DomainError(_("%(mechanism)s has no instruments.") % {"mechanism": mechanism})
    return order


def _candidates(mechanism: Mechanism, day: datetime.date) -> dict[str, lots.Candidate]:
    """Every party to an instrument of the mechanism on `day`, in its group for the draw."""
    instruments: dict[str, set[str]] = defaultdict(set)
    groups: dict[str, str] = {}
    statuses = PartyStatus.objects.on(day).filter(instrument__in=mechanism.instruments.all())
    rows = statuses.values_list(
        "state_id", "instrument_id", "state__regional_group_id", "state__draw_group_id"
    )
    for state, instrument, regional_group, draw_group in rows:
        instruments[state].add(instrument)
        groups[state] = regional_group or draw_group or ""
    no_group = sorted(code for code, group in groups.items() if not group)
    if no_group:
        names = State.objects.filter(code__in=no_group).order_by("name")
        raise DomainError(
            [
                _(
                    "%(state)s is in no regional group and has no group for the draw: set its "
                    "group for the draw before drawing lots."
                )
                % {"state": state}
                for state in names
            ]
        )
    return {
        code: lots.Candidate(code=code, group=groups[code], instruments=frozenset(held))
        for code, held in instruments.items()
    }


def _phase_assignments(mechanism: Mechanism, phase_number: int, *, exclude_draw=None):
    """The reviewers in force in a phase of the mechanism, as the pure module spells them."""
    assignments = Assignment.objects.in_force().filter(
        draw__mechanism=mechanism, draw__phase_number=phase_number
    )
    if exclude_draw is not None:
        assignments = assignments.exclude(draw=exclude_draw)
    return [_pure(a) for a in assignments.select_related("review").order_by("pk")]


def _pure(assignment: Assignment) -> lots.Assignment:
    return lots.Assignment(
        review=str(assignment.review_id),
        reviewed_state=assignment.review.state_id,
        reviewer=assignment.reviewer_id,
        slot=lots.Slot(assignment.slot),
        instruments=tuple(assignment.instruments),
        additional=assignment.additional,
    )


def _review_to_draw(
    review: CountryReview, candidates: dict[str, lots.Candidate], main: str, day: datetime.date
) -> lots.ReviewToDraw:
    candidate = candidates.get(review.state_id)
    if candidate is None or main not in candidate.instruments:
        raise DomainError(
            _("%(state)s is not party to %(instrument)s on %(date)s: it cannot be reviewed.")
            % {"state": review.state, "instrument": main, "date": date_format(day)}
        )
    return lots.ReviewToDraw(key=str(review.pk), state=candidate)


def _refusal(failures: Iterable[lots.DrawFailure]) -> DrawRefused:
    """Each failure in the reader's language, naming the State and the group."""
    failures = tuple(failures)
    codes = {f.state for f in failures}
    states = {s.code: s.name for s in State.objects.filter(code__in=codes)}
    groups = {g.code: g.name for g in RegionalGroup.objects.all()}
    messages = [
        dataclasses.replace(
            failure,
            state=states.get(failure.state, failure.state),
            group=groups.get(failure.group, failure.group),
        ).message
        for failure in failures
    ]
    return DrawRefused(list(dict.fromkeys(messages)), failures)


def _pools_json(pools: Iterable[lots.SlotPool], state_of: dict[str, str]) -> list[dict]:
    return [
        {
            "review": int(pool.review),
            "state": state_of[pool.review],
            "slot": str(pool.slot),
            "instruments": list(pool.instruments),
            "additional": pool.additional,
            "candidates": list(pool.candidates),
            "chosen": pool.chosen,
        }
        for pool in pools
    ]


def _check_seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(SEED_RANGE)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DomainError(_("The seed must be a whole number of 0 or more."))
    return seed


@transaction.atomic
def preview_draw(
    *,
    actor,
    mechanism: Mechanism,
    group: ReviewGroup,
    phase_number: int,
    seed: int | None = None,
    at: datetime.datetime | None = None,
) -> Draw:
    """Draw the reviewers of the group's reviews that have none yet for the phase, and store the
    result as a preview. Refuses with DrawRefused (every failure) and stores nothing when the
    rules cannot be met."""
    at = at or timezone.now()
    _check_secretariat(actor)
    if group.mechanism_id != mechanism.pk:
        raise DomainError(_("This group belongs to another mechanism."))
    if not mechanism.phases.filter(number=phase_number).exists():
        raise DomainError(
            _("%(mechanism)s has no phase %(number)s.")
            % {"mechanism": mechanism, "number": phase_number}
        )
    seed = _check_seed(seed)
    rules = _rules_of(mechanism)
    order = _instrument_order(mechanism)
    day = timezone.localdate(at)
    drawn = Assignment.objects.in_force().filter(draw__phase_number=phase_number)
    reviews = list(
        CountryReview.objects.filter(mechanism=mechanism, group=group, closed_at__isnull=True)
        .exclude(pk__in=drawn.values("review_id"))
        .select_related("state")
        .order_by("pk")
    )
    if not reviews:
        raise DomainError(
            _("Every open review of %(group)s already has its reviewers for phase %(phase)s.")
            % {"group": group, "phase": phase_number}
        )
    candidates = _candidates(mechanism, day)
    to_draw = [_review_to_draw(review, candidates, order[0], day) for review in reviews]
    result = lots.draw(
        to_draw,
        list(candidates.values()),
        rules,
        main_instrument=order[0],
        instrument_order=order,
        seed=seed,
        existing=_phase_assignments(mechanism, phase_number),
    )
    if not result.ok:
        raise _refusal(result.failures)
    state_of = {str(review.pk): review.state_id for review in reviews}
    draw = Draw.objects.create(
        mechanism=mechanism,
        group=group,
        phase_number=phase_number,
        seed=seed,
        parties_on=day,
        rules=dataclasses.asdict(rules),
        pools=_pools_json(result.pools, state_of),
        attempts=result.attempts,
        created_by=actor,
        created_at=at,
    )
    Assignment.objects.bulk_create(
        Assignment(
            draw=draw,
            review_id=int(a.review),
            reviewer_id=a.reviewer,
            slot=a.slot,
            instruments=list(a.instruments),
            additional=a.additional,
        )
        for a in result.assignments
    )
    audit.record(
        "draw.previewed",
        actor=actor,
        target=draw,
        data={
            "mechanism": mechanism.code,
            "group": group.number,
            "phase": phase_number,
            "seed": seed,
            "parties_on": day.isoformat(),
            "reviews": len(reviews),
            "assignments": len(result.assignments),
            "attempts": result.attempts,
        },
        at=at,
    )
    return draw


def _locked(draw: Draw) -> Draw:
    return Draw.objects.select_for_update(of=("self",)).select_related("group").get(pk=draw.pk)


def _discard(draw: Draw, *, actor, at: datetime.datetime, reason: str) -> None:
    draw.status = Draw.Status.DISCARDED
    draw.discarded_by, draw.discarded_at = actor, at
    draw.save(update_fields=["status", "discarded_by", "discarded_at"])
    audit.record(
        "draw.discarded",
        actor=actor,
        target=draw,
        data={"group": draw.group.number, "phase": draw.phase_number, "reason": reason},
        at=at,
    )


def _reviewers_by_review(draw: Draw) -> dict[CountryReview, list[dict]]:
    by_review: dict[CountryReview, list[dict]] = defaultdict(list)
    for a in draw.assignments.filter(active=True).select_related("review"):
        by_review[a.review].append(
            {
                "reviewer": a.reviewer_id,
                "slot": a.slot,
                "instruments": a.instruments,
                "additional": a.additional,
            }
        )
    return by_review


def _emit(event: str, *, review: CountryReview, actor, at: datetime.datetime) -> None:
    # The notifications listen to the same signal as for the steps of a review.
    transaction.on_commit(
        lambda: review_event.send(
            sender=CountryReview, event=event, review=review, actor=actor, at=at
        )
    )


@transaction.atomic
def confirm_draw(*, actor, draw: Draw, at: datetime.datetime | None = None) -> Draw:
    """Make a preview the draw of its reviews; the other previews of the same group and phase
    are discarded."""
    at = at or timezone.now()
    _check_secretariat(actor)
    current = _locked(draw)
    if current.status == Draw.Status.CONFIRMED:
        raise DomainError(_("This draw is already confirmed."))
    if current.status == Draw.Status.DISCARDED:
        raise DomainError(_("This draw was discarded; draw the lots again."))
    already = Assignment.objects.in_force().filter(
        draw__phase_number=current.phase_number,
        review__in=current.assignments.values("review_id"),
    )
    taken = sorted({a.review.state.name for a in already.select_related("review__state")})
    if taken:
        raise DomainError(
            _(
                "Reviewers of %(states)s were confirmed for this phase since this preview was "
                "drawn: discard it and draw again."
            )
            % {"states": ", ".join(taken)}
        )
    current.status = Draw.Status.CONFIRMED
    current.confirmed_by, current.confirmed_at = actor, at
    current.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit.record(
        "draw.confirmed",
        actor=actor,
        target=current,
        data={"group": current.group.number, "phase": current.phase_number, "seed": current.seed},
        at=at,
    )
    for review, reviewers in _reviewers_by_review(current).items():
        audit.record(
            "draw.reviewers_assigned",
            actor=actor,
            target=current,
            review_id=review.pk,
            state_code=review.state_id,
            data={"phase": current.phase_number, "reviewers": reviewers},
            at=at,
        )
        _emit("draw.reviewers_assigned", review=review, actor=actor, at=at)
    others = Draw.objects.select_for_update().filter(
        mechanism=current.mechanism_id,
        group=current.group_id,
        phase_number=current.phase_number,
        status=Draw.Status.PREVIEW,
    )
    for other in others.select_related("group"):
        _discard(other, actor=actor, at=at, reason=_("Another draw was confirmed."))
    draw.status, draw.confirmed_by, draw.confirmed_at = current.status, actor, at
    return current


@transaction.atomic
def discard_draw(*, actor, draw: Draw, at: datetime.datetime | None = None) -> Draw:
    at = at or timezone.now()
    _check_secretariat(actor)
    current = _locked(draw)
    if current.status != Draw.Status.PREVIEW:
        raise DomainError(_("Only a preview can be discarded; a confirmed draw is redrawn."))
    _discard(current, actor=actor, at=at, reason="")
    draw.status = current.status
    return current


@transaction.atomic
def request_redraw(
    *,
    actor,
    assignment: Assignment,
    reason: str,
    requested_by: State,
    seed: int | None = None,
    at: datetime.datetime | None = None,
) -> Redraw:
    """Replace one reviewer of a confirmed draw by lot, for the same slot and instruments, at
    the request of the State under review or of a reviewing State. The replaced State is not
    drawn again for the review; the rules the draw was made with apply."""
    at = at or timezone.now()
    _check_secretariat(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the redraw: it is recorded with the draw."))
    old = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("draw", "review__state", "reviewer")
        .get(pk=assignment.pk)
    )
    draw, review = old.draw, old.review
    if draw.status != Draw.Status.CONFIRMED:
        raise DomainError(_("Only a reviewer of a confirmed draw can be redrawn."))
    if not old.active:
        raise DomainError(_("This reviewer was already replaced."))
    reviewers = draw.assignments.filter(review=review, active=True)
    members = {review.state_id, *reviewers.values_list("reviewer_id", flat=True)}
    if requested_by.pk not in members:
        raise DomainError(
            _(
                "%(state)s takes no part in the review of %(reviewed)s: only the State under "
                "review or one of its reviewing States can ask for a redraw."
            )
            % {"state": requested_by, "reviewed": review.state}
        )
    seed = _check_seed(seed)
    rules = lots.DrawRules(**draw.rules)
    order = _instrument_order(draw.mechanism)
    day = timezone.localdate(at)
    candidates = _candidates(draw.mechanism, day)
    in_draw = list(draw.assignments.filter(active=True).select_related("review"))
    current = lots.DrawResult(
        ok=True,
        assignments=tuple(_pure(a) for a in in_draw),
        pools=(),
        failures=(),
        seed=draw.seed,
        attempts=draw.attempts,
        redraws=tuple(
            lots.Redraw(
                review=str(r.replaced.review_id),
                old=r.replaced.reviewer_id,
                reason=r.reason,
                assignments=(),
                pools=(),
            )
            for r in draw.redraws.select_related("replaced")
        ),
    )
    outcome = lots.redraw(
        current,
        _review_to_draw(review, candidates, order[0], day),
        old.reviewer_id,
        reason=reason,
        seed=seed,
        rules=rules,
        candidates=list(candidates.values()),
        existing=_phase_assignments(draw.mechanism, draw.phase_number, exclude_draw=draw),
    )
    if not outcome.ok or outcome.redraw is None:
        raise _refusal(outcome.failures)
    new = [
        Assignment(
            draw=draw,
            review=review,
            reviewer_id=a.reviewer,
            slot=a.slot,
            instruments=list(a.instruments),
            additional=a.additional,
        )
        for a in outcome.redraw.assignments
    ]
    for assignment_row in new:
        assignment_row.save()
    redraw = Redraw.objects.create(
        draw=draw,
        replaced=old,
        new_assignment=new[0],
        reason=reason,
        requested_by=requested_by,
        actor=actor,
        at=at,
        seed=seed,
        pools=_pools_json(outcome.redraw.pools, {str(review.pk): review.state_id}),
    )
    for assignment_row in new:
        assignment_row.redraw = redraw
        assignment_row.save(update_fields=["redraw"])
    old.active, old.replaced_by = False, new[0]
    old.save(update_fields=["active", "replaced_by"])
    assignment.active, assignment.replaced_by = False, new[0]
    audit.record(
        "draw.redrawn",
        actor=actor,
        target=redraw,
        review_id=review.pk,
        state_code=review.state_id,
        data={
            "draw": draw.pk,
            "replaced": old.reviewer_id,
            "new": [a.reviewer_id for a in new],
            "slot": old.slot,
            "instruments": old.instruments,
            "reason": reason,
            "requested_by": requested_by.pk,
            "seed": seed,
        },
        at=at,
    )
    _emit("draw.redrawn", review=review, actor=actor, at=at)
    return redraw


def redraws_left(draw: Draw, review: CountryReview) -> int:
    """How many more redraws the rules of the draw allow for one of its reviews."""
    done = draw.redraws.filter(replaced__review=review).count()
    return max(0, draw.rules.get("max_redraws", 0) - done)


def export_draw(*, actor, draw: Draw, file_format: str, at: datetime.datetime | None = None):
    """The rows of a draw's export, in the reader's language: one per assignment, those replaced
    by a redraw included. The export is recorded in the audit trail."""
    _check_secretariat(actor)
    headers = [
        _("State under review"),
        _("Group for the draw of the State under review"),
        _("Slot"),
        _("Reviewing State"),
        _("Code of the reviewing State"),
        _("Group for the draw of the reviewing State"),
        _("Instruments"),
        _("Additional draw"),
        _("In force"),
        _("Replaced by"),
        _("Reason for the redraw"),
    ]
    assignments = draw.assignments.select_related(
        "review__state__regional_group",
        "review__state__draw_group",
        "reviewer__regional_group",
        "reviewer__draw_group",
        "replaced_by__reviewer",
        "redrawn_by",
    )
    rows = [
        [
            a.review.state.name,
            a.review.state.group_for_draw or "",
            a.get_slot_display(),
            a.reviewer.name,
            a.reviewer_id,
            a.reviewer.group_for_draw or "",
            ", ".join(a.instruments),
            a.additional,
            a.active,
            a.replaced_by.reviewer.name if a.replaced_by else "",
            getattr(getattr(a, "redrawn_by", None), "reason", ""),
        ]
        for a in sorted(assignments, key=Assignment.listing_key)
    ]
    audit.record(
        "draw.exported",
        actor=actor,
        target=draw,
        data={"format": file_format, "rows": len(rows)},
        at=at or timezone.now(),
    )
    return headers, rows
