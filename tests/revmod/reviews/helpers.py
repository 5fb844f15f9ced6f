"""The people of one review and the moments they act at, shared by the tests of reviews."""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone

from factories import (
    CountryReviewFactory,
    NominationFactory,
    SecretariatFactory,
    StateFactory,
    UserFactory,
)
from revmod.core.models import AuditEvent
from revmod.mechanisms.models import Mechanism
from revmod.parties.models import State
from revmod.people.models import Nomination, User
from revmod.reviews.models import (
    CountryReview,
    DueDate,
    Extension,
    ReviewPhase,
    ReviewStep,
    StepTransition,
)

WRITTEN_MODELS = [CountryReview, ReviewPhase, ReviewStep, StepTransition, DueDate, Extension]


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A time of action on a given day, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass
class Cast:
    """Everyone who acts in one review: the State under review, two reviewing States, an
    observer, the secretariat and an official who takes no part."""

    review: CountryReview
    secretariat: User
    state: State
    focal_point: User
    expert: User
    observer: User
    reviewer: State
    reviewer_focal_point: User
    reviewer_expert: User
    second_reviewer: State
    second_reviewer_focal_point: User
    outsider: User


def _nominate(review, state, role, starts_on) -> User:
    person = UserFactory(state=state)
    NominationFactory(person=person, review=review, role=role, starts_on=starts_on)
    return person


def make_cast(mechanism: Mechanism, group_number: int = 1) -> Cast:
    group = mechanism.groups.get(number=group_number)
    review = CountryReviewFactory(
        group=group,
        state=StateFactory(name="Ghana"),
        created_at=moment(group.starts_on - datetime.timedelta(days=30)),
    )
    starts_on = group.starts_on
    state, reviewer, second = review.state, StateFactory(name="France"), StateFactory(name="Peru")
    Role = Nomination.Role
    return Cast(
        review=review,
        secretariat=SecretariatFactory(),
        state=state,
        focal_point=_nominate(review, state, Role.FOCAL_POINT, starts_on),
        expert=_nominate(review, state, Role.EXPERT, starts_on),
        observer=_nominate(review, state, Role.OBSERVER, starts_on),
        reviewer=reviewer,
        reviewer_focal_point=_nominate(review, reviewer, Role.FOCAL_POINT, starts_on),
        reviewer_expert=_nominate(review, reviewer, Role.EXPERT, starts_on),
        second_reviewer=second,
        second_reviewer_focal_point=_nominate(review, second, Role.FOCAL_POINT, starts_on),
        outsider=UserFactory(),
    )


def footprint() -> dict[str, list[dict]]:
    """Every row a review action may write, to prove that a refused action wrote nothing."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in WRITTEN_MODELS}
    rows["AuditEvent"] = list(AuditEvent.objects.order_by("pk").values())
    return rows


def assert_refused(error, message: str, action, **kwargs) -> None:
    """`action(**kwargs)` raises `error` whose text contains `message`, and writes nothing."""
    before = footprint()
    with pytest.raises(error, match=re.escape(message)):
        action(**kwargs)
    assert footprint() == before


def step(review: CountryReview, code: str, phase_number: int = 1) -> ReviewStep:
    return ReviewStep.objects.select_related("definition", "phase").get(
        phase__review=review, phase__definition__number=phase_number, definition__code=code
    )


def trail(review: CountryReview) -> list[tuple[str, str | None]]:
    """The review's audit trail as (action, step code) pairs, in order."""
    return [
        (event.action, event.data.get("step"))
        for event in AuditEvent.objects.for_review(review.pk).order_by("occurred_at", "pk")
    ]


def assign_reviewers(review: CountryReview, *reviewers: State, phase_number: int = 1):
    """A confirmed draw that makes `reviewers` the reviewing States of the review. Written
    directly: these tests are about the steps, not about drawing lots (tests/revmod/draws)."""
    from revmod.draws.models import Assignment, Draw

    secretariat = SecretariatFactory()
    draw = Draw.objects.create(
        mechanism=review.mechanism,
        group=review.group,
        phase_number=phase_number,
        seed=1,
        parties_on=review.group.starts_on,
        status=Draw.Status.CONFIRMED,
        created_by=secretariat,
        created_at=timezone.now(),
        confirmed_by=secretariat,
        confirmed_at=timezone.now(),
    )
    for reviewer in reviewers:
        Assignment.objects.create(
            draw=draw, review=review, reviewer=reviewer, slot="same_group", instruments=["UNTOC"]
        )
    return draw
