from django.contrib import admin

from revmod.draws.models import Assignment, Draw, Redraw


class ReadOnly:
    """Draws are made, confirmed and redrawn through revmod.draws.services, never here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssignmentInline(ReadOnly, admin.TabularInline):
    model = Assignment
    fk_name = "draw"
    fields = ["review", "slot", "reviewer", "instruments", "additional", "active", "replaced_by"]
    extra = 0


@admin.register(Draw)
class DrawAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "status", "seed", "created_at", "created_by", "confirmed_at"]
    list_filter = ["mechanism", "group", "phase_number", "status"]
    list_select_related = ["mechanism", "group", "created_by"]
    date_hierarchy = "created_at"
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["review", "slot", "reviewer", "instruments", "additional", "active", "draw"]
    list_filter = ["draw__mechanism", "draw__phase_number", "slot", "additional", "active"]
    search_fields = ["review__state__name", "reviewer__name", "reviewer__code"]
    list_select_related = ["review__state", "reviewer", "draw__group", "draw__mechanism"]


@admin.register(Redraw)
class RedrawAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "requested_by", "actor", "at"]
    search_fields = ["reason", "replaced__review__state__name"]
    list_select_related = [
        "requested_by",
        "actor",
        "replaced__reviewer",
        "new_assignment__reviewer",
    ]
    date_hierarchy = "at"
