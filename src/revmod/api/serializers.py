"""Serializers of the API: the reference data (mechanisms and their rules, instruments, parties),
country reviews with their phases, steps and due dates, extensions, draws, the audit trail, and
the computed phase gate and nomination health.

Translated fields (`name`, `short_name`, `description`) are read through modeltranslation, so they
come out in the language active for the request, falling back to English.
"""

from django.utils.translation import gettext
from rest_framework import serializers

from revmod.core.models import AuditEvent
from revmod.draws.models import Assignment, Draw
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
from revmod.parties.models import Instrument, Language, PartyStatus, RegionalGroup, State
from revmod.reviews.gate import GateRow
from revmod.reviews.health import StateHealth, Vacancy
from revmod.reviews.models import CountryReview, DueDate, Extension, ReviewPhase, ReviewStep


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


# --- Country reviews --------------------------------------------------------------------------


class DueDateSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="deadline.code", read_only=True)
    name = serializers.CharField(source="deadline.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = DueDate
        fields = ["id", "code", "name", "original_due_on", "due_on", "overdue"]

    def get_overdue(self, due_date: DueDate) -> bool:
        return due_date.is_overdue(self.context.get("today"))


class ReviewStepSerializer(serializers.ModelSerializer):
    """A step within its review's phase (the review detail nests these)."""

    code = serializers.CharField(source="definition.code", read_only=True)
    name = serializers.CharField(source="definition.name", read_only=True)
    order = serializers.IntegerField(source="definition.order", read_only=True)
    due_dates = DueDateSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewStep
        fields = ["id", "order", "code", "name", "status", "opened_at", "completed_at", "due_dates"]


class StepDetailSerializer(ReviewStepSerializer):
    """A step on its own: with the review and phase it belongs to."""

    review = serializers.IntegerField(source="phase.review_id", read_only=True)
    phase = serializers.IntegerField(source="phase.definition.number", read_only=True)

    class Meta(ReviewStepSerializer.Meta):
        fields = ["review", "phase", *ReviewStepSerializer.Meta.fields]


class ReviewPhaseSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="definition.number", read_only=True)
    cluster = serializers.CharField(source="definition.cluster.name", read_only=True)
    steps = ReviewStepSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewPhase
        fields = [
            "number",
            "cluster",
            "starts_on",
            "launched_at",
            "status",
            "completed_at",
            "steps",
        ]


class ReviewStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["code", "name"]


class ReviewSerializer(serializers.ModelSerializer):
    mechanism: serializers.SlugRelatedField[Mechanism] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    group = serializers.IntegerField(source="group.number", read_only=True)
    state = ReviewStateSerializer(read_only=True)
    working_languages: serializers.SlugRelatedField[Language] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    progress = serializers.CharField(read_only=True)
    current_phase = serializers.IntegerField(source="current_phase_number", read_only=True)

    class Meta:
        model = CountryReview
        fields = [
            "id",
            "mechanism",
            "group",
            "state",
            "working_languages",
            "progress",
            "current_phase",
            "created_at",
            "closed_at",
        ]


class ReviewDetailSerializer(ReviewSerializer):
    # Only launched phases have steps: the view prefetches them as `launched_phases`.
    phases = ReviewPhaseSerializer(source="launched_phases", many=True, read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "closed_reason", "phases"]


class ExtensionSerializer(serializers.ModelSerializer):
    step = serializers.IntegerField(source="due_date.step_id", read_only=True)
    deadline = serializers.CharField(source="due_date.deadline.code", read_only=True)
    granted_by = serializers.CharField(source="granted_by.full_name", read_only=True)

    class Meta:
        model = Extension
        fields = [
            "id",
            "due_date",
            "step",
            "deadline",
            "previous_due_on",
            "new_due_on",
            "reason",
            "granted_by",
            "granted_at",
        ]


