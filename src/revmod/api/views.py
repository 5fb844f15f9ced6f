"""Read endpoints for the reference data. Any signed-in user may read them (the default
IsAuthenticated permission); nothing here is confidential review content."""

import datetime

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from revmod.api import serializers
from revmod.mechanisms.models import (
    Cluster,
    Mechanism,
    PhaseDefinition,
    StepDeadline,
    StepDefinition,
)
from revmod.parties.models import Instrument, PartyStatus, RegionalGroup, State

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
