"""The home page: what each visitor needs first, by role."""

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from revmod.mechanisms.models import ReviewGroup
from revmod.parties.models import Instrument
from revmod.people.models import Nomination, User
from revmod.reviews.models import CountryReview

# The home page lists a few reviews lacking a focal point; the full list belongs to a report.
MISSING_FOCAL_POINTS_SHOWN = 10


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return render(request, "core/home_public.html")
    # A secretariat account acts as such only once approved, like everywhere else.
    if user.is_secretariat and user.status == User.Status.ACTIVE:
        return render(request, "core/home_secretariat.html", secretariat_summary())
    return render(request, "core/home_official.html", official_summary(user))


def secretariat_summary() -> dict:
    today = timezone.localdate()
    in_force = Q(party_statuses__became_party_on__lte=today) & (
        Q(party_statuses__withdrawn_on__isnull=True) | Q(party_statuses__withdrawn_on__gt=today)
    )
    instruments = Instrument.objects.annotate(parties=Count("party_statuses", filter=in_force))
    groups = ReviewGroup.objects.select_related("mechanism").annotate(review_count=Count("reviews"))
    focal_point = Nomination.objects.current().filter(
        review=OuterRef("pk"), state=OuterRef("state"), role=Nomination.Role.FOCAL_POINT
    )
    # A closed review needs no focal point any more.
    without_focal_point = CountryReview.objects.filter(closed_at__isnull=True).filter(
        ~Exists(focal_point)
    )
    return {
        "today": today,
        "instruments": instruments,
        "groups": groups,
        "awaiting_approval": User.objects.filter(status=User.Status.SUBMITTED).count(),
        "without_focal_point_count": without_focal_point.count(),
        "without_focal_point": without_focal_point.select_related("state", "mechanism", "group")[
            :MISSING_FOCAL_POINTS_SHOWN
        ],
    }


def official_summary(user: User) -> dict:
    nominations = (
        Nomination.objects.current()
        .filter(person=user)
        .select_related("state", "review__state", "review__mechanism", "review__group")
        .order_by("review__mechanism__code", "review__state__name", "role")
    )
    return {"nominations": nominations, "next_step": NEXT_STEP.get(user.status, "")}


# What an official whose account is not yet active must do (or wait for) next.
NEXT_STEP: dict[str, str] = {
    User.Status.INVITED: "complete_profile",
    User.Status.ACTIVATED: "complete_profile",
    User.Status.SUBMITTED: "awaiting_approval",
    User.Status.CLARIFICATION: "clarify",
}