class ExtensionRequestSerializer(serializers.Serializer):
    """What a client sends to extend a due date: a new date or a number of days, and a reason."""

    due_date = serializers.IntegerField()
    new_due_on = serializers.DateField(required=False)
    days = serializers.IntegerField(required=False, min_value=1)
    reason = serializers.CharField(allow_blank=True, default="")

    def validate(self, attrs):
        if ("new_due_on" in attrs) == ("days" in attrs):
            raise serializers.ValidationError(
                gettext("Give either a new due date or a number of days, not both.")
            )
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, default="")


# --- Drawing of lots --------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer = ReviewStateSerializer(read_only=True)
    phase = serializers.IntegerField(source="draw.phase_number", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "draw",
            "review",
            "phase",
            "reviewer",
            "slot",
            "instruments",
            "additional",
            "active",
            "replaced_by",
        ]


class DrawSerializer(serializers.ModelSerializer):
    mechanism: serializers.SlugRelatedField[Mechanism] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    group = serializers.IntegerField(source="group.number", read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Draw
        fields = [
            "id",
            "mechanism",
            "group",
            "phase_number",
            "seed",
            "parties_on",
            "rules",
            "attempts",
            "status",
            "created_at",
            "confirmed_at",
            "discarded_at",
            "assignments",
        ]


# --- Audit trail ------------------------------------------------------------------------------


class AuditEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    review = serializers.IntegerField(source="review_id", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "actor_name",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "review",
            "state_code",
            "data",
        ]

    def get_actor_name(self, event: AuditEvent) -> str:
        return str(event.actor) if event.actor else ""


# --- Phase gate and nomination health (computed, not models) ----------------------------------


def gate_row_data(row: GateRow) -> dict:
    data: dict = {"mechanism": row.group.mechanism.code, "group": row.group.number, "phase": None}
    if row.gate is None:
        return data
    verdict = row.gate.verdict
    decision = verdict.decision
    return {
        **data,
        "phase": row.phase_number,
        "as_of": row.gate.as_of,
        "previous_phase_starts_on": row.gate.previous_phase_starts_on,
        "foreseen": verdict.foreseen,
        "completed": verdict.completed,
        "required": verdict.required,
        "missing": verdict.missing,
        "threshold_percent": str(verdict.threshold_percent),
        "met": verdict.met,
        "opens": verdict.opens,
        "decision": None
        if decision is None
        else {
            "reference": decision.reference,
            "decided_on": decision.decided_on,
            "effect": decision.effect,
            "group": decision.group.number if decision.group else None,
        },
        "explanation": row.gate.explanation,
    }


def _vacancy_data(vacancy: Vacancy | None) -> dict | None:
    if vacancy is None:
        return None
    return {
        "since": vacancy.since,
        "due_on": vacancy.due_on,
        "overdue_days": vacancy.overdue_days,
    }


def health_row_data(row: StateHealth) -> dict:
    focal_point = row.focal_point
    silence = row.silence
    return {
        "review": row.review.pk,
        "mechanism": row.review.mechanism.code,
        "group": row.review.group.number,
        "state_under_review": row.review.state_id,
        "state": {"code": row.state.code, "name": row.state.name},
        "regional_group": row.state.regional_group_id,
        "under_review": row.under_review,
        "problems": row.problems,
        "focal_point": None
        if focal_point is None
        else {
            "person": focal_point.person_id,
            "name": str(focal_point.person),
            "since": focal_point.starts_on,
            "days_without_activity": silence.days if silence else None,
            "last_activity": silence.last_activity if silence else None,
            "unresponsive": row.unresponsive,
        },
        "missing_focal_point": _vacancy_data(row.missing_focal_point),
        "missing_experts": _vacancy_data(row.missing_experts),
        "focal_point_changes": row.focal_point_changes,
        "follow_ups": [
            {
                "id": follow_up.pk,
                "channel": follow_up.channel,
                "contacted_on": follow_up.contacted_on,
                "contact_person": follow_up.contact_person,
                "outcome": follow_up.outcome,
                "outcome_note": follow_up.outcome_note,
            }
            for follow_up in row.follow_ups
        ],
    }
