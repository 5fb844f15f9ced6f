"""Domain functions for country reviews: the only way reviews, their phases and steps change.

Each function checks the permission (revmod.reviews.rules), refuses impossible transitions with a
reason a page can show, writes the change, its StepTransition and an audit event, and sends the
`review_event` signal once the transaction commits. Every function takes `at` (default now): the
time recorded for everything it writes, so that a history can be built in the past.

Steps move PENDING → OPEN (experts drafting) → AWAITING_CLEARANCE → COMPLETED when a focal point
clears them, or OPEN → COMPLETED by the secretariat; an optional step may be SKIPPED. A step opens
by itself once every step before it is finished; the step that counts as completed is reached
that way and completes the phase.

Due dates are counted from actual dates: from the phase start, or from the actual start or end of
an anchor step (StepDeadline). They are set when that anchor event happens, and counted again
when it happens again (a reopened step that completes anew). An extension moves only the due date
it extends: no other deadline counts from a due date, only from what actually happened, so
extending the questionnaire leaves the feedback deadline (counted from the questionnaire's actual
end) untouched. A recount never brings a due date before an extension granted on it.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from revmod.core import audit
from revmod.core.domain import DomainError, NotAllowed
from revmod.mechanisms.models import Mechanism, PhaseDefinition, ReviewGroup, StepDeadline
from revmod.parties.models import PartyStatus, State
from revmod.people.rules import is_secretariat
from revmod.reviews import rules
from revmod.reviews.gate import group_gate
from revmod.reviews.models import (
    CountryReview,
    DueDate,
    Extension,
    ReviewPhase,
    ReviewStep,
    StepSubmission,
    StepTransition,
)
from revmod.reviews.signals import review_event

Status = ReviewStep.Status
SubmissionStatus = StepSubmission.Status
Role = rules.Role


@transaction.atomic
def create_review(
    *,
    actor,
    mechanism: Mechanism,
    group: ReviewGroup,
    state: State,
    working_languages=(),
    at: datetime.datetime | None = None,
) -> CountryReview:
    at = at or timezone.now()
    if not getattr(actor, "is_secretariat", False):
        raise NotAllowed(_("Only the secretariat can create country reviews."))
    if group.mechanism_id != mechanism.pk:
        raise DomainError(_("This group belongs to another mechanism."))
    # A State is reviewed under a mechanism only once it is party to one of its instruments.
    if (
        not PartyStatus.objects.on(group.starts_on)
        .filter(state=state, instrument__in=mechanism.instruments.all())
        .exists()
    ):
        raise DomainError(
            _("%(state)s is not party to any instrument of %(mechanism)s on %(date)s.")
            % {"state": state, "mechanism": mechanism, "date": group.starts_on}
        )
    if CountryReview.objects.filter(mechanism=mechanism, state=state).exists():
        raise DomainError(
            _("%(state)s already has a review under %(mechanism)s.")
            % {"state": state, "mechanism": mechanism}
        )
    review = CountryReview.objects.create(
        mechanism=mechanism, group=group, state=state, created_at=at
    )
    if working_languages:
        review.working_languages.set(working_languages)
    audit.record(
        "review.created",
        actor=actor,
        target=review,
        review_id=review.pk,
        state_code=state.code,
        data={"group": group.number, "languages": [lang.code for lang in working_languages]},
        at=at,
    )
    return review


# --- Writing a change -------------------------------------------------------------------------


def _emit(event: str, *, review: CountryReview, actor, at, **objects) -> None:
    # Receivers (notifications) act only on what was committed.
    transaction.on_commit(
        lambda: review_event.send(
            sender=CountryReview, event=event, review=review, actor=actor, at=at, **objects
        )
    )


def _record(action: str, *, actor, at, review: CountryReview, target, **data) -> None:
    audit.record(
        action,
        actor=actor,
        target=target,
        review_id=review.pk,
        state_code=review.state_id,
        data=data,
        at=at,
    )
    objects: dict = {}
    if isinstance(target, ReviewStep):
        objects = {"step": target, "phase": target.phase}
    elif isinstance(target, ReviewPhase):
        objects = {"phase": target}
    _emit(action, review=review, actor=actor, at=at, **objects)


def _move(
    step: ReviewStep,
    to_status: str,
    *,
    action: str,
    actor,
    at: datetime.datetime,
    reason: str = "",
    state_code: str = "",
    automatic: bool = False,
) -> None:
    """Change a step's status and write its history, its audit event and its signal."""
    from_status = step.status
    step.status = to_status
    if to_status == Status.OPEN and step.opened_at is None:
        step.opened_at = at
    # `completed_at` is when the step last ended; a reopened step has not ended.
    step.completed_at = at if to_status in ReviewStep.FINISHED else None
    step.save(update_fields=["status", "opened_at", "completed_at"])
    StepTransition.objects.create(
        step=step,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        reason=reason,
        state_code=state_code,
    )
    data = {
        "phase": step.phase.definition.number,
        "step": step.definition.code,
        "from": from_status,
        "to": to_status,
    }
    if reason:
        data["reason"] = reason
    if state_code:
        data["on_behalf_of"] = state_code
    if automatic:
        data["automatic"] = True
    _record(action, actor=actor, at=at, review=step.phase.review, target=step, **data)
    if from_status == Status.PENDING and to_status == Status.OPEN:
        _count_due_dates(step.phase, anchor=step, event=StepDeadline.Event.START)
    if to_status in ReviewStep.FINISHED:
        _count_due_dates(step.phase, anchor=step, event=StepDeadline.Event.END)


