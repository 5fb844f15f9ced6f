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
from revmod.draws.services import has_confirmed_draw, reviewing_states
from revmod.mechanisms.models import StepDefinition
from revmod.parties.models import State
from revmod.people.models import Nomination
from revmod.people.rules import is_secretariat
from revmod.reviews.models import CountryReview, DueDate, ReviewStep, StepSubmission

STATE_UNDER_REVIEW = StepDefinition.SubmittedBy.STATE_UNDER_REVIEW
REVIEWING_STATES = StepDefinition.SubmittedBy.REVIEWING_STATES
SECRETARIAT = StepDefinition.SubmittedBy.SECRETARIAT

Role = Nomination.Role
Status = ReviewStep.Status
SubmissionStatus = StepSubmission.Status


def output_owner(step_definition) -> str:
    """Who submits a step's output, as the mechanism definition says: the State under review,
    the reviewing States (those drawn for the review: revmod.draws) or the secretariat."""
    return step_definition.submitted_by


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
    elif has_confirmed_draw(review, step.phase.definition.number):
        nominations = nominations.filter(
            state__in=reviewing_states(review, step.phase.definition.number)
        )
    else:
        # Before any draw is confirmed (reviews set up by hand), any State nominated in the
        # review other than the State under review acts as a reviewing State.
        nominations = nominations.exclude(state_id=review.state_id)
    return nominations.order_by("state_id").values_list("state_id", flat=True).first() or ""


def _phase_number(step: ReviewStep) -> int:
    return step.phase.definition.number


def submissions_per_state(step: ReviewStep) -> bool:
    """Whether each reviewing State drafts and clears its own submission of the step: a step the
    reviewing States own, once their draw for the phase is confirmed. Before that, the first
    reviewing State to clear completes the step."""
    return output_owner(step.definition) == REVIEWING_STATES and has_confirmed_draw(
        step.phase.review, _phase_number(step)
    )


def submission_progress(step: ReviewStep) -> dict[str, str]:
    """The status of the submission of each State drawn to review, by State code."""
    required = reviewing_states(step.phase.review, _phase_number(step))
    codes = list(required.order_by("code").values_list("code", flat=True))
    statuses = dict(step.submissions.filter(state_id__in=codes).values_list("state_id", "status"))
    return {code: statuses.get(code, SubmissionStatus.OPEN) for code in codes}


def _submission_status(step: ReviewStep, state_code: str) -> str:
    current = step.submissions.filter(state_id=state_code).values_list("status", flat=True)
    return current.first() or SubmissionStatus.OPEN


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


def _submission_in(step: ReviewStep, state_code: str, *statuses: str) -> Verdict:
    """When each reviewing State submits its own, the acting State's submission must be in one
    of `statuses` (no State acting: the role verdict refuses first)."""
    if not state_code or not submissions_per_state(step):
        return ALLOWED
    current = _submission_status(step, state_code)
    if current in statuses:
        return ALLOWED
    messages = {
        SubmissionStatus.OPEN: _(
            "The submission of %(state)s is open: the draft is with its experts."
        ),
        SubmissionStatus.AWAITING_CLEARANCE: _(
            "The submission of %(state)s is awaiting clearance by its focal point."
        ),
        SubmissionStatus.CLEARED: _(
            "%(state)s has cleared its submission; the step is completed once every reviewing "
            "State has cleared its own."
        ),
    }
    state = State.objects.get(pk=state_code)
    return denied(messages[SubmissionStatus(current)] % {"state": state})


def status_to_submit(step: ReviewStep, state_code: str = "") -> Verdict:
    return _status_in(step, Status.OPEN) and _submission_in(step, state_code, SubmissionStatus.OPEN)


def status_to_clear(step: ReviewStep, state_code: str = "") -> Verdict:
    return _status_in(step, Status.OPEN, Status.AWAITING_CLEARANCE) and _submission_in(
        step, state_code, SubmissionStatus.OPEN, SubmissionStatus.AWAITING_CLEARANCE
    )


def status_to_return(step: ReviewStep, state_code: str = "") -> Verdict:
    if state_code and submissions_per_state(step):
        # The step stays open while each State's own submission moves.
        return _status_in(step, Status.OPEN, Status.AWAITING_CLEARANCE) and _submission_in(
            step, state_code, SubmissionStatus.AWAITING_CLEARANCE
        )
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


def role_to_assign(user) -> Verdict:
    return _secretariat(user, _("Only the secretariat can choose who follows a review."))


def role_to_close(user) -> Verdict:
    return _secretariat(user, _("Only the secretariat can close or reopen a review."))


# --- What the pages ask -----------------------------------------------------------------------


def can_open(user, step: ReviewStep) -> Verdict:
    return _first_refusal(role_to_open(user), status_to_open(step))


def can_submit_for_clearance(user, step: ReviewStep) -> Verdict:
    state_code = acting_state_code(user, step, [Role.EXPERT, Role.FOCAL_POINT])
    return _first_refusal(role_to_submit(user, step), status_to_submit(step, state_code))


def can_clear(user, step: ReviewStep) -> Verdict:
    state_code = acting_state_code(user, step, [Role.FOCAL_POINT])
    return _first_refusal(role_to_clear(user, step), status_to_clear(step, state_code))


def can_return_to_experts(user, step: ReviewStep) -> Verdict:
    state_code = acting_state_code(user, step, [Role.FOCAL_POINT])
    return _first_refusal(role_to_return(user, step), status_to_return(step, state_code))


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
