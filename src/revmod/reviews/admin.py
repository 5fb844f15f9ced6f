from django.contrib import admin

from revmod.reviews.models import (
    CountryReview,
    DueDate,
    Extension,
    ReviewPhase,
    ReviewStep,
    StepTransition,
)


class ReadOnly:
    """Reviews are created and changed through the domain layer (revmod.reviews.services), never
    by editing rows here: the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewPhaseInline(ReadOnly, admin.TabularInline):
    model = ReviewPhase
    fields = ["definition", "starts_on", "launched_at", "status", "completed_at"]
    show_change_link = True
    extra = 0


@admin.register(CountryReview)
class CountryReviewAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["state", "mechanism", "group", "closed_at"]
    list_filter = ["mechanism", "group", "state__regional_group"]
    search_fields = ["state__name", "state__code"]
    list_select_related = ["state", "mechanism", "group"]
    inlines = [ReviewPhaseInline]


class ReviewStepInline(ReadOnly, admin.TabularInline):
    model = ReviewStep
    fields = ["definition", "status", "opened_at", "completed_at"]
    show_change_link = True
    extra = 0


@admin.register(ReviewPhase)
class ReviewPhaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["review", "definition", "starts_on", "status", "completed_at"]
    list_filter = ["status", "definition__mechanism", "definition__number"]
    search_fields = ["review__state__name", "review__state__code"]
    list_select_related = ["review__state", "definition__cluster"]
    inlines = [ReviewStepInline]


class DueDateInline(ReadOnly, admin.TabularInline):
    model = DueDate
    fields = ["deadline", "original_due_on", "due_on"]
    extra = 0


class StepTransitionInline(ReadOnly, admin.TabularInline):
    model = StepTransition
    fields = ["at", "from_status", "to_status", "actor", "state_code", "reason"]
    extra = 0


@admin.register(ReviewStep)
class ReviewStepAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["phase", "definition", "status", "opened_at", "completed_at"]
    list_filter = ["status", "definition__mechanism", "definition__code"]
    search_fields = ["phase__review__state__name", "phase__review__state__code"]
    list_select_related = ["phase__review__state", "phase__definition__cluster", "definition"]
    inlines = [DueDateInline, StepTransitionInline]


@admin.register(Extension)
class ExtensionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["due_date", "previous_due_on", "new_due_on", "granted_by", "granted_at"]
    search_fields = ["due_date__step__phase__review__state__name", "reason"]
    list_select_related = ["due_date__deadline", "granted_by"]
    date_hierarchy = "granted_at"
