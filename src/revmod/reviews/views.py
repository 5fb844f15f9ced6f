"""Pages of country reviews: the secretariat's review list (filters, bulk actions, exports), the
page of one review (its phases, steps, due dates, the actions the reader may take and its
timeline) and the audit trail. Every write calls a domain function; refusals come back as
messages and the page keeps what was typed."""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from revmod.core import audit, exports
from revmod.core.domain import ALLOWED, DomainError, NotAllowed, Verdict, denied
from revmod.core.models import AuditEvent
from revmod.mechanisms.models import PhaseDefinition
from revmod.parties.models import State
from revmod.people.forms import add_domain_error, refusal_messages
from revmod.people.models import Nomination
from revmod.people.rules import is_secretariat
from revmod.reviews import queries, rules, services
from revmod.reviews.forms import (
    AuditFilterForm,
    BulkActionForm,
    ExtensionForm,
    LaunchPhaseForm,
    ReasonForm,
    ReviewFilterForm,
    described_filters,
)
from revmod.reviews.gate import group_gate
from revmod.reviews.health import review_health
from revmod.reviews.languages import review_languages
from revmod.reviews.models import (
    CountryReview,
    DueDate,
    Extension,
    ReviewPhase,
    ReviewStep,
    StepSubmission,
    StepTransition,
)
from revmod.reviews.tasks import remind_focal_points

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
Status = ReviewStep.Status

