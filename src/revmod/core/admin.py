from django.contrib import admin

from revmod.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, readable and filterable; no one can add, change or delete an event."""

    list_display = ["occurred_at", "action", "actor", "target_label", "review_id", "state_code"]
    list_filter = ["action"]
    search_fields = ["action", "target_label", "actor__email", "state_code"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
