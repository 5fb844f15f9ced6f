"""Who may move a review step, and when.

Each action has two verdicts: the role (wrong person: the service raises NotAllowed) and the
status (impossible transition: the service raises DomainError). `can_*` combines both for the
pages, which show the first refusal as the reason a button is disabled; the domain functions in
`revmod.reviews.services` ask the same functions through `enforce`, so pages and services agree.

Roles are read from the nominations in force on the day of the action (`day`, default today), so
a history built in the past is checked against who held which role then.
"""

import datetime

import rules
from django.utils import timezone
from django.utils.translation import gettext as _

from revmod.core.domain import ALLOWED, DomainError, Verdict, denied
from revmod.people.models import Nomination
from revmod.people.rules import is_secretariat
from revmod.reviews.models import CountryReview, DueDate, ReviewStep

STATE_UNDER_REVIEW = "state_under_review"
REVIEWING_STATES = "reviewing_states"
SECRETARIAT = "secretariat"

# Whose output a step cleared by a focal point is, by step code. This belongs in the mechanism
# definition (a `submitted_by` field of StepDefinition, filled by the loader); until the field
# exists, this is the one place that knows it. Other cleared steps belong to the State under
# review.
_OUTPUT_OWNER_BY_CODE = {
    "self_assessment": STATE_UNDER_REVIEW,
    "written_feedback": REVIEWING_STATES,
    "list_of_observations": REVIEWING_STATES,
}

Role = Nomination.Role
Status = ReviewStep.Status


def output_owner(step_definition) -> str:
    """Who submits a step's output: the State under review, the reviewing States (any State
    with a nomination in the review other than the State under review) or the secretariat."""
    declared = getattr(step_definition, "submitted_by", "")
    if declared:
        return declared
    if not step_definition.cleared_by_focal_point:
        return SECRETARIAT
    return _OUTPUT_OWNER_BY_CODE.get(step_definition.code, STATE_UNDER_REVIEW)


def acting_state_code(user, step: ReviewStep, roles, day: datetime.date | None = None) -> str:
    """The State that owns the step's output and for which `user` holds one of `roles` in the
    review on `day`; empty when there is none."""
    owner = output_owner(step.definition)
    if owner == SECRETARIAT or not getattr(user, "is_authenticated", False):
        return ""
    review = step.phase.review
    nominations = Nomination.objects.active_on(day or timezone.localdate()).filter(
        person=user, review=review, role__in=roles
    )
    if owner == STATE_UNDER_REVIEW:
        nominations = nominations.filter(state_id=review.state_id)
    else:
        nominations = nominations.exclude(state_id=review.state_id)
    return nominations.order_by("state_id").values_list("state_id", flat=True).first() or ""


def enforce(role: Verdict, status: Verdict) -> None:
    """Refuse with NotAllowed for the wrong person, then with DomainError for the wrong moment."""
    role.check()
    if not status:
        raise DomainError(status.reason)


def _first_refusal(role: Verdict, status: Verdict) -> Verdict:
    return role if not role else status


# --- Status verdicts --------------------------------------------------------------------------


def _status_refusal(step: ReviewStep) -> Verdict:
    if step.phase.review.closed_at is not None:
        return denied(_("This review is closed; the secretariat can reopen it."))
    messages = {
        Status.PENDING: _("This step is not open yet."),
        Status.OPEN: _("This step is open: the draft is with the experts."),
        Status.AWAITING_CLEARANCE: _("This step is awaiting clearance by the focal point."),
        Status.COMPLETED: _(
            "This step is already completed; the secretariat can reopen it with a reason."
        ),
        Status.SKIPPED: _("This step was skipped."),
    }
    return denied(messages[Status(step.status)])


def _status_in(step: ReviewStep, *statuses: str) -> Verdict:
    if step.phase.review.closed_at is None and step.status in statuses:
        return ALLOWED
    return _status_refusal(step)


def status_to_open(step: ReviewStep) -> Verdict:
    if step.definition.counts_as_completed:
        return denied(_("This step is reached by itself once every step before it is finished."))
    return _status_in(step, Status.PENDING)


def status_to_submit(step: ReviewStep) -> Verdict:
    return _status_in(step, Status.OPEN)


def status_to_clear(step: ReviewStep) -> Verdict:
    return _status_in(step, Status.OPEN, Status.AWAITING_CLEARANCE)


def status_to_return(step: ReviewStep) -> Verdict:
    return _status_in(step, Status.AWAITING_CLEARANCE)


def status_to_complete(step: ReviewStep) -> Verdict:
    return _status_in(step, Status.OPEN)


def status_to_skip(step: ReviewStep) -> Verdict:
    if not step.definition.optional:
        return denied(_("Only an optional step can be skipped."))
    return _status_in(step, Status.PENDING, Status.OPEN)


def status_to_reopen(step: ReviewStep) -> Verdict:
    if step.definition.counts_as_completed:
        return denied(_("This step marks the end of the review; reopen the step before it."))
    return _status_in(step, Status.COMPLETED)


