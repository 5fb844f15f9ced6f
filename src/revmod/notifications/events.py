"""The catalogue of what revmod tells people: each event, its label, whether the mechanism makes
it mandatory, the sentence that summarises it and who receives it.

Recipients are always people who may see the review: current nominations in it and the
secretariat officer who follows it. `services.notify` checks this again before writing.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from revmod.draws.services import has_confirmed_draw, reviewing_states
from revmod.mechanisms.models import StepDefinition
from revmod.parties.models import State
from revmod.people.models import Nomination

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from revmod.reviews.models import CountryReview, ReviewStep

Role = Nomination.Role
DRAFTERS = (Role.FOCAL_POINT, Role.EXPERT)


@dataclass
class Occasion:
    """What happened: the review, the step (if any) and who did it."""

    review: "CountryReview"
    actor: Any = None
    step: "ReviewStep | None" = None
    phase_number: int | None = None
    due_on: datetime.date | None = None
    # The States whose people act on the step; computed when not given.
    states: set[str] | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EventType:
    code: str
    label: "StrOrPromise"
    summary: "StrOrPromise"
    recipients: Callable[[Occasion], set[int]]
    # Mandatory events cannot be turned off nor put in a digest: they are emailed at once.
    mandatory: bool = False


# --- Who is concerned ---------------------------------------------------------------------------


def people(review, *, states: Iterable[str] | None = None, roles=None) -> set[int]:
    nominations = Nomination.objects.current().filter(review=review)
    if states is not None:
        nominations = nominations.filter(state_id__in=list(states))
    if roles is not None:
        nominations = nominations.filter(role__in=roles)
    return set(nominations.values_list("person_id", flat=True))


def officer(review) -> set[int]:
    return {review.officer_id} if review.officer_id else set()


def owner_states(review, step) -> set[str]:
    """The States whose experts draft the step and whose focal point clears it."""
    owner = step.definition.submitted_by
    if owner == StepDefinition.SubmittedBy.STATE_UNDER_REVIEW:
        return {review.state_id}
    if owner == StepDefinition.SubmittedBy.REVIEWING_STATES:
        number = step.phase.definition.number
        if has_confirmed_draw(review, number):
            return set(reviewing_states(review, number).values_list("code", flat=True))
        nominated = Nomination.objects.current().filter(review=review)
        return set(nominated.exclude(state_id=review.state_id).values_list("state_id", flat=True))
    return set()


def acting_states(occasion: Occasion) -> set[str]:
    """The owning States the actor acts for; all owning States when the actor holds no role in
    them (the secretariat acting on their behalf)."""
    assert occasion.step is not None
    owners = owner_states(occasion.review, occasion.step)
    mine = set(
        Nomination.objects.current()
        .filter(review=occasion.review, person_id=getattr(occasion.actor, "pk", None))
        .values_list("state_id", flat=True)
    )
    return (owners & mine) or owners


def _states(occasion: Occasion) -> set[str]:
    if occasion.states is not None:
        return occasion.states
    return acting_states(occasion)


def _everyone(occasion: Occasion) -> set[int]:
    return people(occasion.review) | officer(occasion.review)


def _drafters_of_step(occasion: Occasion) -> set[int]:
    assert occasion.step is not None
    states = owner_states(occasion.review, occasion.step)
    if not states:
        # A step of the secretariat: the focal points of every State in the review follow it.
        return people(occasion.review, roles=[Role.FOCAL_POINT]) | officer(occasion.review)
    return people(occasion.review, states=states, roles=DRAFTERS)


def _focal_points_acting(occasion: Occasion) -> set[int]:
    return people(occasion.review, states=_states(occasion), roles=[Role.FOCAL_POINT])


def _cleared(occasion: Occasion) -> set[int]:
    states = _states(occasion)
    return people(occasion.review, states=states, roles=DRAFTERS) | officer(occasion.review)


def _returned(occasion: Occasion) -> set[int]:
    return people(occasion.review, states=_states(occasion), roles=[Role.EXPERT])


def _extended(occasion: Occasion) -> set[int]:
    return _drafters_of_step(occasion) | officer(occasion.review)


def _given(occasion: Occasion) -> set[int]:
    # Reminders: the scheduler names the recipients itself.
    return set(occasion.extra.get("recipients", ()))


EVENTS: dict[str, EventType] = {
    event.code: event
    for event in [
        EventType(
            "phase_launched",
            _("A phase of a review is launched"),
            _("Phase %(phase)s of the review of %(state)s is launched."),
            _everyone,
        ),
        EventType(
            "reviewers_drawn",
            _("Reviewing States are drawn"),
            _("The reviewing States of the review of %(state)s are drawn."),
            _everyone,
        ),
        EventType(
            "step_opened",
            _("A step opens"),
            _("The step “%(step)s” of the review of %(state)s is open."),
            _drafters_of_step,
        ),
        EventType(
            "submitted_for_clearance",
            _("A draft awaits clearance by the focal point"),
            _("A draft of “%(step)s” (review of %(state)s) awaits clearance by the focal point."),
            _focal_points_acting,
        ),
        EventType(
            "cleared",
            _("A step is cleared and submitted"),
            _("“%(step)s” of the review of %(state)s is cleared and submitted."),
            _cleared,
        ),
        EventType(
            "returned",
            _("A draft is returned to the experts"),
            _("The draft of “%(step)s” (review of %(state)s) is returned to the experts."),
            _returned,
        ),
        EventType(
            "extension_granted",
            _("A due date is extended"),
            _("“%(step)s” of the review of %(state)s is now due on %(due_on)s."),
            _extended,
        ),
        EventType(
            "due_soon",
            _("A due date is near"),
            _("“%(step)s” of the review of %(state)s is due on %(due_on)s."),
            _given,
            mandatory=True,
        ),
        EventType(
            "overdue",
            _("A due date has come or passed"),
            _("“%(step)s” of the review of %(state)s was due on %(due_on)s and is not finished."),
            _given,
            mandatory=True,
        ),
        EventType(
            "escalation",
            _("Reminders were not answered"),
            _(
                "“%(step)s” of the review of %(state)s, due on %(due_on)s, is still not "
                "finished after several reminders: please follow up."
            ),
            _given,
            mandatory=True,
        ),
    ]
}

# The `review_event` names the domain functions send (revmod.reviews.services and
# revmod.draws.services), and the event each one is told as.
SIGNAL_EVENTS = {
    "review.phase_launched": "phase_launched",
    "draw.reviewers_assigned": "reviewers_drawn",
    "draw.redrawn": "reviewers_drawn",
    "review.step_opened": "step_opened",
    "review.step_reopened": "step_opened",
    "review.step_submitted_for_clearance": "submitted_for_clearance",
    "review.submission_submitted_for_clearance": "submitted_for_clearance",
    "review.step_cleared": "cleared",
    "review.submission_cleared": "cleared",
    "review.step_returned_to_experts": "returned",
    "review.submission_returned_to_experts": "returned",
    "review.due_date_extended": "extension_granted",
}


# --- Writing the summary in the reader's language -------------------------------------------------


def summaries(notifications) -> list[str]:
    """The summary of each notification in the active language, with the names of States and
    steps read in bulk (one query each)."""
    notifications = list(notifications)
    codes = {n.params.get("state") for n in notifications} - {None}
    step_ids = {n.params.get("step") for n in notifications} - {None}
    states = {state.code: state.name for state in State.objects.filter(code__in=codes)}
    steps = {step.pk: step.name for step in StepDefinition.objects.filter(pk__in=step_ids)}
    return [summary(n, states=states, steps=steps) for n in notifications]


def summary(notification, *, states=None, steps=None) -> str:
    if states is None or steps is None:
        return summaries([notification])[0]
    params = notification.params
    event = EVENTS.get(notification.event)
    if event is None:
        return notification.event
    due_on = params.get("due_on")
    values = {
        "state": states.get(params.get("state"), params.get("state") or ""),
        "step": steps.get(params.get("step"), ""),
        "phase": params.get("phase", ""),
        "due_on": date_format(datetime.date.fromisoformat(due_on)) if due_on else "",
    }
    return str(event.summary) % values
