"""Pages of questionnaire responses: the response of a phase (sections by instrument and article,
one form per article), its submission, its submitted versions with their differences, and the
download of a template. Every read goes through `visible_to` (404 for anyone outside the review),
every write through revmod.questionnaires.services; a refusal comes back on the page with its
reason (403 wrong person, 400 wrong moment or bad input, 409 conflict) and what was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from revmod.core import audit, exports
from revmod.core.domain import DomainError, NotAllowed
from revmod.people.forms import refusal_messages
from revmod.questionnaires import answering, rules, services
from revmod.questionnaires.forms import ConflictView, Field, fields_for, read_post
from revmod.questionnaires.models import QuestionnaireTemplate, Response, ResponseVersion
from revmod.questionnaires.spreadsheets import workbook_bytes, write_workbook
from revmod.reviews.models import CountryReview, ReviewPhase


def _visible_response(user, pk: int) -> Response:
    responses = Response.objects.visible_to(user).select_related(
        "review__state", "review__mechanism", "phase__definition__cluster", "template"
    )
    return get_object_or_404(responses, pk=pk)


@login_required
@require_GET
def phase_response(request: HttpRequest, review_pk: int, number: int) -> HttpResponse:
    """The response of a launched phase; the State under review's first writer starts it."""
    review = get_object_or_404(CountryReview.objects.visible_to(request.user), pk=review_pk)
    phase = get_object_or_404(
        ReviewPhase, review=review, definition__number=number, launched_at__isnull=False
    )
    response = Response.objects.filter(phase=phase).first()
    if response is None:
        if not rules.role_to_start(request.user, review):
            raise Http404
        try:
            response = services.start_response(actor=request.user, review=review, phase=phase)
        except DomainError as error:
            return render(
                request,
                "questionnaires/unavailable.html",
                {"review": review, "phase": phase, "reasons": refusal_messages(error)},
            )
    elif not Response.objects.visible_to(request.user).filter(pk=response.pk).exists():
        raise Http404
    return redirect("questionnaires:response", pk=response.pk)


def _section_fields(response: Response, sections, answers, bound) -> list[dict]:
    rows = []
    for section in sections:
        fields = fields_for(section.questions, answers)
        if bound is not None and bound["key"] == section.key:
            fields = bound["fields"]
        rows.append({"section": section, "fields": fields})
    return rows


def _response_page(
    request: HttpRequest, response: Response, *, bound=None, status: int = 200
) -> HttpResponse:
    user = request.user
    if not rules.reads_drafts(user, response):
        # The reviewing States and their observers read the submitted versions only.
        latest = response.versions.order_by("-number").first()
        if latest is None:
            raise Http404
        return _version_page(request, response, latest, status=status)
    answers = answering.current_answers(response)
    values = {code: answer.value for code, answer in answers.items()}
    if bound is not None:
        values.update({field.question.code: field.value for field in bound["fields"]})
    sections = answering.sections(response, values)
    step = rules.questionnaire_step(response.phase)
    context = {
        "response": response,
        "review": response.review,
        "step": step,
        "sections": _section_fields(response, sections, answers, bound),
        "can_write": rules.can_write(user, response, step),
        "can_submit_for_clearance": rules.can_submit_for_clearance(user, response, step),
        "can_submit": rules.can_submit(user, response, step),
        "versions": response.versions.order_by("number"),
        "bound_key": bound["key"] if bound else "",
    }
    return render(request, "questionnaires/response.html", context, status=status)


@login_required
@require_GET
def response_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _response_page(request, _visible_response(request.user, pk))


def _refused(request, response, error, *, bound=None) -> HttpResponse:
    for message in refusal_messages(error):
        messages.error(request, message)
    status = 403 if isinstance(error, NotAllowed) else 400
    return _response_page(request, response, bound=bound, status=status)


