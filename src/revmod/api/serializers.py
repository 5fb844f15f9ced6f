"""Read serializers for the reference data: mechanisms and their rules, instruments, parties.

Translated fields (`name`, `short_name`, `description`) are read through modeltranslation, so they
come out in the language active for the request, falling back to English.
"""

from rest_framework import serializers

from revmod.mechanisms.models import (
    Cluster,
    ClusterArticle,
    DrawRules,
    Mechanism,
    PhaseDefinition,
    ReviewGroup,
    StepDeadline,
    StepDefinition,
)
from revmod.parties.models import Instrument, PartyStatus, RegionalGroup, State


class InstrumentSerializer(serializers.ModelSerializer):
    # `parent` is the parent convention's code: the primary key of an instrument.

    class Meta:
        model = Instrument
        fields = ["code", "name", "short_name", "parent", "adopted_on"]


class RegionalGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegionalGroup
        fields = ["code", "name"]


class ClusterArticleSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument_id", read_only=True)

    class Meta:
        model = ClusterArticle
        fields = ["instrument", "article"]


class ClusterSerializer(serializers.ModelSerializer):
    mechanism: serializers.SlugRelatedField[Mechanism] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    articles = ClusterArticleSerializer(many=True, read_only=True)

    class Meta:
        model = Cluster
        fields = ["id", "mechanism", "number", "name", "articles_assumed", "articles"]


class PhaseSerializer(serializers.ModelSerializer):
    cluster = serializers.IntegerField(source="cluster.number", read_only=True)

    class Meta:
        model = PhaseDefinition
        fields = ["number", "cluster"]


class ReviewGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewGroup
        fields = ["number", "starts_on", "foreseen_reviews"]


class StepDeadlineSerializer(serializers.ModelSerializer):
    anchor_step: serializers.SlugRelatedField[StepDefinition] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = StepDeadline
        fields = ["code", "name", "amount", "unit", "anchor_step", "anchor_event"]


class StepSerializer(serializers.ModelSerializer):
    deadlines = StepDeadlineSerializer(many=True, read_only=True)

    class Meta:
        model = StepDefinition
        fields = [
            "order",
            "code",
            "name",
            "description",
            "optional",
            "cleared_by_focal_point",
            "counts_as_completed",
            "deadlines",
        ]


class DrawRulesSerializer(serializers.ModelSerializer):
    class Meta:
        model = DrawRules
        fields = [
            "same_group_reviewers",
            "other_group_reviewers",
            "any_group_reviewers",
            "per_instrument",
            "forbid_mutual_pairs",
            "max_reviews_per_state",
            "balance_load",
            "max_redraws",
            "cadence",
        ]


class MechanismSerializer(serializers.ModelSerializer):
    instruments = InstrumentSerializer(many=True, read_only=True)
    clusters = ClusterSerializer(many=True, read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)
    groups = ReviewGroupSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    # A mechanism loaded without draw rules has none yet: null rather than an error.
    draw_rules = DrawRulesSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Mechanism
        fields = [
            "code",
            "name",
            "short_name",
            "description",
            "phase_length_months",
            "gate_threshold_percent",
            "activation_link_days",
            "instruments",
            "clusters",
            "phases",
            "groups",
            "steps",
            "draw_rules",
        ]


class PartyStatusSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument_id", read_only=True)

    class Meta:
        model = PartyStatus
        fields = ["instrument", "became_party_on", "action", "withdrawn_on"]


class PartySerializer(serializers.ModelSerializer):
    regional_group = RegionalGroupSerializer(read_only=True, allow_null=True)
    draw_group = RegionalGroupSerializer(read_only=True, allow_null=True)
    party_statuses = PartyStatusSerializer(many=True, read_only=True)

    class Meta:
        model = State
        fields = ["code", "name", "kind", "regional_group", "draw_group", "party_statuses"]