# How the audit trail names each action; an action missing here is shown by its code.
ACTION_LABELS = {
    "review.created": gettext_lazy("Review created"),
    "review.phase_launched": gettext_lazy("Phase launched"),
    "review.phase_completed": gettext_lazy("Phase completed"),
    "review.phase_reopened": gettext_lazy("Phase reopened"),
    "review.step_opened": gettext_lazy("Step opened"),
    "review.step_submitted_for_clearance": gettext_lazy("Submitted for clearance"),
    "review.step_cleared": gettext_lazy("Cleared and submitted"),
    "review.step_returned_to_experts": gettext_lazy("Returned to the experts"),
    "review.step_completed": gettext_lazy("Step completed"),
    "review.step_skipped": gettext_lazy("Step skipped"),
    "review.step_reopened": gettext_lazy("Step reopened"),
    "review.step_reset": gettext_lazy("Step set back to pending"),
    "review.due_date_extended": gettext_lazy("Due date extended"),
    "review.reminder_sent": gettext_lazy("Reminder sent"),
    "review.closed": gettext_lazy("Review closed"),
    "review.reopened": gettext_lazy("Review reopened"),
    "review.submission_submitted_for_clearance": gettext_lazy(
        "A reviewing State submitted its draft for clearance"
    ),
    "review.submission_cleared": gettext_lazy("A reviewing State cleared its submission"),
    "review.submission_returned_to_experts": gettext_lazy(
        "A reviewing State returned its draft to its experts"
    ),
    "gate.conference_decision_recorded": gettext_lazy("Conference decision recorded"),
    "draw.previewed": gettext_lazy("Draw previewed"),
    "draw.confirmed": gettext_lazy("Draw confirmed"),
    "draw.discarded": gettext_lazy("Draw discarded"),
    "draw.redrawn": gettext_lazy("Reviewer redrawn"),
    "draw.reviewers_assigned": gettext_lazy("Reviewing States assigned"),
    "draw.exported": gettext_lazy("Draw exported"),
    "people.user_invited": gettext_lazy("Person invited"),
    "people.activation_resent": gettext_lazy("Activation link sent again"),
    "people.account_activated": gettext_lazy("Account activated"),
    "people.profile_submitted": gettext_lazy("Profile submitted"),
    "people.profile_approved": gettext_lazy("Profile approved"),
    "people.clarification_requested": gettext_lazy("Clarification requested"),
    "people.user_deactivated": gettext_lazy("Account deactivated"),
    "people.note_verbale_registered": gettext_lazy("Note Verbale registered"),
    "people.follow_up_recorded": gettext_lazy("Follow-up action recorded"),
    "people.follow_up_outcome_updated": gettext_lazy("Outcome of a follow-up action recorded"),
    "people.nominated": gettext_lazy("Nomination recorded"),
    "people.focal_point_replaced": gettext_lazy("Focal point replaced"),
    "people.nomination_ended": gettext_lazy("Nomination ended"),
    "export.downloaded": gettext_lazy("Export downloaded"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def secretariat_only(view: Callable) -> Callable:
    """Anonymous visitors go to the sign-in page; anyone but the secretariat gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not is_secretariat(request.user):
            raise PermissionDenied(_("Only the secretariat can see this page."))
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _export(request: HttpRequest, what: str, headers, rows, filters: dict) -> HttpResponse:
    """The download, recorded in the audit trail with what was exported and the filters."""
    rows = list(rows)
    audit.record(
        "export.downloaded",
        actor=request.user,
        data={
            "export": what,
            "format": exports.requested_format(request),
            "filters": filters,
            "rows": len(rows),
        },
    )
    return exports.export_response(request, what, headers, rows)


# --- The review list ------------------------------------------------------------------------


@dataclass
class ReviewRow:
    """One line of the review list, as the page and the export show it."""

    # A CountryReview annotated by `queries.annotate_reviews`.
    review: Any
    step_name: str
    step_status: "StrOrPromise"
    overdue_days: int
    languages: list = field(default_factory=list)

    @property
    def progress(self) -> "StrOrPromise":
        return CountryReview.Progress(self.review.progress).label

    @property
    def regional_group(self):
        return self.review.state.group_for_draw

    def values(self) -> list:
        review = self.review
        return [
            review.state.name,
            review.group.number,
            self.regional_group.name if self.regional_group else "",
            review.mechanism.short_name,
            review.current_phase_number,
            self.step_name,
            self.step_status,
            self.progress,
            review.next_due_on,
            self.overdue_days or None,
            ", ".join(language.name for language in self.languages),
            review.has_focal_point,
            review.has_experts,
            _officer_name(review.officer),
        ]


def _officer_name(officer) -> str:
    return (officer.full_name or officer.email) if officer else ""


def review_headers() -> list[str]:
    return [
        _("State under review"),
        _("Group"),
        _("Regional group"),
        _("Mechanism"),
        _("Current phase"),
        _("Current step"),
        _("Status of the step"),
        _("Progress"),
        _("Next due date"),
        _("Overdue by (days)"),
        _("Working languages"),
        _("Focal point"),
        _("Governmental experts"),
        _("Followed by"),
    ]


def review_rows(reviews, today: datetime.date) -> list[ReviewRow]:
    reviews = list(reviews)
    definitions = queries.step_definitions(reviews)
    rows = []
    for review in reviews:
        definition = definitions.get(review.current_step_definition_id)
        rows.append(
            ReviewRow(
                review=review,
                step_name=definition.name if definition else "",
                step_status=Status(review.current_step_status).label
                if review.current_step_status
                else "",
                overdue_days=queries.overdue_days(review, today),
                languages=list(review.working_languages.all()),
            )
        )
    return rows


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """Secretariat: every review, with bulk actions. Officials: the reviews they take part in."""
    today = timezone.localdate()
    filter_form = ReviewFilterForm(request.GET)
    reviews = queries.filter_reviews(
        queries.review_list(request.user), filter_form.filters(), today, user=request.user
    )
    bulk_form = None
    if request.method == "POST":
        if not is_secretariat(request.user):
            raise PermissionDenied(_("Only the secretariat can act on several reviews at once."))
        bulk_form = BulkActionForm(request.POST)
        if bulk_form.is_valid() and _bulk_action(request, bulk_form):
            return redirect(request.get_full_path())
    if exports.requested_format(request):
        return _export(
            request,
            "reviews",
            review_headers(),
            (row.values() for row in review_rows(reviews, today)),
            described_filters(filter_form),
        )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "page": page,
        "rows": review_rows(page.object_list, today),
        "can_act": is_secretariat(request.user),
        "bulk_form": bulk_form or BulkActionForm(),
        "selected": request.POST.getlist("reviews") if bulk_form is not None else [],
    }
    return render(request, "reviews/review_list.html", context)


def _bulk_action(request: HttpRequest, form: BulkActionForm) -> bool:
    """Carry out the bulk action; False (with the errors on the form) when it was refused."""
    selected = form.cleaned_data["reviews"]
    try:
        if form.cleaned_data["action"] == BulkActionForm.EXTEND:
            return _bulk_extend(request, form, selected)
        if form.cleaned_data["action"] == BulkActionForm.ASSIGN:
            _bulk_assign(request, form, selected)
        else:
            _bulk_remind(request, selected)
    except (DomainError, NotAllowed) as error:
        add_domain_error(form, error)
        return False
    return True


def _bulk_extend(request: HttpRequest, form: BulkActionForm, selected) -> bool:
    """Extend the due dates set on the current step of each selected review (a closed review
    has none open)."""
    reviews = queries.annotate_reviews(
        CountryReview.objects.filter(pk__in=selected, closed_at__isnull=True)
    )
    steps = {review.current_step_id: review for review in reviews if review.current_step_id}
    due_dates = list(
        DueDate.objects.filter(step_id__in=steps, due_on__isnull=False)
        .exclude(step__status__in=ReviewStep.FINISHED)
        .select_related("deadline", "step__phase__review__state")
    )
    if not due_dates:
        form.add_error(
            None, _("None of the selected reviews has an open deadline in its current step.")
        )
        return False
    data = form.cleaned_data
    extensions = services.grant_extensions(
        actor=request.user,
        due_dates=due_dates,
        reason=data["reason"],
        new_due_on=data["new_due_on"],
        days=data["days"],
    )
    messages.success(
        request,
        ngettext("%(count)s deadline extended.", "%(count)s deadlines extended.", len(extensions))
        % {"count": len(extensions)},
    )
    extended = {steps[due_date.step_id].pk for due_date in due_dates}
    left = [review for review in selected if review.pk not in extended]
    if left:
        messages.warning(
            request,
            _("These reviews have no open deadline in their current step: %(reviews)s.")
            % {"reviews": ", ".join(review.state.name for review in left)},
        )
    return True


def _bulk_assign(request: HttpRequest, form: BulkActionForm, selected) -> None:
    officer = form.cleaned_data["officer"]
    changed = services.assign_officer(actor=request.user, reviews=selected, officer=officer)
    count = len(changed)
    if officer is None:
        message = ngettext(
            "%(count)s review is now followed by nobody.",
            "%(count)s reviews are now followed by nobody.",
            count,
        ) % {"count": count}
    else:
        message = ngettext(
            "%(count)s review is now followed by %(officer)s.",
            "%(count)s reviews are now followed by %(officer)s.",
            count,
        ) % {"count": count, "officer": officer.full_name or officer.email}
    messages.success(request, message)


def _bulk_remind(request: HttpRequest, selected) -> None:
    result = remind_focal_points(actor=request.user, reviews=selected)
    if result.sent:
        messages.success(
            request,
            ngettext(
                "A reminder is on its way to %(count)s focal point.",
                "Reminders are on their way to %(count)s focal points.",
                len(result.sent),
            )
            % {"count": len(result.sent)},
        )
    if result.without_focal_point:
        messages.warning(
            request,
            _(
                "No reminder for these reviews, whose State under review has no focal point: "
                "%(reviews)s."
            )
            % {"reviews": ", ".join(r.state.name for r in result.without_focal_point)},
        )
    if result.closed:
        messages.warning(
            request,
            _("No reminder for these closed reviews: %(reviews)s.")
            % {"reviews": ", ".join(r.state.name for r in result.closed)},
        )


# --- The page of one review -----------------------------------------------------------------


@dataclass(frozen=True)
class StepAction:
    """An action on a step: the domain function that performs it, the verdict the page asks
    (`rules.can_*`), and when the button appears at all."""

    label: "StrOrPromise"
    perform: Callable
    verdict: Callable[..., Verdict]
    shown: Callable[[ReviewStep], bool]
    success: "StrOrPromise"
    needs_reason: bool = False
    # The secretariat's own actions are not offered to officials, even disabled.
    secretariat_only: bool = False


def _cleared(step: ReviewStep) -> bool:
    return step.definition.cleared_by_focal_point


STEP_ACTIONS = {
    "submit": StepAction(
        label=gettext_lazy("Submit for clearance"),
        perform=services.submit_for_clearance,
        verdict=rules.can_submit_for_clearance,
        shown=lambda s: _cleared(s) and s.status in (Status.OPEN, Status.AWAITING_CLEARANCE),
        success=gettext_lazy("The draft is submitted to the focal point for clearance."),
    ),
    "clear": StepAction(
        label=gettext_lazy("Clear and submit"),
        perform=services.clear_and_submit,
        verdict=rules.can_clear,
        shown=lambda s: _cleared(s) and s.status in (Status.OPEN, Status.AWAITING_CLEARANCE),
        success=gettext_lazy("The submission is cleared: the step is completed."),
    ),
    "return": StepAction(
        label=gettext_lazy("Return to the experts"),
        perform=services.return_to_experts,
        verdict=rules.can_return_to_experts,
        # With a submission per reviewing State, a State's draft returns while the step is open.
        shown=lambda s: (
            _cleared(s)
            and (
                s.status == Status.AWAITING_CLEARANCE
                or (s.status == Status.OPEN and rules.submissions_per_state(s))
            )
        ),
        success=gettext_lazy("The draft is back with the experts."),
        needs_reason=True,
    ),
    "complete": StepAction(
        label=gettext_lazy("Complete the step"),
        perform=services.complete_step,
        verdict=rules.can_complete,
        shown=lambda s: (
            not _cleared(s) and not s.definition.counts_as_completed and s.status == Status.OPEN
        ),
        success=gettext_lazy("The step is completed."),
        secretariat_only=True,
    ),
    "skip": StepAction(
        label=gettext_lazy("Skip the step"),
        perform=services.skip_step,
        verdict=rules.can_skip,
        shown=lambda s: s.definition.optional and s.status in (Status.PENDING, Status.OPEN),
        success=gettext_lazy("The step is skipped."),
        needs_reason=True,
        secretariat_only=True,
    ),
    "reopen": StepAction(
        label=gettext_lazy("Reopen the step"),
        perform=services.reopen_step,
        verdict=rules.can_reopen,
        shown=lambda s: s.status == Status.COMPLETED and not s.definition.counts_as_completed,
        success=gettext_lazy("The step is open again."),
        needs_reason=True,
        secretariat_only=True,
    ),
}


@dataclass
class Button:
    """An action button: enabled, or disabled with the reason the rules give (Weblate)."""

    key: str
    label: str
    url: str
    verdict: Verdict
    form: forms.Form | None = None
    bound: bool = False

    @property
    def allowed(self) -> bool:
        return bool(self.verdict)


@dataclass
class TimelineEntry:
    at: datetime.datetime
    actor: object
    action: str
    details: str = ""
    reason: str = ""
    on_behalf_of: str = ""
    # A step that moved by itself after the actor's action (the next step opening).
    automatic: bool = False


def _visible_review(user, pk: int) -> CountryReview:
    """The review if `user` may see it; 404 otherwise, so that its existence is not revealed."""
    reviews = (
        CountryReview.objects.visible_to(user)
        .with_progress()
        .select_related("state", "group__mechanism", "mechanism")
        .prefetch_related("working_languages")
    )
    return get_object_or_404(reviews, pk=pk)


def _button(key, label, url, verdict: Verdict, bound, form_class=None, **form_kwargs) -> Button:
    """A button; its form is the one the reader just sent (with its errors and what was typed)
    when `bound` names this button, a fresh one otherwise."""
    is_bound = bound is not None and bound[0] == key
    form = None
    if form_class is not None:
        form = bound[1] if is_bound else form_class(prefix=key, **form_kwargs)
    return Button(key=key, label=str(label), url=url, verdict=verdict, form=form, bound=is_bound)


def _phases(review: CountryReview) -> list[ReviewPhase]:
    extensions = Extension.objects.select_related("granted_by")
    due_dates = DueDate.objects.select_related("deadline").prefetch_related(
        Prefetch("extensions", queryset=extensions)
    )
    steps = (
        ReviewStep.objects.select_related("definition")
        .order_by("definition__order")
        .prefetch_related(Prefetch("due_dates", queryset=due_dates))
    )
    # Read through the review, so that every step knows it (the rules read `closed_at`).
    return list(
        review.phases.filter(launched_at__isnull=False)
        .select_related("definition__cluster")
        .order_by("definition__number")
        .prefetch_related(Prefetch("steps", queryset=steps))
    )


def _step_buttons(user, review, step, bound, secretariat: bool) -> list[Button]:
    buttons = []
    for code, action in STEP_ACTIONS.items():
        key = f"{code}-{step.pk}"
        # A refused action stays on the page with what was typed, even when not offered.
        sent = bound is not None and bound[0] == key
        if not sent and (not action.shown(step) or (action.secretariat_only and not secretariat)):
            continue
        buttons.append(
            _button(
                key,
                action.label,
                reverse("reviews:step_action", args=[review.pk, step.pk, code]),
                action.verdict(user, step),
                bound,
                ReasonForm if action.needs_reason else None,
            )
        )
    return buttons


def _launch_button(user, review: CountryReview, phases, bound) -> Button | None:
    """Launch the phase after the latest one, when the mechanism has one (secretariat only)."""
    number = max((phase.definition.number for phase in phases), default=0) + 1
    if not PhaseDefinition.objects.filter(mechanism=review.mechanism_id, number=number).exists():
        return None
    verdict = rules.role_to_launch(user)
    if verdict and review.closed_at is not None:
        verdict = denied(_("This review is closed; the secretariat can reopen it."))
    if verdict and number > 1:
        gate = group_gate(review.group, number)
        verdict = ALLOWED if gate.is_open else denied(gate.explanation)
    return _button(
        "launch",
        _("Launch phase %(number)s") % {"number": number},
        reverse("reviews:launch", args=[review.pk]),
        verdict,
        bound,
        LaunchPhaseForm,
        initial={"phase_number": number},
    )


def _review_buttons(user, review: CountryReview, bound) -> list[Button]:
    if review.closed_at is None:
        key, label, verdict = "close", _("Close the review"), rules.can_close(user, review)
    else:
        key, label, verdict = "reopen", _("Reopen the review"), rules.role_to_close(user)
    url = reverse(f"reviews:{key}", args=[review.pk])
    return [_button(key, label, url, verdict, bound, ReasonForm)]


def _timeline(review: CountryReview, everything: bool) -> list[TimelineEntry]:
    """Every change of a step's status and every audit event of the review, in the order they
    were written. Each status change also writes an audit event: the transition takes that
    event's place (it says more). Officials see the events of the review's workflow; the
    secretariat sees every event."""
    transitions = {
        (str(t.step_id), t.at, t.to_status): t
        for t in StepTransition.objects.filter(step__phase__review=review).select_related(
            "actor", "step__definition", "step__phase__definition"
        )
    }
    events = AuditEvent.objects.for_review(review.pk).select_related("actor")
    if not everything:
        events = events.filter(action__startswith="review.")
    step_type = ReviewStep._meta.label_lower
    entries: list[tuple[tuple, TimelineEntry]] = []
    for event in events:
        key = (event.target_id, event.occurred_at, event.data.get("to"))
        transition = transitions.pop(key, None) if event.target_type == step_type else None
        if transition is not None:
            entry = _transition_entry(transition, automatic=bool(event.data.get("automatic")))
        else:
            entry = TimelineEntry(
                at=event.occurred_at,
                actor=event.actor,
                action=action_label(event.action),
                details=_event_details(event),
                reason=str(event.data.get("reason", "")),
                on_behalf_of=str(event.data.get("on_behalf_of", "")),
            )
        entries.append(((event.occurred_at, event.pk), entry))
    # A transition whose audit event is not found comes first among its peers.
    entries += [((t.at, 0), _transition_entry(t)) for t in transitions.values()]
    return [entry for _key, entry in sorted(entries, key=lambda pair: pair[0])]


def _transition_entry(transition: StepTransition, automatic: bool = False) -> TimelineEntry:
    return TimelineEntry(
        at=transition.at,
        actor=transition.actor,
        action=_("%(from)s → %(to)s")
        % {
            "from": Status(transition.from_status).label if transition.from_status else "—",
            "to": Status(transition.to_status).label,
        },
        details=_("Phase %(phase)s, %(step)s")
        % {
            "phase": transition.step.phase.definition.number,
            "step": transition.step.definition.name,
        },
        reason=transition.reason,
        on_behalf_of=transition.state_code,
        automatic=automatic,
    )


def _event_details(event: AuditEvent) -> str:
    data = event.data
    if "from" in data and "to" in data:
        return _("%(object)s: %(from)s → %(to)s") % {
            "object": event.target_label,
            "from": _status_label(data["from"]),
            "to": _status_label(data["to"]),
        }
    return event.target_label


def _status_label(value) -> str:
    """A status code written in the audit trail, named in the reader's language."""
    for statuses in (ReviewStep.Status, StepSubmission.Status):
        if value in statuses.values:
            return str(statuses(value).label)
    return str(value)


def _nomination_groups(review: CountryReview) -> list[dict]:
    """The review's nominations by State, the State under review first."""
    nominations = (
        Nomination.objects.filter(review=review)
        .select_related("person", "state")
        .order_by("role", "-starts_on", "pk")
    )
    by_state: dict[str, dict] = {}
    for nomination in nominations:
        group = by_state.setdefault(
            nomination.state_id, {"state": nomination.state, "current": [], "past": []}
        )
        group["current" if nomination.ends_on is None else "past"].append(nomination)
    by_state.setdefault(review.state_id, {"state": review.state, "current": [], "past": []})
    return sorted(
        by_state.values(),
        key=lambda group: (group["state"].pk != review.state_id, group["state"].name),
    )


def _step_row(user, review, step, bound, today, *, secretariat: bool, acts: bool) -> dict:
    due_dates = []
    for due_date in step.due_dates.all():
        extend = None
        if secretariat and due_date.due_on and not step.is_finished:
            extend = _button(
                f"extend-{due_date.pk}",
                _("Extend"),
                reverse("reviews:extend", args=[review.pk, due_date.pk]),
                rules.can_extend(user, due_date),
                bound,
                ExtensionForm,
            )
        due_dates.append(
            {"due_date": due_date, "overdue": due_date.is_overdue(today), "extend": extend}
        )
    return {
        "step": step,
        "due_dates": due_dates,
        "submissions": _submissions(step),
        "buttons": _step_buttons(user, review, step, bound, secretariat) if acts else [],
    }


def _submissions(step: ReviewStep) -> list[tuple[State, "StrOrPromise"]]:
    """Where each reviewing State's own submission of an open step stands, when each of them
    submits its own (rules.submissions_per_state)."""
    if step.is_finished or step.status == Status.PENDING or not _cleared(step):
        return []
    if not rules.submissions_per_state(step):
        return []
    progress = rules.submission_progress(step)
    states = State.objects.in_bulk(list(progress))
    return [
        (states[code], StepSubmission.Status(status).label) for code, status in progress.items()
    ]


def _review_page(
    request: HttpRequest,
    review: CountryReview,
    bound: tuple[str, forms.Form] | None = None,
) -> HttpResponse:
    user = request.user
    secretariat = is_secretariat(user)
    # Observers read the review; only the secretariat and the States' drafters get buttons.
    acts = secretariat or (
        Nomination.objects.current()
        .filter(
            person=user,
            review=review,
            role__in=[Nomination.Role.FOCAL_POINT, Nomination.Role.EXPERT],
        )
        .exists()
    )
    today = timezone.localdate()
    phases = _phases(review)
    phase_rows = [
        {
            "phase": phase,
            "steps": [
                _step_row(user, review, step, bound, today, secretariat=secretariat, acts=acts)
                for step in phase.steps.all()
            ],
        }
        for phase in phases
    ]
    context = {
        "review": review,
        "progress": CountryReview.Progress(review.progress).label,
        "phases": phase_rows,
        "launch": _launch_button(user, review, phases, bound) if secretariat else None,
        "review_buttons": _review_buttons(user, review, bound) if secretariat else [],
        "timeline": _timeline(review, everything=secretariat),
        "nomination_groups": _nomination_groups(review),
        "can_manage_nominations": user.has_perm("people.view_review_nominations"),
        # The panels of revmod.reviews.health and .languages (their templates: reviews_health/).
        "health_rows": review_health(review)
        if user.has_perm("people.view_nomination_health")
        else None,
        "languages": review_languages(review),
    }
    return render(request, "reviews/review_detail.html", context)


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, _visible_review(request.user, pk))


def _act(
    request: HttpRequest,
    review: CountryReview,
    key: str,
    form: forms.Form,
    perform: Callable[..., object],
    success: "StrOrPromise",
) -> HttpResponse:
    """Run a domain function with the form's data: back to the review on success; otherwise the
    review page again, with the refusal as a message and the form as it was sent."""
    if form.is_valid():
        try:
            perform(**form.cleaned_data)
        except (DomainError, NotAllowed) as error:
            messages.error(request, " ".join(refusal_messages(error)))
        else:
            messages.success(request, str(success))
            return redirect("reviews:review", pk=review.pk)
    return _review_page(request, review, bound=(key, form))


@login_required
@require_POST
def step_action(request: HttpRequest, pk: int, step_pk: int, action: str) -> HttpResponse:
    spec = STEP_ACTIONS.get(action)
    if spec is None:
        raise Http404
    review = _visible_review(request.user, pk)
    step = get_object_or_404(ReviewStep, pk=step_pk, phase__review=review)
    key = f"{action}-{step.pk}"
    form = ReasonForm(request.POST, prefix=key) if spec.needs_reason else forms.Form(request.POST)

    def perform(**data):
        return spec.perform(actor=request.user, step=step, **data)

    return _act(request, review, key, form, perform, spec.success)


@login_required
@require_POST
def extend(request: HttpRequest, pk: int, due_date_pk: int) -> HttpResponse:
    review = _visible_review(request.user, pk)
    due_date = get_object_or_404(DueDate, pk=due_date_pk, step__phase__review=review)
    key = f"extend-{due_date.pk}"

    def perform(new_due_on, reason):
        return services.grant_extension(
            actor=request.user, due_date=due_date, new_due_on=new_due_on, reason=reason
        )

    form = ExtensionForm(request.POST, prefix=key)
    return _act(request, review, key, form, perform, _("The due date is extended."))


@login_required
@require_POST
def launch(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request.user, pk)

    def perform(phase_number, starts_on):
        return services.launch_phase(
            actor=request.user, review=review, phase_number=phase_number, starts_on=starts_on
        )

    form = LaunchPhaseForm(request.POST, prefix="launch")
    return _act(request, review, "launch", form, perform, _("The phase is launched."))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request.user, pk)

    def perform(reason):
        return services.close_review(actor=request.user, review=review, reason=reason)

    form = ReasonForm(request.POST, prefix="close")
    return _act(request, review, "close", form, perform, _("The review is closed."))


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    review = _visible_review(request.user, pk)

    def perform(reason):
        return services.reopen_review(actor=request.user, review=review, reason=reason)

    form = ReasonForm(request.POST, prefix="reopen")
    return _act(request, review, "reopen", form, perform, _("The review is open again."))


