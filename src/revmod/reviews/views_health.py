"""Secretariat pages on the health of nominations, the languages of reviews and the phase gate.

Every write calls a domain function (record_follow_up, update_follow_up_outcome,
record_conference_decision); every export is written to the audit trail.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from revmod.core import audit, exports
from revmod.core.domain import DomainError, NotAllowed
from revmod.parties.models import State
from revmod.people import services as people_services
from revmod.people.forms import add_domain_error, refusal_messages
from revmod.people.models import FollowUpAction
from revmod.people.views import permission_or_403
from revmod.reviews.decisions import record_conference_decision, role_to_record_decision
from revmod.reviews.forms import described_filters
from revmod.reviews.forms_health import (
    ConferenceDecisionForm,
    FollowUpForm,
    FollowUpOutcomeForm,
    GateFilterForm,
    HealthFilterForm,
    LanguagesFilterForm,
)
from revmod.reviews.gate import gate_overview
from revmod.reviews.health import StateHealth, filter_health, nomination_health, review_health
from revmod.reviews.languages import flagged_only, languages_overview
from revmod.reviews.models import CountryReview


def _reviews(user, data: dict):
    reviews = CountryReview.objects.visible_to(user)
    if data.get("mechanism"):
        reviews = reviews.filter(mechanism=data["mechanism"])
    if data.get("group"):
        reviews = reviews.filter(group__number=data["group"])
    return reviews


# --- Nomination health ------------------------------------------------------------------------


def health_table(rows: list[StateHealth]) -> tuple[list[str], list[list]]:
    """The health rows as an export writes them, with headers in the reader's language."""
    headers = [
        _("Mechanism"),
        _("Group"),
        _("State under review"),
        _("State"),
        _("Regional group"),
        _("Focal point"),
        _("No focal point since"),
        _("Focal point due on"),
        _("Focal point late by (days)"),
        _("No experts since"),
        _("Experts due on"),
        _("Experts late by (days)"),
        _("Focal point replacements"),
        _("Days without activity"),
        _("Unresponsive"),
        _("Latest follow-up"),
        _("Outcome"),
    ]
    table = []
    for row in rows:
        fp, experts, latest = row.missing_focal_point, row.missing_experts, row.latest_follow_up
        table.append(
            [
                str(row.review.mechanism),
                row.review.group.number,
                str(row.review.state),
                str(row.state),
                str(row.state.regional_group or ""),
                str(row.focal_point.person) if row.focal_point else "",
                fp.since if fp else None,
                fp.due_on if fp else None,
                fp.overdue_days if fp else None,
                experts.since if experts else None,
                experts.due_on if experts else None,
                experts.overdue_days if experts else None,
                row.focal_point_changes,
                row.silence.days if row.silence else None,
                row.unresponsive,
                latest.contacted_on if latest else None,
                latest.get_outcome_display() if latest else "",
            ]
        )
    return headers, table


@permission_or_403("people.view_nomination_health")
def health(request):
    form = HealthFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    rows = filter_health(
        nomination_health(_reviews(request.user, data)),
        regional_group=getattr(data.get("regional_group"), "pk", ""),
        problem=data.get("problem", ""),
        overdue_by=data.get("overdue_by"),
    )
    if export_format := exports.requested_format(request):
        headers, table = health_table(rows)
        audit.record(
            "reviews.nomination_health_exported",
            actor=request.user,
            data={"format": export_format, "filters": described_filters(form), "rows": len(rows)},
        )
        return exports.export_response(request, "nomination-health", headers, table)
    return render(
        request,
        "reviews_health/health.html",
        {"filters": form, "rows": rows, "today": timezone.localdate()},
    )


def _state_health(review: CountryReview, state_code: str) -> StateHealth:
    for row in review_health(review):
        if row.state.pk == state_code:
            return row
    raise Http404(_("This State takes no part in this review."))


@permission_or_403("people.record_follow_up")
def follow_ups(request, review_id: int, state_code: str):
    review = get_object_or_404(CountryReview.objects.visible_to(request.user), pk=review_id)
    state = get_object_or_404(State, pk=state_code)
    row = _state_health(review, state.pk)
    form = FollowUpForm(
        request.POST if request.POST.get("action") == "record" else None,
        initial={"contacted_on": timezone.localdate()},
    )
    outcome_form = FollowUpOutcomeForm(
        request.POST if request.POST.get("action") == "outcome" else None
    )
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                people_services.record_follow_up(
                    actor=request.user, review=review, state=state, **form.cleaned_data
                )
                messages.success(request, _("The follow-up is recorded."))
                return redirect(
                    "reviews_health:follow_ups", review_id=review.pk, state_code=state.pk
                )
            if outcome_form.is_bound and outcome_form.is_valid():
                follow_up = get_object_or_404(
                    FollowUpAction,
                    pk=outcome_form.cleaned_data["follow_up"],
                    review=review,
                    state=state,
                )
                people_services.update_follow_up_outcome(
                    actor=request.user,
                    follow_up=follow_up,
                    outcome=outcome_form.cleaned_data["outcome"],
                    outcome_note=outcome_form.cleaned_data["outcome_note"],
                )
                messages.success(request, _("The outcome of the follow-up is recorded."))
                return redirect(
                    "reviews_health:follow_ups", review_id=review.pk, state_code=state.pk
                )
        except (DomainError, NotAllowed) as error:
            # The refusal shows above the form that was sent, which keeps what was typed.
            target = outcome_form if outcome_form.is_bound else form
            for message in refusal_messages(error):
                target.add_error(None, message)
    return render(
        request,
        "reviews_health/follow_ups.html",
        {
            "review": review,
            "row": row,
            "rows": [row],
            "form": form,
            "outcome_form": outcome_form,
            "outcome_choices": FollowUpAction.Outcome.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Languages --------------------------------------------------------------------------------


@permission_or_403("people.view_nomination_health")
def languages(request):
    form = LanguagesFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    entries = languages_overview(_reviews(request.user, data))
    if data.get("flagged_only"):
        entries = flagged_only(entries)
    return render(
        request,
        "reviews_health/languages.html",
        {"filters": form, "entries": entries, "flagged": len(flagged_only(entries))},
    )


# --- The phase gate ---------------------------------------------------------------------------


@login_required
def gate(request):
    """Anyone signed in may read the gate (it holds counts and public decisions, nothing
    confidential); only the secretariat records a Conference decision."""
    can_record = bool(role_to_record_decision(request.user))
    # Prefixed: the filters above it have a mechanism field too.
    decision_form = ConferenceDecisionForm(request.POST or None, prefix="decision")
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied(role_to_record_decision(request.user).reason)
        if decision_form.is_valid():
            try:
                decision = record_conference_decision(
                    actor=request.user, **decision_form.cleaned_data
                )
            except (DomainError, NotAllowed) as error:
                add_domain_error(decision_form, error)
            else:
                messages.success(
                    request,
                    _("The Conference decision %(reference)s is recorded.")
                    % {"reference": decision.reference},
                )
                return redirect("reviews_health:gate")
    filters = GateFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    as_of = data.get("as_of") or timezone.localdate()
    rows = gate_overview(
        as_of=as_of,
        mechanism_code=data["mechanism"].code if data.get("mechanism") else "",
        phase_number=data.get("phase"),
    )
    return render(
        request,
        "reviews_health/gate.html",
        {
            "filters": filters,
            "rows": rows,
            "as_of": as_of,
            "decision_form": decision_form if can_record else None,
        },
        status=400 if request.method == "POST" else 200,
    )
