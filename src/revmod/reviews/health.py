"""Nomination health: which States taking part in a review lack a focal point or experts, since
when and how late against the targets of the mechanism, how often their focal point changed, and
which focal points have shown no sign of life for too long.

Everything is counted by the database in a fixed number of queries, whatever the number of
reviews: a page of 189 reviews costs what a page of three does. The targets are the deadlines of
the mechanism's definition (the StepDeadline rows coded `focal_point` and `experts`, 2 and 4 weeks
for UNTOC) and `Mechanism.unresponsive_after_days`; this module holds none of their values.

A vacancy starts when the phase starts (the latest launched phase, or the group's first phase
before any launch) or, once someone held the role, the day the last of them left. Its target is
the deadline counted from that day, and never earlier than the phase's own due date, which an
extension may have moved.

A focal point is unresponsive when the latest of their nomination, their last audited action and
their last sign-in is more than `unresponsive_after_days` days ago.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from revmod.core.models import AuditEvent
from revmod.draws.models import Assignment
from revmod.mechanisms.models import StepDeadline
from revmod.parties.models import State
from revmod.people.models import FollowUpAction, Nomination
from revmod.reviews.models import CountryReview, DueDate, ReviewPhase

# The codes naming the nomination targets in a mechanism definition (their values are data).
FOCAL_POINT_DEADLINE = "focal_point"
EXPERTS_DEADLINE = "experts"

Role = Nomination.Role


class Problem(models.TextChoices):
    MISSING_FOCAL_POINT = "missing_focal_point", _("No focal point")
    MISSING_EXPERTS = "missing_experts", _("No governmental experts")
    FOCAL_POINT_CHANGED = "focal_point_changed", _("Focal point replaced")
    UNRESPONSIVE_FOCAL_POINT = "unresponsive_focal_point", _("Unresponsive focal point")


@dataclass(frozen=True)
class Vacancy:
    """A role nobody holds: since when, the target it is measured against, and how late."""

    since: datetime.date
    due_on: datetime.date | None  # None when the mechanism sets no target for this role
    today: datetime.date

    @property
    def overdue_days(self) -> int:
        if self.due_on is None:
            return 0
        return max((self.today - self.due_on).days, 0)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True)
class Silence:
    """How long a current focal point has shown no activity."""

    since: datetime.date  # the later of the nomination and the last activity
    last_activity: datetime.datetime | None
    days: int
    limit_days: int

    @property
    def is_unresponsive(self) -> bool:
        return self.days > self.limit_days


@dataclass
class StateHealth:
    """The nominations of one State in one review."""

    review: CountryReview
    state: State
    under_review: bool
    focal_point: Nomination | None
    missing_focal_point: Vacancy | None
    missing_experts: Vacancy | None
    focal_point_changes: int
    silence: Silence | None
    follow_ups: list[FollowUpAction] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        found: list[str] = []
        if self.missing_focal_point:
            found.append(Problem.MISSING_FOCAL_POINT)
        if self.missing_experts:
            found.append(Problem.MISSING_EXPERTS)
        if self.focal_point_changes:
            found.append(Problem.FOCAL_POINT_CHANGED)
        if self.unresponsive:
            found.append(Problem.UNRESPONSIVE_FOCAL_POINT)
        return found

    @property
    def problem_labels(self) -> list[str]:
        return [str(Problem(problem).label) for problem in self.problems]

    @property
    def unresponsive(self) -> bool:
        return self.silence is not None and self.silence.is_unresponsive

    @property
    def overdue_days(self) -> int:
        """The longest delay among the vacancies of this State."""
        vacancies = [v for v in (self.missing_focal_point, self.missing_experts) if v]
        return max((vacancy.overdue_days for vacancy in vacancies), default=0)

    @property
    def latest_follow_up(self) -> FollowUpAction | None:
        return self.follow_ups[0] if self.follow_ups else None


def states_taking_part(reviews: Iterable[CountryReview]) -> dict[int, list[State]]:
    """For each review: the State under review first, then the reviewing States (drawn by lot, or
    holding a nomination in the review), by name. Three queries for any number of reviews."""
    reviews = list(reviews)
    ids = [review.pk for review in reviews]
    codes: dict[int, set[str]] = defaultdict(set)
    nominated = Nomination.objects.filter(review_id__in=ids).values_list("review_id", "state_id")
    drawn = Assignment.objects.in_force().filter(review_id__in=ids)
    for review_id, code in [*nominated.distinct(), *drawn.values_list("review_id", "reviewer_id")]:
        codes[review_id].add(code)
    wanted = set().union(*codes.values()) - {review.state_id for review in reviews}
    states = State.objects.select_related("regional_group").in_bulk(wanted)
    taking_part = {}
    for review in reviews:
        reviewers = [states[code] for code in codes[review.pk] if code != review.state_id]
        taking_part[review.pk] = [review.state, *sorted(reviewers, key=lambda s: s.name)]
    return taking_part


def _with_current_phase(reviews):
    latest = ReviewPhase.objects.filter(review=OuterRef("pk"), launched_at__isnull=False)
    latest = latest.order_by("-definition__number")
    return reviews.select_related("state__regional_group", "group__mechanism").annotate(
        health_phase_id=Subquery(latest.values("pk")[:1]),
        health_phase_starts_on=Subquery(latest.values("starts_on")[:1]),
    )


def _deadlines(mechanism_ids) -> dict[tuple[int, str], StepDeadline]:
    """The nomination targets of each mechanism; the earliest step's wins if two steps share a
    code."""
    rows = StepDeadline.objects.filter(
        step__mechanism_id__in=mechanism_ids, code__in=[FOCAL_POINT_DEADLINE, EXPERTS_DEADLINE]
    ).select_related("step")
    found: dict[tuple[int, str], StepDeadline] = {}
    for deadline in rows.order_by("-step__order"):
        found[deadline.step.mechanism_id, deadline.code] = deadline
    return found


def _phase_due_dates(phase_ids) -> dict[tuple[int, str], datetime.date | None]:
    rows = DueDate.objects.filter(
        step__phase_id__in=phase_ids,
        deadline__code__in=[FOCAL_POINT_DEADLINE, EXPERTS_DEADLINE],
        due_on__isnull=False,
    ).values_list("step__phase_id", "deadline__code", "due_on")
    return {(phase_id, code): due_on for phase_id, code, due_on in rows}


def _nomination_counts(ids) -> dict[tuple[int, str], dict]:
    current = Q(ends_on__isnull=True)
    rows = (
        Nomination.objects.filter(review_id__in=ids)
        .values("review_id", "state_id")
        .annotate(
            focal_points=Count("pk", filter=current & Q(role=Role.FOCAL_POINT)),
            experts=Count("pk", filter=current & Q(role=Role.EXPERT)),
            focal_point_left_on=Max("ends_on", filter=Q(role=Role.FOCAL_POINT)),
            experts_left_on=Max("ends_on", filter=Q(role=Role.EXPERT)),
            changes=Count("pk", filter=Q(role=Role.FOCAL_POINT, end_reason=Nomination.REPLACED)),
        )
        .order_by()
    )
    return {(row["review_id"], row["state_id"]): dict(row) for row in rows}


def _current_focal_points(ids) -> dict[tuple[int, str], Nomination]:
    last_action = AuditEvent.objects.filter(actor=OuterRef("person_id")).order_by("-occurred_at")
    focal_points = (
        Nomination.objects.current()
        .filter(review_id__in=ids, role=Role.FOCAL_POINT)
        .select_related("person")
        .annotate(last_action_at=Subquery(last_action.values("occurred_at")[:1]))
    )
    return {(n.review_id, n.state_id): n for n in focal_points}


def _follow_ups(ids) -> dict[tuple[int, str], list[FollowUpAction]]:
    found: dict[tuple[int, str], list[FollowUpAction]] = defaultdict(list)
    rows = FollowUpAction.objects.filter(review_id__in=ids).select_related("recorded_by")
    for follow_up in rows.order_by("-contacted_on", "-id"):
        found[follow_up.review_id, follow_up.state_id].append(follow_up)
    return found


def _silence(nomination: Nomination, limit_days: int, today: datetime.date) -> Silence:
    moments = [nomination.person.last_login, getattr(nomination, "last_action_at", None)]
    last_activity = max((moment for moment in moments if moment), default=None)
    since = nomination.starts_on
    if last_activity is not None:
        since = max(since, timezone.localdate(last_activity))
    return Silence(
        since=since,
        last_activity=last_activity,
        days=max((today - since).days, 0),
        limit_days=limit_days,
    )


def nomination_health(reviews=None, *, today: datetime.date | None = None) -> list[StateHealth]:
    """The health of every State taking part in each open review of `reviews` (default: all),
    in the reviews' order, the State under review first."""
    queryset = CountryReview.objects.all() if reviews is None else reviews
    return _health(queryset.filter(closed_at__isnull=True), today or timezone.localdate())