# --- The audit trail ------------------------------------------------------------------------


def audit_headers() -> list[str]:
    return [
        _("When"),
        _("Person"),
        _("Email address"),
        _("Action"),
        _("Object"),
        _("Review"),
        _("State"),
        _("Details"),
    ]


def audit_values(event: AuditEvent, reviews: dict) -> list:
    review = reviews.get(event.review_id)
    return [
        event.occurred_at,
        event.actor.full_name if event.actor else "",
        event.actor.email if event.actor else "",
        action_label(event.action),
        event.target_label,
        str(review) if review else "",
        event.state_code,
        json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else "",
    ]


def _reviews_of(events) -> dict[int, CountryReview]:
    ids = {event.review_id for event in events} - {None}
    return CountryReview.objects.select_related("state").in_bulk(ids)


@secretariat_only
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The audit trail, newest first: read and export only; nothing here changes it."""
    form = AuditFilterForm(request.GET, action_labels=ACTION_LABELS)
    events = form.filter(AuditEvent.objects.select_related("actor")).order_by("-occurred_at", "-pk")
    if exports.requested_format(request):
        events = list(events)
        reviews = _reviews_of(events)
        return _export(
            request,
            "audit-trail",
            audit_headers(),
            (audit_values(event, reviews) for event in events),
            described_filters(form),
        )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    reviews = _reviews_of(page.object_list)
    rows = [
        {
            "event": event,
            "label": action_label(event.action),
            "review": reviews.get(event.review_id),
        }
        for event in page.object_list
    ]
    return render(request, "reviews/audit_trail.html", {"form": form, "page": page, "rows": rows})