def _move_submission(
    step: ReviewStep,
    state_code: str,
    to_status: str,
    *,
    action: str,
    actor,
    at: datetime.datetime,
    reason: str = "",
) -> None:
    """Change one reviewing State's own submission of a step; the step itself stays open."""
    submission, _created = StepSubmission.objects.select_for_update().get_or_create(
        step=step, state_id=state_code
    )
    from_status = submission.status
    submission.status = to_status
    cleared = to_status == SubmissionStatus.CLEARED
    submission.cleared_at = at if cleared else None
    submission.cleared_by = actor if cleared else None
    submission.save(update_fields=["status", "cleared_at", "cleared_by"])
    data = {
        "phase": step.phase.definition.number,
        "step": step.definition.code,
        "from": from_status,
        "to": to_status,
        "on_behalf_of": state_code,
    }
    if reason:
        data["reason"] = reason
    _record(action, actor=actor, at=at, review=step.phase.review, target=step, **data)


def _advance(phase: ReviewPhase, *, actor, at: datetime.datetime) -> None:
    """Open the first pending step once every step before it is finished (reaching the step that
    counts as completed completes it), and complete the phase once every step is finished."""
    steps = list(phase.steps.select_related("definition").order_by("definition__order"))
    for step in steps:
        step.phase = phase  # reuse the phase (and its review) already read
    for index, step in enumerate(steps):
        if step.status != Status.PENDING:
            continue
        if all(earlier.is_finished for earlier in steps[:index]):
            if step.definition.counts_as_completed:
                to_status, action = Status.COMPLETED, "review.step_completed"
            else:
                to_status, action = Status.OPEN, "review.step_opened"
            _move(step, to_status, action=action, actor=actor, at=at, automatic=True)
        break
    if phase.status != ReviewPhase.Status.COMPLETED and all(step.is_finished for step in steps):
        phase.status = ReviewPhase.Status.COMPLETED
        phase.completed_at = at
        phase.save(update_fields=["status", "completed_at"])
        _record(
            "review.phase_completed",
            actor=actor,
            at=at,
            review=phase.review,
            target=phase,
            phase=phase.definition.number,
        )


# --- Due dates --------------------------------------------------------------------------------


def _anchor_date(deadline: StepDeadline, phase: ReviewPhase, anchor: ReviewStep | None):
    if deadline.anchor_step_id is None:
        return phase.starts_on
    if anchor is None:
        return None
    # A step's `completed_at` is empty unless it has ended.
    moment = (
        anchor.opened_at if deadline.anchor_event == deadline.Event.START else anchor.completed_at
    )
    return timezone.localdate(moment) if moment else None


