"""Read-side queries of the secretariat screens: the review list with each review's current step
and its next due date computed in the database, so that a page of any length costs the same few
queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from modeltranslation.utils import build_localized_fieldname, get_language

from revmod.mechanisms.models import StepDefinition
from revmod.people.models import Nomination
from revmod.reviews.models import CountryReview, DueDate, ReviewStep

Role = Nomination.Role


def _current_nomination(role: str):
    """A current nomination of `role` for the State under review of the outer review."""
    return Nomination.objects.current().filter(
        review=OuterRef("pk"), state=OuterRef("state"), role=role
    )


def review_list(user):
    """The reviews `user` may see, as the list shows them (see `annotate_reviews`), without
    ranking: by group, then by the name of the State in the reader's language."""
    return (
        annotate_reviews(CountryReview.objects.visible_to(user))
        .select_related(
            "state__regional_group", "state__draw_group", "group", "mechanism", "officer"
        )
        .prefetch_related("working_languages")
        .order_by("mechanism__code", "group__number", "state_name", "pk")
    )


def annotate_reviews(reviews):
    """Annotate what the list shows and filters on:

    - `current_phase_number`, `progress` (CountryReview.with_progress);
    - `current_step_id`, `current_step_definition_id`, `current_step_status`: the first step of
      the current phase that is not finished, or its last step once every step is finished;
    - `next_due_on`: the earliest set due date of the current step while it is not finished;
    - `has_focal_point`, `has_experts`: current nominations for the State under review;
    - `state_name`: the name of the State in the reader's language.
    """
    steps = ReviewStep.objects.filter(
        phase__review=OuterRef("pk"), phase__definition__number=OuterRef("current_phase_number")
    )
    unfinished = steps.exclude(status__in=ReviewStep.FINISHED).order_by("definition__order")
    last = steps.order_by("-definition__order")
    current_step_id = Coalesce(
        Subquery(unfinished.values("pk")[:1]), Subquery(last.values("pk")[:1])
    )
    # No ordering: the default one joins the review's tables, which would shadow the outer ones.
    current = ReviewStep.objects.filter(pk=OuterRef("current_step_id")).order_by()
    due_dates = DueDate.objects.filter(
        step=OuterRef("current_step_id"), due_on__isnull=False
    ).exclude(step__status__in=ReviewStep.FINISHED)
    return (
        reviews.with_progress()
        .annotate(current_step_id=current_step_id)
        .annotate(
            current_step_definition_id=Subquery(current.values("definition_id")[:1]),
            current_step_status=Subquery(current.values("status")[:1]),
            next_due_on=Subquery(due_dates.order_by("due_on").values("due_on")[:1]),
            has_focal_point=Exists(_current_nomination(Role.FOCAL_POINT)),
            has_experts=Exists(_current_nomination(Role.EXPERT)),
            state_name=_localized("state__name"),
        )
    )


def _localized(path: str):
    """A translated field in the reader's language, falling back to the source text."""
    field = build_localized_fieldname(path, get_language())
    return Coalesce(NullIf(F(field), Value("")), F(path))


@dataclass(frozen=True)
class ReviewFilters:
    mechanism: int | None = None
    group: int | None = None
    regional_group: str | None = None
    step: int | None = None
    progress: str = ""
    step_status: str = ""
    overdue_days: int | None = None
    language: str | None = None
    missing: str = ""
    officer: str = ""


MISSING_FOCAL_POINT = "focal_point"
MISSING_EXPERTS = "experts"
OFFICER_ME = "me"
OFFICER_NOBODY = "nobody"


def filter_reviews(reviews, filters: ReviewFilters, today: datetime.date, user=None):
    """Apply the list's filters to `review_list()`; `today` decides what is overdue and `user`
    who "me" is."""
    if filters.mechanism:
        reviews = reviews.filter(mechanism_id=filters.mechanism)
    if filters.group:
        reviews = reviews.filter(group__number=filters.group)
    if filters.regional_group:
        # A party in no regional group (the European Union) counts in its group for the draw.
        reviews = reviews.filter(
            Q(state__regional_group_id=filters.regional_group)
            | Q(state__regional_group__isnull=True, state__draw_group_id=filters.regional_group)
        )
    if filters.step:
        reviews = reviews.filter(current_step_definition_id=filters.step)
    if filters.progress:
        reviews = reviews.filter(progress=filters.progress)
    if filters.step_status:
        reviews = reviews.filter(current_step_status=filters.step_status)
    if filters.overdue_days is not None:
        latest = today - datetime.timedelta(days=max(filters.overdue_days, 1))
        reviews = reviews.filter(next_due_on__lte=latest, closed_at__isnull=True)
    if filters.language:
        reviews = reviews.filter(working_languages=filters.language)
    if filters.missing == MISSING_FOCAL_POINT:
        reviews = reviews.filter(has_focal_point=False, closed_at__isnull=True)
    elif filters.missing == MISSING_EXPERTS:
        reviews = reviews.filter(has_experts=False, closed_at__isnull=True)
    if filters.officer == OFFICER_ME:
        reviews = reviews.filter(officer=user)
    elif filters.officer == OFFICER_NOBODY:
        reviews = reviews.filter(officer__isnull=True)
    return reviews


def step_definitions(reviews) -> dict[int, StepDefinition]:
    """The step definitions of the reviews' current steps, read once (names in the reader's
    language come from the rows, not from the list's query)."""
    ids = {review.current_step_definition_id for review in reviews}
    return StepDefinition.objects.in_bulk(ids - {None})


def overdue_days(review, today: datetime.date) -> int:
    """By how many days the current step's next due date has passed (0 when not overdue)."""
    if review.next_due_on is None or review.closed_at is not None:
        return 0
    return max((today - review.next_due_on).days, 0)