def review_health(
    review: CountryReview, *, today: datetime.date | None = None
) -> list[StateHealth]:
    """The panel of one review page: the health of each State taking part in it."""
    return _health(CountryReview.objects.filter(pk=review.pk), today or timezone.localdate())


def _health(reviews, today: datetime.date) -> list[StateHealth]:
    rows = list(_with_current_phase(reviews))
    ids = [review.pk for review in rows]
    deadlines = _deadlines({review.mechanism_id for review in rows})
    phase_due = _phase_due_dates([r.health_phase_id for r in rows if r.health_phase_id])
    counts = _nomination_counts(ids)
    focal_points = _current_focal_points(ids)
    follow_ups = _follow_ups(ids)
    taking_part = states_taking_part(rows)

    def vacancy(review, left_on, code) -> Vacancy:
        phase_start = review.health_phase_starts_on or review.group.phase_starts_on(1)
        since = left_on or phase_start
        deadline = deadlines.get((review.mechanism_id, code))
        due_on = deadline.due_on(since) if deadline else None
        extended = phase_due.get((review.health_phase_id, code))
        if due_on and extended:
            due_on = max(due_on, extended)
        return Vacancy(since=since, due_on=due_on, today=today)

    result = []
    for review in rows:
        mechanism = review.group.mechanism
        for state in taking_part[review.pk]:
            key = (review.pk, state.pk)
            count = counts.get(key, {})
            focal_point = focal_points.get(key)
            result.append(
                StateHealth(
                    review=review,
                    state=state,
                    under_review=state.pk == review.state_id,
                    focal_point=focal_point,
                    missing_focal_point=None
                    if count.get("focal_points")
                    else vacancy(review, count.get("focal_point_left_on"), FOCAL_POINT_DEADLINE),
                    missing_experts=None
                    if count.get("experts")
                    else vacancy(review, count.get("experts_left_on"), EXPERTS_DEADLINE),
                    focal_point_changes=count.get("changes", 0),
                    silence=_silence(focal_point, mechanism.unresponsive_after_days, today)
                    if focal_point
                    else None,
                    follow_ups=follow_ups.get(key, []),
                )
            )
    return result


def filter_health(
    rows: Iterable[StateHealth],
    *,
    regional_group: str = "",
    problem: str = "",
    overdue_by: int | None = None,
    with_problems_only: bool = True,
) -> list[StateHealth]:
    """The rows a secretariat list shows: those with a problem (of the kind asked for), of a
    State of the regional group asked for, late by at least `overdue_by` days."""
    kept = []
    for row in rows:
        if with_problems_only and not row.problems:
            continue
        if problem and problem not in row.problems:
            continue
        if regional_group and row.state.regional_group_id != regional_group:
            continue
        if overdue_by is not None and row.overdue_days < overdue_by:
            continue
        kept.append(row)
    return kept