def _count_due_dates(phase: ReviewPhase, *, anchor: ReviewStep | None = None, event=None) -> None:
    """Count the due dates of `phase` anchored on `anchor`'s `event` (all of them at launch)."""
    due_dates = DueDate.objects.filter(step__phase=phase).select_related("deadline")
    if anchor is not None:
        due_dates = due_dates.filter(
            deadline__anchor_step=anchor.definition, deadline__anchor_event=event
        )
    for due_date in due_dates.prefetch_related("extensions"):
        counted = _anchor_date(due_date.deadline, phase, anchor)
        if counted is None:
            continue
        counted = due_date.deadline.due_on(counted)
        extended = [extension.new_due_on for extension in due_date.extensions.all()]
        due_date.original_due_on = counted
        due_date.due_on = max([counted, *extended])
        due_date.save(update_fields=["original_due_on", "due_on"])


# --- Phases -----------------------------------------------------------------------------------


@transaction.atomic
def launch_phase(
    *,
    actor,
    review: CountryReview,
    phase_number: int,
    starts_on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> ReviewPhase:
    """Create the phase with all its steps, open its first step and count its due dates. A phase
    after the first opens only when the group's phase gate is open (revmod.reviews.gate)."""
    at = at or timezone.now()
    rules.role_to_launch(actor).check()
    if review.closed_at is not None:
        raise DomainError(_("This review is closed; the secretariat can reopen it."))
    definition = PhaseDefinition.objects.filter(
        mechanism=review.mechanism_id, number=phase_number
    ).first()
    if definition is None:
        raise DomainError(
            _("%(mechanism)s has no phase %(number)s.")
            % {"mechanism": review.mechanism, "number": phase_number}
        )
    if phase_number > 1:
        gate = group_gate(review.group, phase_number, as_of=timezone.localdate(at))
        if not gate.is_open:
            raise DomainError(gate.explanation)
    phase, _created = ReviewPhase.objects.get_or_create(
        review=review,
        definition=definition,
        defaults={"starts_on": starts_on or review.group.phase_starts_on(phase_number)},
    )
    if phase.launched_at is not None:
        raise DomainError(
            _("Phase %(number)s of this review was launched on %(date)s.")
            % {"number": phase_number, "date": timezone.localdate(phase.launched_at)}
        )
    if starts_on:
        phase.starts_on = starts_on
    phase.launched_at = at
    phase.status = ReviewPhase.Status.IN_PROGRESS
    phase.save()
    for step_definition in review.mechanism.steps.prefetch_related("deadlines"):
        step = ReviewStep.objects.create(phase=phase, definition=step_definition)
        DueDate.objects.bulk_create(
            DueDate(step=step, deadline=deadline) for deadline in step_definition.deadlines.all()
        )
    _count_due_dates(phase)
    _record(
        "review.phase_launched",
        actor=actor,
        at=at,
        review=review,
        target=phase,
        phase=phase_number,
        starts_on=phase.starts_on.isoformat(),
    )
    _advance(phase, actor=actor, at=at)
    return phase


# --- Steps ------------------------------------------------------------------------------------


def _locked(step: ReviewStep) -> ReviewStep:
    """The step read again under a row lock, so two people acting at once cannot both pass."""
    return (
        ReviewStep.objects.select_for_update(of=("self",))
        .select_related("definition", "phase__definition", "phase__review__state")
        .get(pk=step.pk)
    )


def _refresh_caller(step: ReviewStep, current: ReviewStep) -> None:
    step.status, step.opened_at, step.completed_at = (
        current.status,
        current.opened_at,
        current.completed_at,
    )


@transaction.atomic
def open_step(*, actor, step: ReviewStep, at: datetime.datetime | None = None) -> ReviewStep:
    """Open a pending step by hand (steps also open by themselves when the ones before end)."""
    at = at or timezone.now()
    current = _locked(step)
    rules.enforce(rules.role_to_open(actor), rules.status_to_open(current))
    _move(current, Status.OPEN, action="review.step_opened", actor=actor, at=at)
    _refresh_caller(step, current)
    return current


@transaction.atomic
def skip_step(*, actor, step: ReviewStep, reason: str, at: datetime.datetime | None = None):
    at = at or timezone.now()
    current = _locked(step)
    rules.enforce(rules.role_to_skip(actor), rules.status_to_skip(current))
    reason = _required_reason(reason)
    _move(current, Status.SKIPPED, action="review.step_skipped", actor=actor, at=at, reason=reason)
    _advance(current.phase, actor=actor, at=at)
    _refresh_caller(step, current)
    return current


@transaction.atomic
def submit_for_clearance(*, actor, step: ReviewStep, at: datetime.datetime | None = None):
    """An expert (or the focal point) of the State that owns the output hands the draft to the
    focal point."""
    at = at or timezone.now()
    current = _locked(step)
    day = timezone.localdate(at)
    state_code = rules.acting_state_code(actor, current, [Role.EXPERT, Role.FOCAL_POINT], day)
    rules.enforce(
        rules.role_to_submit(actor, current, day), rules.status_to_submit(current, state_code)
    )
    if rules.submissions_per_state(current):
        _move_submission(
            current,
            state_code,
            SubmissionStatus.AWAITING_CLEARANCE,
            action="review.submission_submitted_for_clearance",
            actor=actor,
            at=at,
        )
    else:
        _move(
            current,
            Status.AWAITING_CLEARANCE,
            action="review.step_submitted_for_clearance",
            actor=actor,
            at=at,
            state_code=state_code,
        )
    _refresh_caller(step, current)
    return current


@transaction.atomic
def clear_and_submit(*, actor, step: ReviewStep, at: datetime.datetime | None = None):
    """The focal point of the owning State clears the submission: the step is completed and the
    next one opens. When each reviewing State submits its own (rules.submissions_per_state), the
    step is completed once the last of the States drawn for the review has cleared."""
    at = at or timezone.now()
    current = _locked(step)
    day = timezone.localdate(at)
    state_code = rules.acting_state_code(actor, current, [Role.FOCAL_POINT], day)
    rules.enforce(
        rules.role_to_clear(actor, current, day), rules.status_to_clear(current, state_code)
    )
    if rules.submissions_per_state(current):
        _move_submission(
            current,
            state_code,
            SubmissionStatus.CLEARED,
            action="review.submission_cleared",
            actor=actor,
            at=at,
        )
        progress = rules.submission_progress(current)
        if any(status != SubmissionStatus.CLEARED for status in progress.values()):
            _refresh_caller(step, current)
            return current
        _move(
            current,
            Status.COMPLETED,
            action="review.step_completed",
            actor=actor,
            at=at,
            state_code=state_code,
            automatic=True,
        )
    else:
        _move(
            current,
            Status.COMPLETED,
            action="review.step_cleared",
            actor=actor,
            at=at,
            state_code=state_code,
        )
    _advance(current.phase, actor=actor, at=at)
    _refresh_caller(step, current)
    return current


@transaction.atomic
def return_to_experts(
    *, actor, step: ReviewStep, reason: str, at: datetime.datetime | None = None
) -> ReviewStep:
    at = at or timezone.now()
    current = _locked(step)
    day = timezone.localdate(at)
    state_code = rules.acting_state_code(actor, current, [Role.FOCAL_POINT], day)
    rules.enforce(
        rules.role_to_return(actor, current, day), rules.status_to_return(current, state_code)
    )
    reason = _required_reason(reason)
    if rules.submissions_per_state(current):
        _move_submission(
            current,
            state_code,
            SubmissionStatus.OPEN,
            action="review.submission_returned_to_experts",
            actor=actor,
            at=at,
            reason=reason,
        )
    else:
        _move(
            current,
            Status.OPEN,
            action="review.step_returned_to_experts",
            actor=actor,
            at=at,
            reason=reason,
            state_code=state_code,
        )
    _refresh_caller(step, current)
    return current


@transaction.atomic
def complete_step(*, actor, step: ReviewStep, at: datetime.datetime | None = None) -> ReviewStep:
    """The secretariat completes a step that no focal point clears (dialogue, summary…)."""
    at = at or timezone.now()
    current = _locked(step)
    rules.enforce(rules.role_to_complete(actor, current), rules.status_to_complete(current))
    _move(current, Status.COMPLETED, action="review.step_completed", actor=actor, at=at)
    _advance(current.phase, actor=actor, at=at)
    _refresh_caller(step, current)
    return current


@transaction.atomic
def reopen_step(
    *, actor, step: ReviewStep, reason: str, at: datetime.datetime | None = None
) -> ReviewStep:
    """Open a completed step again. In a completed phase, the phase and its closing step go back
    to in progress until the step is completed anew."""
    at = at or timezone.now()
    current = _locked(step)
    rules.enforce(rules.role_to_reopen(actor), rules.status_to_reopen(current))
    reason = _required_reason(reason)
    _move(current, Status.OPEN, action="review.step_reopened", actor=actor, at=at, reason=reason)
    # A reopened step is cleared anew by every State that submits its own.
    for submission in current.submissions.exclude(status=SubmissionStatus.OPEN):
        submission.status, submission.cleared_at, submission.cleared_by = (
            SubmissionStatus.OPEN,
            None,
            None,
        )
        submission.save(update_fields=["status", "cleared_at", "cleared_by"])
    phase = current.phase
    if phase.status == ReviewPhase.Status.COMPLETED:
        phase.status = ReviewPhase.Status.IN_PROGRESS
        phase.completed_at = None
        phase.save(update_fields=["status", "completed_at"])
        _record(
            "review.phase_reopened",
            actor=actor,
            at=at,
            review=phase.review,
            target=phase,
            phase=phase.definition.number,
            reason=reason,
        )
        closing_steps = phase.steps.filter(
            definition__counts_as_completed=True, status=Status.COMPLETED
        ).select_related("definition")
        for closing in closing_steps:
            _move(
                closing,
                Status.PENDING,
                action="review.step_reset",
                actor=actor,
                at=at,
                reason=reason,
                automatic=True,
            )
    _refresh_caller(step, current)
    return current


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason: it is recorded in the review's history."))
    return reason


# --- Extensions -------------------------------------------------------------------------------


@transaction.atomic
def grant_extension(
    *,
    actor,
    due_date: DueDate,
    new_due_on: datetime.date,
    reason: str,
    at: datetime.datetime | None = None,
) -> Extension:
    return _extend(actor=actor, due_date=due_date, new_due_on=new_due_on, reason=reason, at=at)


def _extend(
    *,
    actor,
    due_date: DueDate,
    reason: str,
    at: datetime.datetime | None,
    new_due_on: datetime.date | None = None,
    days: int | None = None,
) -> Extension:
    """Move one due date to `new_due_on`, or `days` later than it is now."""
    at = at or timezone.now()
    current = (
        DueDate.objects.select_for_update(of=("self",))
        .select_related("deadline", "step__definition", "step__phase__review")
        .get(pk=due_date.pk)
    )
    rules.enforce(rules.role_to_extend(actor), rules.status_to_extend(current))
    reason = _required_reason(reason)
    assert current.due_on is not None  # status_to_extend refuses a due date not set yet
    if new_due_on is None:
        new_due_on = current.due_on + datetime.timedelta(days=days or 0)
    if new_due_on <= current.due_on:
        raise DomainError(
            _("The new due date must be later than the current one (%(date)s).")
            % {"date": current.due_on}
        )
    extension = Extension.objects.create(
        due_date=current,
        previous_due_on=current.due_on,
        new_due_on=new_due_on,
        reason=reason,
        granted_by=actor,
        granted_at=at,
    )
    current.due_on = new_due_on
    current.save(update_fields=["due_on"])
    due_date.due_on = new_due_on
    review = current.step.phase.review
    audit.record(
        "review.due_date_extended",
        actor=actor,
        target=current,
        review_id=review.pk,
        state_code=review.state_id,
        data={
            "step": current.step.definition.code,
            "deadline": current.deadline.code,
            "from": extension.previous_due_on.isoformat(),
            "to": new_due_on.isoformat(),
            "reason": reason,
        },
        at=at,
    )
    _emit("review.due_date_extended", review=review, actor=actor, at=at, due_date=current)
    return extension


@transaction.atomic
def grant_extensions(
    *,
    actor,
    due_dates,
    reason: str,
    new_due_on: datetime.date | None = None,
    days: int | None = None,
    at: datetime.datetime | None = None,
) -> list[Extension]:
    """Extend several due dates at once, to one date or by a number of days each: all of them or
    none (the first refusal names the review and the deadline it concerns)."""
    if (new_due_on is None) == (days is None):
        raise DomainError(_("Give either a new due date or a number of days, not both."))
    if days is not None and days < 1:
        raise DomainError(_("An extension adds at least one day."))
    extensions = []
    for due_date in due_dates:
        try:
            extensions.append(
                _extend(
                    actor=actor,
                    due_date=due_date,
                    new_due_on=new_due_on,
                    days=days,
                    reason=reason,
                    at=at,
                )
            )
        except DomainError as error:
            raise DomainError(
                _("%(review)s, %(deadline)s: %(reason)s")
                % {
                    "review": due_date.step.phase.review,
                    "deadline": due_date.deadline,
                    "reason": " ".join(error.messages),
                }
            ) from error
    return extensions


# --- Closing a review -------------------------------------------------------------------------


@transaction.atomic
def close_review(
    *, actor, review: CountryReview, reason: str, at: datetime.datetime | None = None
) -> CountryReview:
    """Stop a review (e.g. the State withdrew): its steps stay as they are and nothing moves until
    the secretariat reopens it."""
    at = at or timezone.now()
    current = CountryReview.objects.select_for_update().get(pk=review.pk)
    rules.role_to_close(actor).check()
    if current.closed_at is not None:
        raise DomainError(_("This review is already closed."))
    reason = _required_reason(reason)
    current.closed_at, current.closed_reason = at, reason
    current.save(update_fields=["closed_at", "closed_reason"])
    review.closed_at, review.closed_reason = at, reason
    _record("review.closed", actor=actor, at=at, review=current, target=current, reason=reason)
    return current


@transaction.atomic
def reopen_review(
    *, actor, review: CountryReview, reason: str, at: datetime.datetime | None = None
) -> CountryReview:
    at = at or timezone.now()
    current = CountryReview.objects.select_for_update().get(pk=review.pk)
    rules.role_to_close(actor).check()
    if current.closed_at is None:
        raise DomainError(_("This review is not closed."))
    reason = _required_reason(reason)
    current.closed_at, current.closed_reason = None, ""
    current.save(update_fields=["closed_at", "closed_reason"])
    review.closed_at, review.closed_reason = None, ""
    _record("review.reopened", actor=actor, at=at, review=current, target=current, reason=reason)
    return current


@transaction.atomic
def assign_officer(
    *, actor, reviews, officer, at: datetime.datetime | None = None
) -> list[CountryReview]:
    """Make `officer` (secretariat staff) the officer who follows each review; None unassigns.
    Returns the reviews whose officer changed, with one audit event each."""
    at = at or timezone.now()
    rules.role_to_assign(actor).check()
    if officer is not None and not is_secretariat(officer):
        raise DomainError(_("Only an active member of the secretariat can follow a review."))
    changed = []
    chosen = CountryReview.objects.select_for_update().filter(pk__in=[r.pk for r in reviews])
    for review in chosen.select_related("state").order_by("pk"):
        if review.officer_id == getattr(officer, "pk", None):
            continue
        before = review.officer_id
        review.officer = officer
        review.save(update_fields=["officer"])
        _record(
            "review.officer_assigned",
            actor=actor,
            at=at,
            review=review,
            target=review,
            before=before,
            after=getattr(officer, "pk", None),
        )
        changed.append(review)
    return changed
