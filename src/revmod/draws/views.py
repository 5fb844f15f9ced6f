"""Pages of the drawing of lots, for the secretariat: list, new draw, preview with its pools,
confirm or discard, redraw one reviewer, export. Every write calls a domain function."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from revmod.core import exports
from revmod.core.domain import DomainError
from revmod.draws import services
from revmod.draws.forms import NewDrawForm, RedrawForm
from revmod.draws.models import Assignment, Draw, Slot
from revmod.parties.models import State
from revmod.people.forms import add_domain_error, refusal_messages
from revmod.people.views import permission_or_403

secretariat_only = permission_or_403("draws.run_draw")


@secretariat_only
def draw_list(request):
    draws = Draw.objects.select_related("mechanism", "group", "created_by", "confirmed_by")
    return render(request, "draws/draw_list.html", {"draws": draws})


@secretariat_only
def new_draw(request):
    form = NewDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draw = services.preview_draw(actor=request.user, **form.cleaned_data)
        except (DomainError, PermissionDenied) as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The lots are drawn. Check the preview, then confirm it."))
            return redirect("draws:detail", pk=draw.pk)
    status = 400 if form.errors else 200
    return render(request, "draws/draw_new.html", {"form": form}, status=status)


def _reviews_of(draw: Draw, redraw_forms: dict[int, RedrawForm]) -> list[dict]:
    """Each review of the draw with its assignments and the pools they were drawn from."""
    assignments = sorted(
        draw.assignments.select_related("review__state", "reviewer", "replaced_by__reviewer"),
        key=Assignment.listing_key,
    )
    redraw_pools = [pool for redraw in draw.redraws.all() for pool in redraw.pools]
    codes = {code for pool in [*draw.pools, *redraw_pools] for code in pool["candidates"]}
    names = dict(State.objects.filter(code__in=codes).values_list("code", "name"))
    pools_of: dict[int, list[dict]] = defaultdict(list)
    slot_names = dict(Slot.choices)
    for pool in [*draw.pools, *redraw_pools]:
        pools_of[pool["review"]].append(
            {
                **pool,
                "slot_name": slot_names.get(pool["slot"], pool["slot"]),
                "chosen_name": names.get(pool["chosen"], pool["chosen"]),
                "candidate_names": sorted(names.get(code, code) for code in pool["candidates"]),
            }
        )
    reviews: dict[int, dict] = {}
    for assignment in assignments:
        entry = reviews.setdefault(
            assignment.review_id,
            {
                "review": assignment.review,
                "assignments": [],
                "pools": pools_of[assignment.review_id],
                "redraw_forms": [],
                "redraws_left": None,
            },
        )
        entry["assignments"].append(assignment)
        if draw.status == Draw.Status.CONFIRMED and assignment.active:
            form = redraw_forms.get(assignment.pk) or RedrawForm(assignment)
            entry["redraw_forms"].append((assignment, form))
    if draw.status == Draw.Status.CONFIRMED:
        for entry in reviews.values():
            entry["redraws_left"] = services.redraws_left(draw, entry["review"])
    return list(reviews.values())


def _detail(request, draw: Draw, redraw_forms: dict[int, RedrawForm] | None = None, status=200):
    context = {
        "draw": draw,
        "reviews": _reviews_of(draw, redraw_forms or {}),
        "redraws": draw.redraws.select_related(
            "replaced__review__state",
            "replaced__reviewer",
            "new_assignment__reviewer",
            "requested_by",
            "actor",
        ),
    }
    return render(request, "draws/draw_detail.html", context, status=status)


def _draw(pk: int) -> Draw:
    return get_object_or_404(
        Draw.objects.select_related("mechanism", "group", "created_by", "confirmed_by"), pk=pk
    )


@secretariat_only
def draw_detail(request, pk: int):
    return _detail(request, _draw(pk))


def _act(request, pk: int, action, success: str):
    draw = _draw(pk)
    try:
        action(actor=request.user, draw=draw)
    except DomainError as error:
        for message in refusal_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("draws:detail", pk=draw.pk)


@require_POST
@secretariat_only
def confirm(request, pk: int):
    return _act(request, pk, services.confirm_draw, _("The draw is confirmed."))


@require_POST
@secretariat_only
def discard(request, pk: int):
    return _act(request, pk, services.discard_draw, _("The draw is discarded."))


@require_POST
@secretariat_only
def redraw(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("draw", "review"), pk=pk)
    form = RedrawForm(assignment, request.POST)
    if form.is_valid():
        try:
            done = services.request_redraw(
                actor=request.user,
                assignment=assignment,
                reason=form.cleaned_data["reason"],
                requested_by=form.cleaned_data["requested_by"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(new)s replaces %(old)s.")
                % {"new": done.new_assignment.reviewer, "old": done.replaced.reviewer},
            )
            return redirect("draws:detail", pk=assignment.draw_id)
    return _detail(request, _draw(assignment.draw_id), {assignment.pk: form}, status=400)


@secretariat_only
def export(request, pk: int, file_format: str):
    if file_format not in exports.FORMATS:
        raise Http404
    draw = _draw(pk)
    headers, rows = services.export_draw(actor=request.user, draw=draw, file_format=file_format)
    # File names stay ASCII (exports.filename): not translated.
    basename = f"draw-{draw.mechanism.code}-group-{draw.group.number}-phase-{draw.phase_number}"
    if file_format == "xlsx":
        return exports.xlsx_response(basename, headers, rows)
    return exports.csv_response(basename, headers, rows)
