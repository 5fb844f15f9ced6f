"""The admin of mechanism definitions: the secretariat adjusts the rules here between loads.

Edits made here are kept by `revmod load_mechanism`, which reports them as conflicts instead of
overwriting them (see revmod.mechanisms.services)."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from revmod.mechanisms.models import (
    Cluster,
    ClusterArticle,
    ConferenceDecision,
    DrawRules,
    Mechanism,
    MechanismInstrument,
    PhaseDefinition,
    ReviewGroup,
    StepDeadline,
    StepDefinition,
)


class MechanismInstrumentInline(admin.TabularInline):
    model = MechanismInstrument
    extra = 0


class DrawRulesInline(admin.StackedInline):
    model = DrawRules
    can_delete = False
    max_num = 1
    readonly_fields = ["loaded_values"]


@admin.register(Mechanism)
class MechanismAdmin(TranslationAdmin):
    list_display = ["code", "short_name", "phase_length_months", "gate_threshold_percent"]
    search_fields = ["code", "name", "short_name"]
    readonly_fields = ["loaded_values"]
    inlines = [MechanismInstrumentInline, DrawRulesInline]


class ClusterArticleInline(admin.TabularInline):
    model = ClusterArticle
    extra = 0


@admin.register(Cluster)
class ClusterAdmin(TranslationAdmin):
    list_display = ["number", "name", "mechanism", "articles_assumed"]
    list_filter = ["mechanism", "articles_assumed"]
    readonly_fields = ["loaded_values"]
    inlines = [ClusterArticleInline]


@admin.register(PhaseDefinition)
class PhaseDefinitionAdmin(admin.ModelAdmin):
    list_display = ["number", "mechanism", "cluster"]
    list_filter = ["mechanism"]
    list_select_related = ["mechanism", "cluster"]
    readonly_fields = ["loaded_values"]


@admin.register(ReviewGroup)
class ReviewGroupAdmin(admin.ModelAdmin):
    list_display = ["number", "mechanism", "starts_on", "foreseen_reviews"]
    list_filter = ["mechanism"]
    list_select_related = ["mechanism"]
    readonly_fields = ["loaded_values"]


class StepDeadlineInline(TranslationTabularInline):
    model = StepDeadline
    fk_name = "step"
    extra = 0
    readonly_fields = ["loaded_values"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A deadline counts from a step of the same mechanism, never from another mechanism's.
        step_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        if db_field.name == "anchor_step" and step_id:
            kwargs["queryset"] = StepDefinition.objects.filter(mechanism__steps=step_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(StepDefinition)
class StepDefinitionAdmin(TranslationAdmin):
    list_display = [
        "order",
        "code",
        "name",
        "mechanism",
        "optional",
        "cleared_by_focal_point",
        "submitted_by",
        "counts_as_completed",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["mechanism"]
    list_select_related = ["mechanism"]
    readonly_fields = ["loaded_values"]
    inlines = [StepDeadlineInline]


@admin.register(ConferenceDecision)
class ConferenceDecisionAdmin(admin.ModelAdmin):
    list_display = ["reference", "mechanism", "group", "phase_number", "effect", "decided_on"]
    list_filter = ["mechanism", "effect"]
    search_fields = ["reference", "text"]
    date_hierarchy = "decided_on"
    list_select_related = ["mechanism", "group"]