@login_required
@require_POST
def save_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    response = _visible_response(request.user, pk)
    if not rules.reads_drafts(request.user, response):
        # Readers of the submitted versions only: refuse before reading anything more.
        return _refused(
            request, response, NotAllowed(rules.role_to_write(request.user, response).reason)
        )
    questions = [
        question for question in answering.questions_of(response) if question.section_key == section
    ]
    if not questions:
        raise Http404
    sent = read_post(request.POST, questions)
    answers = answering.current_answers(response)
    typed = []
    for question in questions:
        if question.code in sent:
            value, version = sent[question.code]
        else:
            answer = answers.get(question.code)
            value, version = (answer.value, answer.version) if answer else (None, 0)
        typed.append(Field(question=question, value=value, version=version))
    bound = {"key": section, "fields": typed}
    try:
        services.save_answers(
            actor=request.user,
            response=response,
            answers=sent,
            language=translation.get_language() or "en",
        )
    except services.AnswerConflict as conflict:
        messages.error(request, conflict.messages[0])
        by_code = {item.question.code: item for item in conflict.conflicts}
        for typed_field in typed:
            item = by_code.get(typed_field.question.code)
            if item is not None:
                # The form now carries the saved version: saving again keeps the writer's text
                # deliberately, having seen the other one.
                typed_field.version = item.saved.version
                typed_field.conflict = ConflictView(
                    saved_text=answering.display_value(item.question, item.saved.value),
                    saved_by=str(item.saved.updated_by or ""),
                    saved_at=item.saved.updated_at,
                )
        return _response_page(request, response, bound=bound, status=409)
    except DomainError as error:
        if hasattr(error, "error_dict"):
            for typed_field in typed:
                typed_field.errors = error.message_dict.get(typed_field.question.code, [])
            messages.error(request, _("Some answers could not be saved; see below."))
            return _response_page(request, response, bound=bound, status=400)
        return _refused(request, response, error, bound=bound)
    except NotAllowed as error:
        return _refused(request, response, error, bound=bound)
    messages.success(request, _("Your answers are saved."))
    return redirect(reverse("questionnaires:response", args=[response.pk]) + f"#section-{section}")


@login_required
@require_POST
def submit_for_clearance(request: HttpRequest, pk: int) -> HttpResponse:
    response = _visible_response(request.user, pk)
    try:
        services.submit_for_clearance(actor=request.user, response=response)
    except (DomainError, NotAllowed) as error:
        return _refused(request, response, error)
    messages.success(request, _("The responses are with the focal point for clearance."))
    return redirect("questionnaires:response", pk=response.pk)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    response = _visible_response(request.user, pk)
    try:
        version = services.submit_response(actor=request.user, response=response)
    except (DomainError, NotAllowed) as error:
        return _refused(request, response, error)
    messages.success(
        request,
        _("The responses are cleared and submitted as version %(number)s.")
        % {"number": version.number},
    )
    return redirect("questionnaires:response", pk=response.pk)


def _version_page(
    request: HttpRequest, response: Response, version: ResponseVersion, status: int = 200
) -> HttpResponse:
    previous = response.versions.filter(number__lt=version.number).order_by("-number").first()
    questions = {question.code: question for question in response.template.questions.all()}
    snapshot = version.snapshot.get("answers") or {}
    answers = [
        {
            "question": question,
            "text": answering.display_value(question, snapshot[code]["value"]),
            "language": snapshot[code].get("language", ""),
        }
        for code, question in questions.items()
        if code in snapshot
    ]
    changes = [
        {
            "change": change,
            "question": questions.get(change.code),
            "before": answering.display_value(questions.get(change.code), change.before),
            "after": answering.display_value(questions.get(change.code), change.after),
        }
        for change in answering.differences(
            previous.snapshot if previous else None, version.snapshot
        )
    ]
    context = {
        "response": response,
        "review": response.review,
        "version": version,
        "previous": previous,
        "answers": answers,
        "changes": changes,
        "versions": response.versions.order_by("number"),
        "reads_drafts": rules.reads_drafts(request.user, response),
    }
    return render(request, "questionnaires/version.html", context, status=status)


@login_required
@require_GET
def version_page(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    response = _visible_response(request.user, pk)
    version = get_object_or_404(ResponseVersion, response=response, number=number)
    return _version_page(request, response, version)


@login_required
@require_GET
def export_template(request: HttpRequest, pk: int) -> HttpResponse:
    verdict = rules.can_import_templates(request.user)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    template = get_object_or_404(QuestionnaireTemplate, pk=pk)
    audit.record(
        "export.downloaded",
        actor=request.user,
        target=template,
        data={"export": "questionnaire_template", "format": "xlsx"},
    )
    download = HttpResponse(
        workbook_bytes(write_workbook(template)), content_type=exports.XLSX_CONTENT_TYPE
    )
    name = exports.filename(
        f"questionnaire-{template.mechanism.code}-{template.cluster.number}", "xlsx"
    )
    download["Content-Disposition"] = f'attachment; filename="{name}"'
    return download
