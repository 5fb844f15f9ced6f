"""API endpoints. The reference data: any signed-in user may read it (the default IsAuthenticated
permission); nothing there is confidential. Country reviews, steps, extensions and assignments:
scoped like the pages (`visible_to`), and every action calls the domain function the pages call.
The audit trail, the draws and the nomination health: the secretariat only."""

import datetime

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from revmod.api import serializers
from revmod.core.models import AuditEvent
from revmod.draws.models import Assignment, Draw
from revmod.mechanisms.models import (
    Cluster,
    Mechanism,
    PhaseDefinition,
    StepDeadline,
    StepDefinition,
)
from revmod.parties.models import Instrument, PartyStatus, RegionalGroup, State
from revmod.people.rules import is_secretariat
from revmod.reviews import services as review_services
from revmod.reviews.gate import gate_overview
from revmod.reviews.health import Problem, filter_health, nomination_health
from revmod.reviews.models import CountryReview, DueDate, Extension, ReviewPhase, ReviewStep

LANGUAGE_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    description="Language of the translated names (ar, zh-hans, en, fr, ru, es); "
    "without it, the Accept-Language header decides.",
    enum=[code for code, _name in settings.LANGUAGES],
)


@extend_schema_view(
    list=extend_schema(parameters=[LANGUAGE_PARAMETER]),
    retrieve=extend_schema(parameters=[LANGUAGE_PARAMETER]),
)
class ReferenceViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only endpoint whose names follow ?lang= or else the Accept-Language header."""

    def initial(self, request, *args, **kwargs):
        language = request.query_params.get("lang")
        if language:
            if language not in dict(settings.LANGUAGES):
                raise ValidationError(
                    gettext("Unknown language %(code)s: use one of %(codes)s.")
                    % {"code": language, "codes": ", ".join(dict(settings.LANGUAGES))}
                )
            # Kept active until the response is rendered; LocaleMiddleware then labels it.
            translation.activate(language)
        super().initial(request, *args, **kwargs)


class InstrumentViewSet(ReferenceViewSet):
    queryset = Instrument.objects.all()
    serializer_class = serializers.InstrumentSerializer


class RegionalGroupViewSet(ReferenceViewSet):
    queryset = RegionalGroup.objects.all()
    serializer_class = serializers.RegionalGroupSerializer


class ClusterViewSet(ReferenceViewSet):
    queryset = Cluster.objects.select_related("mechanism").prefetch_related("articles")
    serializer_class = serializers.ClusterSerializer


class MechanismViewSet(ReferenceViewSet):
    queryset = Mechanism.objects.select_related("draw_rules").prefetch_related(
        "instruments",
        "clusters__articles",
        Prefetch("phases", queryset=PhaseDefinition.objects.select_related("cluster")),
        "groups",
        Prefetch(
            "steps",
            queryset=StepDefinition.objects.prefetch_related(
                Prefetch("deadlines", queryset=StepDeadline.objects.select_related("anchor_step"))
            ),
        ),
    )
    serializer_class = serializers.MechanismSerializer
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "instrument",
                OpenApiTypes.STR,
                description="Only the parties to this instrument (its code, e.g. TIP) on the "
                "date given by `on` (today if absent).",
            ),
            OpenApiParameter(
                "on",
                OpenApiTypes.DATE,
                description="The date (YYYY-MM-DD) on which the States were parties.",
            ),
            OpenApiParameter(
                "regional_group", OpenApiTypes.STR, description="A regional group code."
            ),
        ]
    ),
)
class PartyViewSet(ReferenceViewSet):
    """States (and organizations) with their regional group, their group for the draw and the
    dates they became party to each instrument."""

    queryset = State.objects.select_related("regional_group", "draw_group").prefetch_related(
        "party_statuses"
    )
    serializer_class = serializers.PartySerializer
    lookup_field = "code"

    def get_queryset(self):
        states = super().get_queryset()
        if self.action != "list":
            return states
        params = self.request.query_params
        instrument, day = params.get("instrument"), params.get("on")
        if instrument or day:
            statuses = PartyStatus.objects.on(self._day(day) if day else timezone.localdate())
            if instrument:
                if not Instrument.objects.filter(code=instrument).exists():
                    raise ValidationError(
                        gettext("Unknown instrument %(code)s.") % {"code": instrument}
                    )
                statuses = statuses.filter(instrument_id=instrument)
            states = states.filter(code__in=statuses.values("state_id"))
        if group := params.get("regional_group"):
            if not RegionalGroup.objects.filter(code=group).exists():
                raise ValidationError(gettext("Unknown regional group %(code)s.") % {"code": group})
            states = states.filter(regional_group_id=group)
        return states

    @staticmethod
    def _day(value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                gettext("The date %(value)s is not valid: write it as YYYY-MM-DD.")
                % {"value": value}
            ) from None


# --- Country reviews: the same permission checks and scopes as the pages ------------------------


class IsSecretariat(BasePermission):
    message = gettext_lazy("Only the secretariat can read this.")

    def has_permission(self, request, view) -> bool:
        return bool(is_secretariat(request.user))


def _param_date(value: str | None) -> datetime.date | None:
    return PartyViewSet._day(value) if value else None


def _param_int(params, name: str, minimum: int = 0) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ValidationError(
            gettext("%(name)s must be a whole number of at least %(minimum)s.")
            % {"name": name, "minimum": minimum}
        )
    return number


def _param_choice(params, name: str, choices) -> str:
    value = params.get(name, "")
    if value and value not in dict(choices):
        raise ValidationError(
            gettext("Unknown %(name)s %(value)s: use one of %(values)s.")
            % {"name": name, "value": value, "values": ", ".join(dict(choices))}
        )
    return value


def _mechanism_code(params) -> str:
    code = params.get("mechanism", "")
    if code and not Mechanism.objects.filter(code=code).exists():
        raise ValidationError(gettext("Unknown mechanism %(code)s.") % {"code": code})
    return code


def _due_dates():
    return Prefetch("due_dates", queryset=DueDate.objects.select_related("deadline"))


class TodayInContext:
    """Serializers flag overdue due dates against one `today` for the whole response."""

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}  # type: ignore[misc]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("mechanism", OpenApiTypes.STR, description="A mechanism code."),
            OpenApiParameter("group", OpenApiTypes.INT, description="A group number."),
            OpenApiParameter(
                "progress",
                OpenApiTypes.STR,
                enum=CountryReview.Progress.values,
                description="Where the review stands in its current phase.",
            ),
            OpenApiParameter("state", OpenApiTypes.STR, description="The State under review."),
        ]
    )
)
class ReviewViewSet(TodayInContext, viewsets.ReadOnlyModelViewSet):
    """The country reviews the caller may see: all of them for the secretariat, those they hold a
    current nomination in for an official. Another review answers 404, as if it did not exist."""

    def get_queryset(self):
        reviews = (
            CountryReview.objects.visible_to(self.request.user)
            .with_progress()
            .select_related("mechanism", "group", "state")
            .prefetch_related("working_languages")
        )
        if self.action != "list":
            steps = ReviewStep.objects.select_related("definition").prefetch_related(_due_dates())
            phases = (
                ReviewPhase.objects.filter(launched_at__isnull=False)
                .select_related("definition__cluster")
                .prefetch_related(Prefetch("steps", queryset=steps))
            )
            return reviews.prefetch_related(
                Prefetch("phases", queryset=phases, to_attr="launched_phases")
            )
        params = self.request.query_params
        if mechanism := _mechanism_code(params):
            reviews = reviews.filter(mechanism__code=mechanism)
        if (group := _param_int(params, "group", minimum=1)) is not None:
            reviews = reviews.filter(group__number=group)
        if progress := _param_choice(params, "progress", CountryReview.Progress.choices):
            reviews = reviews.filter(progress=progress)
        if state := params.get("state"):
            reviews = reviews.filter(state_id=state)
        return reviews

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.ReviewSerializer
        return serializers.ReviewDetailSerializer


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("review", OpenApiTypes.INT, description="A review id."),
            OpenApiParameter("phase", OpenApiTypes.INT, description="A phase number."),
            OpenApiParameter("code", OpenApiTypes.STR, description="A step code."),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=ReviewStep.Status.values, description="A status."
            ),
        ]
    )
)
class StepViewSet(TodayInContext, viewsets.ReadOnlyModelViewSet):
    """The steps of the reviews the caller may see, and the actions on them. Each action calls
    the domain function the pages call: a refusal answers 403 (wrong person) or 400 (wrong
    moment) with the reason."""

    serializer_class = serializers.StepDetailSerializer

    def get_queryset(self):
        steps = (
            ReviewStep.objects.visible_to(self.request.user)
            .select_related("definition", "phase__definition")
            .prefetch_related(_due_dates())
            .order_by("phase__review_id", "phase__definition__number", "definition__order")
        )
        if self.action != "list":
            return steps
        params = self.request.query_params
        if (review := _param_int(params, "review", minimum=1)) is not None:
            steps = steps.filter(phase__review_id=review)
        if (phase := _param_int(params, "phase", minimum=1)) is not None:
            steps = steps.filter(phase__definition__number=phase)
        if code := params.get("code"):
            steps = steps.filter(definition__code=code)
        if status := _param_choice(params, "status", ReviewStep.Status.choices):
            steps = steps.filter(status=status)
        return steps

    def _act(self, perform, *, with_reason: bool = False) -> Response:
        step = self.get_object()
        arguments = {"actor": self.request.user, "step": step}
        if with_reason:
            reason = serializers.ReasonSerializer(data=self.request.data)
            reason.is_valid(raise_exception=True)
            arguments["reason"] = reason.validated_data["reason"]
        perform(**arguments)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="submit-for-clearance")
    def submit_for_clearance(self, request, pk=None):
        return self._act(review_services.submit_for_clearance)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        return self._act(review_services.clear_and_submit)

    @extend_schema(request=serializers.ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_experts(self, request, pk=None):
        return self._act(review_services.return_to_experts, with_reason=True)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(review_services.complete_step)

    @extend_schema(request=serializers.ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._act(review_services.reopen_step, with_reason=True)


class ExtensionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Extensions of the due dates of the reviews the caller may see; the secretariat grants
    them (POST) with a reason."""

    serializer_class = serializers.ExtensionSerializer

    def get_queryset(self):
        steps = ReviewStep.objects.visible_to(self.request.user)
        extensions = Extension.objects.filter(due_date__step__in=steps.values("pk"))
        return extensions.select_related("due_date__deadline", "granted_by")

    @extend_schema(
        request=serializers.ExtensionRequestSerializer,
        responses={201: serializers.ExtensionSerializer},
    )
    def create(self, request, *args, **kwargs):
        asked = serializers.ExtensionRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        data = asked.validated_data
        steps = ReviewStep.objects.visible_to(request.user)
        due_date = get_object_or_404(
            DueDate.objects.filter(step__in=steps.values("pk")), pk=data["due_date"]
        )
        if "days" in data:
            (extension,) = review_services.grant_extensions(
                actor=request.user, due_dates=[due_date], days=data["days"], reason=data["reason"]
            )
        else:
            extension = review_services.grant_extension(
                actor=request.user,
                due_date=due_date,
                new_due_on=data["new_due_on"],
                reason=data["reason"],
            )
        extension = self.get_queryset().get(pk=extension.pk)
        return Response(self.get_serializer(extension).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("review", OpenApiTypes.INT, description="A review id.")]
    )
)
class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Reviewing States assigned by lot: every assignment for the secretariat; for an official,
    those in force in the reviews they take part in."""

    serializer_class = serializers.AssignmentSerializer

    def get_queryset(self):
        assignments = Assignment.objects.select_related("reviewer", "draw")
        user = self.request.user
        if not is_secretariat(user):
            reviews = CountryReview.objects.visible_to(user).values("pk")
            assignments = assignments.in_force().filter(review__in=reviews)
        if (review := _param_int(self.request.query_params, "review", minimum=1)) is not None:
            assignments = assignments.filter(review_id=review)
        return assignments


class DrawViewSet(viewsets.ReadOnlyModelViewSet):
    """The drawings of lots, as the secretariat's draw pages show them (secretariat only)."""

    serializer_class = serializers.DrawSerializer
    permission_classes = [IsAuthenticated, IsSecretariat]

    def get_queryset(self):
        assignments = Assignment.objects.select_related("reviewer", "draw")
        return Draw.objects.select_related("mechanism", "group").prefetch_related(
            Prefetch("assignments", queryset=assignments)
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("review", OpenApiTypes.INT, description="A review id."),
            OpenApiParameter("actor", OpenApiTypes.INT, description="A user id."),
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                description="An action (review.step_cleared), or its prefix ending with a dot "
                "(review.).",
            ),
            OpenApiParameter("since", OpenApiTypes.DATE, description="From this day on."),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Up to this day included."),
        ]
    )
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, oldest first (secretariat only)."""

    serializer_class = serializers.AuditEventSerializer
    permission_classes = [IsAuthenticated, IsSecretariat]

    def get_queryset(self):
        events = AuditEvent.objects.select_related("actor")
        params = self.request.query_params
        if (review := _param_int(params, "review", minimum=1)) is not None:
            events = events.filter(review_id=review)
        if (actor := _param_int(params, "actor", minimum=1)) is not None:
            events = events.filter(actor_id=actor)
        if action_name := params.get("action"):
            if action_name.endswith("."):
                events = events.filter(action__startswith=action_name)
            else:
                events = events.filter(action=action_name)
        if since := _param_date(params.get("since")):
            events = events.filter(occurred_at__gte=_start_of(since))
        if until := _param_date(params.get("until")):
            events = events.filter(occurred_at__lt=_start_of(until + datetime.timedelta(days=1)))
        return events


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class GateView(APIView):
    """The phase gate of each group (any signed-in user, as on the page): for the phase asked for,
    or else the next phase of each group, as of a day (today if absent)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("mechanism", OpenApiTypes.STR, description="A mechanism code."),
            OpenApiParameter("group", OpenApiTypes.INT, description="A group number."),
            OpenApiParameter("phase", OpenApiTypes.INT, description="The phase to open (2+)."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="The day (YYYY-MM-DD)."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        params = request.query_params
        as_of = _param_date(params.get("as_of")) or timezone.localdate()
        rows = gate_overview(
            as_of=as_of,
            mechanism_code=_mechanism_code(params),
            group_number=_param_int(params, "group", minimum=1),
            phase_number=_param_int(params, "phase", minimum=2),
        )
        return Response(
            {"as_of": as_of, "results": [serializers.gate_row_data(row) for row in rows]}
        )


class NominationHealthView(APIView):
    """Missing, replaced and unresponsive nominees of each State in each open review
    (secretariat only), with the filters of the nomination health page."""

    permission_classes = [IsAuthenticated, IsSecretariat]

    @extend_schema(
        parameters=[
            OpenApiParameter("mechanism", OpenApiTypes.STR, description="A mechanism code."),
            OpenApiParameter("group", OpenApiTypes.INT, description="A group number."),
            OpenApiParameter("regional_group", OpenApiTypes.STR, description="A regional group."),
            OpenApiParameter("problem", OpenApiTypes.STR, enum=Problem.values),
            OpenApiParameter("overdue_by", OpenApiTypes.INT, description="Late by at least."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        params = request.query_params
        reviews = CountryReview.objects.visible_to(request.user)
        if mechanism := _mechanism_code(params):
            reviews = reviews.filter(mechanism__code=mechanism)
        if (group := _param_int(params, "group", minimum=1)) is not None:
            reviews = reviews.filter(group__number=group)
        rows = filter_health(
            nomination_health(reviews),
            regional_group=params.get("regional_group", ""),
            problem=_param_choice(params, "problem", Problem.choices),
            overdue_by=_param_int(params, "overdue_by"),
        )
        return Response({"results": [serializers.health_row_data(row) for row in rows]})
