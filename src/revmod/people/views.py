"""Pages of the account life cycle and of nominations. Every write calls a domain function."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from revmod.core.domain import DomainError, NotAllowed
from revmod.parties.models import State
from revmod.people import services
from revmod.people.forms import (
    ActivationForm,
    ClarificationForm,
    DeactivateForm,
    EndNominationForm,
    InviteForm,
    NominationForm,
    PeopleFilterForm,
    ProfileForm,
    ReplaceFocalPointForm,
    add_domain_error,
    refusal_messages,
)
from revmod.people.models import Nomination, User
from revmod.reviews.models import CountryReview

EDITABLE_PROFILE = (User.Status.ACTIVATED, User.Status.CLARIFICATION)


def permission_or_403(permission: str) -> Callable:
    """Anonymous visitors go to the sign-in page; signed-in people without permission get 403."""

    def decorator(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorator


def _nominations():
    return Nomination.objects.select_related(
        "person",
        "state",
        "review__state",
        "review__mechanism",
        "note_verbale",
        "ending_note_verbale",
        "replaces__person",
        "replaced_by__person",
    )


# --- Account life cycle -----------------------------------------------------------------------


def activate(request, token: str):
    try:
        link = services.check_activation_link(token)
    except DomainError as error:
        return render(request, "people/activate.html", {"problem": error.messages[0]}, status=400)
    form = ActivationForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.activate_account(
                raw_token=token, password=form.cleaned_data["new_password1"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Your password is set. Complete your profile for the secretariat.")
            )
            return redirect("people:profile")
    return render(request, "people/activate.html", {"form": form, "person": link.user})


@login_required
def profile(request):
    user = request.user
    form = None
    if user.status in EDITABLE_PROFILE:
        form = ProfileForm(request.POST or None, instance=user)
        if request.method == "POST" and form.is_valid():
            try:
                services.submit_profile(actor=user, user=user, **form.profile_fields())
            except (DomainError, NotAllowed) as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your profile has been submitted. The secretariat will check it against "
                        "the Note Verbale that nominated you and let you know by email."
                    ),
                )
                return redirect("people:profile")
    return render(request, "people/profile.html", {"person": user, "form": form})


# --- Secretariat: approval and the register of people ------------------------------------------


@permission_or_403("people.approve_profile")
def pending(request):
    bound_for, bound_form = None, None
    if request.method == "POST":
        person = get_object_or_404(User, pk=request.POST.get("person"))
        try:
            if request.POST.get("action") == "approve":
                services.approve_profile(actor=request.user, user=person)
                messages.success(
                    request, _("The profile of %(person)s is approved.") % {"person": person}
                )
                return redirect("people:pending")
            bound_for = person.pk
            bound_form = ClarificationForm(request.POST, prefix=f"person-{person.pk}")
            if bound_form.is_valid():
                services.request_clarification(
                    actor=request.user, user=person, message=bound_form.cleaned_data["message"]
                )
                messages.success(
                    request,
                    _("%(person)s has been asked for clarification by email.") % {"person": person},
                )
                return redirect("people:pending")
        except (DomainError, NotAllowed) as error:
            if bound_form is None:
                messages.error(request, " ".join(refusal_messages(error)))
                return redirect("people:pending")
            add_domain_error(bound_form, error)
    people = (
        User.objects.filter(status=User.Status.SUBMITTED)
        .select_related("state")
        .prefetch_related(
            "languages", Prefetch("nominations", queryset=_nominations().filter(ends_on=None))
        )
        .order_by("status_changed_at")
    )
    rows = [
        {
            "person": person,
            "form": bound_form
            if person.pk == bound_for
            else ClarificationForm(prefix=f"person-{person.pk}"),
        }
        for person in people
    ]
    return render(request, "people/pending.html", {"rows": rows})


@permission_or_403("people.list_people")
def people_list(request):
    filters = PeopleFilterForm(request.GET or None)
    people = filters.filter(
        User.objects.select_related("state").prefetch_related(
            Prefetch("nominations", queryset=_nominations().filter(ends_on=None))
        )
    )
    return render(request, "people/people_list.html", {"filters": filters, "people": people})


@permission_or_403("people.invite_user")
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person, _token = services.invite_user(actor=request.user, **form.cleaned_data)
        except (DomainError, NotAllowed) as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("An activation link has been sent to %(email)s.") % {"email": person.email},
            )
            return redirect("people:person", pk=person.pk)
    return render(request, "people/invite.html", {"form": form})


def _person_page(request, person: User, deactivate_form: DeactivateForm | None = None):
    if not request.user.has_perm("people.view_person", person):
        raise PermissionDenied(_("You may not see this person's page."))
    nominations = _nominations().filter(person=person).order_by("-starts_on", "-pk")
    can_deactivate = request.user.has_perm("people.deactivate_user", person)
    context = {
        "person": person,
        "nominations": nominations,
        "can_resend": person.status == User.Status.INVITED
        and request.user.has_perm("people.resend_activation", person),
        "deactivate_form": (deactivate_form or DeactivateForm())
        if can_deactivate and person.status != User.Status.DEACTIVATED
        else None,
    }
    return render(request, "people/person_detail.html", context)


@login_required
def person_detail(request, pk: int):
    return _person_page(request, get_object_or_404(User.objects.select_related("state"), pk=pk))


@require_POST
@permission_or_403("people.resend_activation")
def resend(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    try:
        services.resend_activation(actor=request.user, user=person)
    except (DomainError, NotAllowed) as error:
        messages.error(request, " ".join(refusal_messages(error)))
    else:
        messages.success(
            request,
            _("A new activation link has been sent to %(email)s; the earlier ones no longer work.")
            % {"email": person.email},
        )
    return redirect("people:person", pk=person.pk)


@require_POST
@permission_or_403("people.deactivate_user")
def deactivate(request, pk: int):
    person = get_object_or_404(User.objects.select_related("state"), pk=pk)
    form = DeactivateForm(request.POST)
    if form.is_valid():
        try:
            services.deactivate_user(
                actor=request.user, user=person, reason=form.cleaned_data["reason"]
            )
        except (DomainError, NotAllowed) as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The account of %(person)s is deactivated.") % {"person": person}
            )
            return redirect("people:person", pk=person.pk)
    return _person_page(request, person, deactivate_form=form)


# --- Secretariat: nominations -------------------------------------------------------------------


@permission_or_403("people.nominate")
def nominate(request):
    form = NominationForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nominate(actor=request.user, **form.cleaned_data)
        except (DomainError, NotAllowed) as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The nomination is recorded."))
            return redirect("people:review_nominations", review_id=nomination.review_id)
    return render(request, "people/nominate.html", {"form": form})


@permission_or_403("people.view_review_nominations")
def review_nominations(request, review_id: int):
    review = get_object_or_404(CountryReview.objects.select_related("state"), pk=review_id)
    bound_state, bound_form = None, None
    if request.method == "POST":
        if not request.user.has_perm("people.replace_focal_point"):
            raise PermissionDenied(_("You may not replace focal points."))
        bound_state = get_object_or_404(State, pk=request.POST.get("state"))
        current = services.current_focal_point(review, bound_state)
        bound_form = ReplaceFocalPointForm(
            bound_state,
            current.person if current else None,
            request.POST,
            prefix=f"replace-{bound_state.pk}",
        )
        if bound_form.is_valid():
            try:
                services.replace_focal_point(
                    actor=request.user,
                    review=review,
                    state=bound_state,
                    new_person=bound_form.cleaned_data["new_person"],
                    starts_on=bound_form.cleaned_data["starts_on"],
                    note_verbale=bound_form.cleaned_data["note_verbale"],
                )
            except (DomainError, NotAllowed) as error:
                add_domain_error(bound_form, error)
            else:
                messages.success(
                    request,
                    _("The focal point of %(state)s is replaced.") % {"state": bound_state},
                )
                return redirect("people:review_nominations", review_id=review.pk)
    roles = list(Nomination.Role.values)
    nominations = sorted(
        _nominations().filter(review=review).order_by("-starts_on", "-pk"),
        key=lambda n: roles.index(n.role),
    )
    # The State under review comes first, even before anyone is nominated for it.
    states = State.objects.filter(Q(pk=review.state_id) | Q(nominations__review=review)).distinct()
    groups = []
    for state in sorted(states, key=lambda s: (s.pk != review.state_id, s.name)):
        mine = [n for n in nominations if n.state_id == state.pk]
        focal_point = next(
            (n for n in mine if n.ends_on is None and n.role == Nomination.Role.FOCAL_POINT), None
        )
        form = None
        if focal_point is not None:
            form = (
                bound_form
                if bound_state == state
                else ReplaceFocalPointForm(state, focal_point.person, prefix=f"replace-{state.pk}")
            )
        groups.append(
            {
                "state": state,
                "current": [n for n in mine if n.ends_on is None],
                "past": [n for n in mine if n.ends_on is not None],
                "focal_point": focal_point,
                "replace_form": form,
            }
        )
    return render(request, "people/review_nominations.html", {"review": review, "groups": groups})


@permission_or_403("people.end_nomination")
def end_nomination(request, pk: int):
    nomination = get_object_or_404(_nominations(), pk=pk)
    form = EndNominationForm(nomination.state, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_nomination(actor=request.user, nomination=nomination, **form.cleaned_data)
        except (DomainError, NotAllowed) as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The nomination has ended."))
            return redirect("people:review_nominations", review_id=nomination.review_id)
    return render(request, "people/end_nomination.html", {"form": form, "nomination": nomination})