def status_to_extend(due_date: DueDate) -> Verdict:
    step = due_date.step
    if step.phase.review.closed_at is not None:
        return _status_refusal(step)
    if step.is_finished:
        return denied(_("This step is already finished; its due dates can no longer move."))
    if due_date.due_on is None:
        return denied(_("This due date is not set yet: it is counted from a step not reached."))
    return ALLOWED


# --- Role verdicts ----------------------------------------------------------------------------


def _secretariat(user, reason) -> Verdict:
    return ALLOWED if is_secretariat(user) else denied(reason)


def _owner_refusal(step: ReviewStep, state_reason: str, reviewers_reason: str) -> Verdict:
    owner = output_owner(step.definition)
    if owner == SECRETARIAT:
        return denied(_("The secretariat completes this step; it has no clearance."))
    if owner == STATE_UNDER_REVIEW:
        return denied(state_reason % {"state": step.phase.review.state})
    return denied(reviewers_reason)


def role_to_submit(user, step: ReviewStep, day=None) -> Verdict:
    if acting_state_code(user, step, [Role.EXPERT, Role.FOCAL_POINT], day):
        return ALLOWED
    return _owner_refusal(
        step,
        _(
            "Only the governmental experts or the focal point of %(state)s can submit this "
            "draft for clearance."
        ),
        _(
            "Only the governmental experts or the focal point of a reviewing State can submit "
            "this draft for clearance."
        ),
    )


def _clear_refusal(step: ReviewStep) -> Verdict:
    return _owner_refusal(
        step,
        _("Only the focal point of %(state)s can clear this submission."),
        _("Only the focal point of a reviewing State can clear this submission."),
    )


def role_to_clear(user, step: ReviewStep, day=None) -> Verdict:
    if acting_state_code(user, step, [Role.FOCAL_POINT], day):
        return ALLOWED
    return _clear_refusal(step)


def role_to_return(user, step: ReviewStep, day=None) -> Verdict:
    if acting_state_code(user, step, [Role.FOCAL_POINT], day):
        return ALLOWED
    return _owner_refusal(
        step,
        _("Only the focal point of %(state)s can return this draft to the experts."),
        _("Only the focal point of a reviewing State can return this draft to the experts."),
    )


def role_to_complete(user, step: ReviewStep) -> Verdict:
    if output_owner(step.definition) != SECRETARIAT:
        # The secretariat never clears a State's submission in its place.
        return _clear_refusal(step)
    return _secretariat(user, _("Only the secretariat can complete this step."))


def role_to_open(user) -> Verdict:
    return _secretariat(user, _("Only the secretariat can open a step."))


def role_to_skip(user) -> Verdict:
    return _secretariat(user, _("Only the secretariat can skip a step."))


def role_to_reopen(user) -> Verdict:
    return _secretariat(user, _("Only the secretariat can reopen a step."))


def role_to_extend(user) -> Verdict:
    return _secretariat(user, _("Only the secretariat can grant extensions."))


def role_to_launch(user) -> Verdict:
    return _secretariat(user, _("Only the secretariat can launch a phase."))


def role_to_close(user) -> Verdict:
    return _secretariat(user, _("Only the secretariat can close or reopen a review."))


# --- What the pages ask -----------------------------------------------------------------------


def can_open(user, step: ReviewStep) -> Verdict:
    return _first_refusal(role_to_open(user), status_to_open(step))


def can_submit_for_clearance(user, step: ReviewStep) -> Verdict:
    return _first_refusal(role_to_submit(user, step), status_to_submit(step))


def can_clear(user, step: ReviewStep) -> Verdict:
    return _first_refusal(role_to_clear(user, step), status_to_clear(step))


def can_return_to_experts(user, step: ReviewStep) -> Verdict:
    return _first_refusal(role_to_return(user, step), status_to_return(step))


def can_complete(user, step: ReviewStep) -> Verdict:
    return _first_refusal(role_to_complete(user, step), status_to_complete(step))


def can_skip(user, step: ReviewStep) -> Verdict:
    return _first_refusal(role_to_skip(user), status_to_skip(step))


def can_reopen(user, step: ReviewStep) -> Verdict:
    return _first_refusal(role_to_reopen(user), status_to_reopen(step))


def can_extend(user, due_date: DueDate) -> Verdict:
    return _first_refusal(role_to_extend(user), status_to_extend(due_date))


def can_close(user, review: CountryReview) -> Verdict:
    if review.closed_at is not None:
        return _first_refusal(role_to_close(user), denied(_("This review is already closed.")))
    return role_to_close(user)


# The admin shows the reviews app to the secretariat; writes there still go through the services.
rules.add_perm("reviews", is_secretariat)
for model_name in ["countryreview", "reviewphase", "reviewstep", "steptransition", "duedate"]:
    rules.add_perm(f"reviews.view_{model_name}", is_secretariat)
rules.add_perm("reviews.view_extension", is_secretariat)
