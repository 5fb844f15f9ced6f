"""Domain functions for questionnaires: the only way templates, responses and answers change.

Each function checks the permission (revmod.questionnaires.rules), refuses impossible actions with
a reason, writes, and records an audit event, in one transaction. Answers are saved with
optimistic concurrency: a save names the version of each answer it started from, and when
someone else saved that answer in between, nothing is written and the caller gets both texts.
Submitting is the focal point's clearance of the questionnaire step (revmod.reviews.services):
the response is locked and frozen as a new numbered version; the secretariat reopens the step
to unlock it, and the next submission is the next version.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from revmod.core import audit
from revmod.core.domain import DomainError
from revmod.questionnaires import answering, rules
from revmod.questionnaires.models import (
    Answer,
    Question,
    QuestionnaireTemplate,
    Response,
    ResponseVersion,
)
from revmod.questionnaires.spreadsheets import read_workbook
from revmod.reviews import services as review_services
from revmod.reviews.models import CountryReview, ReviewPhase


def _record(action: str, *, actor, at, response: Response, **data) -> None:
    audit.record(
        action,
        actor=actor,
        target=response,
        review_id=response.review_id,
        state_code=response.review.state_id,
        data={"phase": response.phase.definition.number, **data},
        at=at,
    )


# --- Templates --------------------------------------------------------------------------------


@transaction.atomic
def import_template(
    *, actor, file, file_name: str = "", publish: bool = False, at: datetime.datetime | None = None
) -> QuestionnaireTemplate:
    """Create a template from an XLSForm-style workbook: all of it or nothing (TemplateErrors
    lists every error with its sheet, row and column)."""
    at = at or timezone.now()
    rules.can_import_templates(actor).check()
    parsed = read_workbook(file)
    template = QuestionnaireTemplate.objects.create(
        mechanism=parsed.mechanism,
        cluster=parsed.cluster,
        version=parsed.version,
        status=(
            QuestionnaireTemplate.Status.PUBLISHED
            if publish
            else QuestionnaireTemplate.Status.DRAFT
        ),
        imported_file_name=file_name[:255],
        created_at=at,
    )
    Question.objects.bulk_create(
        Question(
            template=template,
            order=item.order,
            code=item.code,
            instrument_id=item.instrument,
            article=item.article,
            type=item.type,
            labels=item.labels,
            hints=item.hints,
            choice_list=item.choice_list,
            choices=item.choices,
            relevant_question=item.relevant_question,
            relevant_values=item.relevant_values,
            required=item.required,
        )
        for item in parsed.questions
    )
    audit.record(
        "questionnaire.template_imported",
        actor=actor,
        target=template,
        data={
            "mechanism": parsed.mechanism.code,
            "cluster": parsed.cluster.number,
            "version": parsed.version,
            "questions": len(parsed.questions),
            "file": file_name,
            "published": publish,
        },
        at=at,
    )
    return template


@transaction.atomic
def publish_template(
    *, actor, template: QuestionnaireTemplate, at: datetime.datetime | None = None
) -> QuestionnaireTemplate:
    """Responses started from now on use this template (the latest published version)."""
    at = at or timezone.now()
    rules.can_import_templates(actor).check()
    if template.status == QuestionnaireTemplate.Status.PUBLISHED:
        raise DomainError(_("This template is already published."))
    template.status = QuestionnaireTemplate.Status.PUBLISHED
    template.save(update_fields=["status"])
    audit.record(
        "questionnaire.template_published",
        actor=actor,
        target=template,
        data={"version": template.version},
        at=at,
    )
    return template


# --- Responses --------------------------------------------------------------------------------


def published_template(phase: ReviewPhase) -> QuestionnaireTemplate | None:
    return (
        QuestionnaireTemplate.objects.filter(
            mechanism=phase.review.mechanism_id,
            cluster=phase.definition.cluster_id,
            status=QuestionnaireTemplate.Status.PUBLISHED,
        )
        .order_by("-version")
        .first()
    )


@transaction.atomic
def start_response(
    *, actor, review: CountryReview, phase: ReviewPhase, at: datetime.datetime | None = None
) -> Response:
    """The response of the phase, created from the latest published template on first use."""
    at = at or timezone.now()
    rules.role_to_start(actor, review).check()
    if phase.review_id != review.pk:
        raise DomainError(_("This phase belongs to another review."))
    existing = Response.objects.filter(phase=phase).first()
    if existing is not None:
        return existing
    if phase.launched_at is None:
        raise DomainError(_("This phase has not been launched yet."))
    template = published_template(phase)
    if template is None:
        raise DomainError(
            _("No questionnaire is published for %(cluster)s yet.")
            % {"cluster": phase.definition.cluster}
        )
    response = Response.objects.create(review=review, phase=phase, template=template, created_at=at)
    _record(
        "questionnaire.response_started",
        actor=actor,
        at=at,
        response=response,
        template_version=template.version,
    )
    return response


@dataclass
class Conflict:
    """An answer someone else saved after the writer read it: both texts, nothing overwritten."""

    question: Question
    yours: Any
    saved: Answer


class AnswerConflict(DomainError):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(
            _(
                "Someone else saved an answer after you opened this page; nothing was "
                "overwritten. Compare both texts, then save again."
            )
        )
        self.conflicts = conflicts


def _locked_response(response: Response) -> Response:
    return (
        Response.objects.select_for_update(of=("self",))
        .select_related("review__state", "phase__definition__cluster", "template")
        .get(pk=response.pk)
    )


@transaction.atomic
def save_answers(
    *,
    actor,
    response: Response,
    answers: dict[str, tuple[Any, int]],
    language: str,
    at: datetime.datetime | None = None,
) -> list[Answer]:
    """Save what was sent for some questions: {code: (value as sent, version it started from)}.
    An unchanged value is left alone; a value changed by someone else since that version is a
    conflict, and then nothing at all is written (AnswerConflict)."""
    at = at or timezone.now()
    current = _locked_response(response)
    rules.role_to_write(actor, current, timezone.localdate(at)).check()
    status = rules.status_to_write(current)
    if not status:
        raise DomainError(status.reason)
    questions = {question.code: question for question in answering.questions_of(current)}
    unknown = [code for code in answers if code not in questions]
    if unknown:
        raise DomainError(
            _("These questions are not part of this questionnaire: %(codes)s")
            % {"codes": ", ".join(unknown)}
        )
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for code, (raw, _version) in answers.items():
        try:
            cleaned[code] = answering.clean_value(questions[code], raw)
        except ValidationError as error:
            errors[code] = error.messages
    if errors:
        raise DomainError(errors)
    saved = {
        answer.question.code: answer
        for answer in Answer.objects.select_for_update(of=("self",))
        .filter(response=current, question__code__in=list(answers))
        .select_related("question", "updated_by")
    }
    changes, conflicts = [], []
    for code, value in cleaned.items():
        answer = saved.get(code)
        stored = answer.value if answer is not None else None
        if value == stored or (answering.is_empty(value) and answering.is_empty(stored)):
            continue
        expected = answers[code][1]
        if (answer.version if answer is not None else 0) != expected:
            assert answer is not None  # a version other than 0 only exists once saved
            conflicts.append(Conflict(question=questions[code], yours=value, saved=answer))
            continue
        changes.append((code, value, answer))
    if conflicts:
        raise AnswerConflict(conflicts)
    written = []
    for code, value, answer in changes:
        if answer is None:
            answer = Answer(response=current, question=questions[code], version=0)
        answer.value = value
        answer.language = language
        answer.version += 1
        answer.updated_by = actor
        answer.updated_at = at
        answer.save()
        written.append(answer)
    if written:
        if current.status == Response.Status.SUBMITTED:
            # The secretariat reopened the step: the response is a draft again until the next
            # submission, which becomes the next version.
            current.status = Response.Status.DRAFT
            current.save(update_fields=["status"])
            response.status = current.status
        _record(
            "questionnaire.answers_saved",
            actor=actor,
            at=at,
            response=current,
            questions=[answer.question.code for answer in written],
        )
    return written


@transaction.atomic
def submit_for_clearance(
    *, actor, response: Response, at: datetime.datetime | None = None
) -> Response:
    """An expert hands the responses to the focal point (the questionnaire step's clearance)."""
    step = rules.questionnaire_step(response.phase)
    if step is None:
        raise DomainError(_("This phase has no step for the State under review to submit."))
    review_services.submit_for_clearance(actor=actor, step=step, at=at)
    return response


def snapshot(response: Response) -> dict:
    """The answers shown in the response (instruments the State is party to, conditions that
    hold), as they stand."""
    answers = answering.current_answers(response)
    values = {code: answer.value for code, answer in answers.items()}
    shown = [
        question
        for section in answering.sections(response, values)
        for question in section.questions
    ]
    return {
        "template": response.template_id,
        "answers": {
            question.code: {
                "value": answers[question.code].value,
                "language": answers[question.code].language,
            }
            for question in shown
            if question.code in answers and not answering.is_empty(answers[question.code].value)
        },
    }


@transaction.atomic
def submit_response(
    *, actor, response: Response, at: datetime.datetime | None = None
) -> ResponseVersion:
    """The focal point clears and submits: the questionnaire step completes, the response is
    locked and its answers are frozen as the next version."""
    at = at or timezone.now()
    current = _locked_response(response)
    step = rules.questionnaire_step(current.phase)
    if step is None:
        raise DomainError(_("This phase has no step for the State under review to submit."))
    # Checks that the actor is the focal point and the step may be cleared now; refuses first.
    review_services.clear_and_submit(actor=actor, step=step, at=at)
    number = current.submitted_version + 1
    version = ResponseVersion.objects.create(
        response=current,
        number=number,
        snapshot=snapshot(current),
        submitted_by=actor,
        submitted_at=at,
    )
    current.status = Response.Status.SUBMITTED
    current.submitted_at = at
    current.submitted_version = number
    current.save(update_fields=["status", "submitted_at", "submitted_version"])
    response.status, response.submitted_at, response.submitted_version = (
        current.status,
        at,
        number,
    )
    _record(
        "questionnaire.response_submitted",
        actor=actor,
        at=at,
        response=current,
        version=number,
        answers=len(version.snapshot["answers"]),
    )
    return version
