"""Notifications in the admin: read only, to see what was sent and which emails failed."""

from django.contrib import admin

from revmod.notifications.models import Notification, ReminderSent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "event", "review", "delivery", "email_status"]
    list_filter = ["event", "delivery", "email_status"]
    list_select_related = ["recipient", "review__state"]
    search_fields = ["recipient__email"]
    date_hierarchy = "created_at"


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["sent_for_day", "due_date", "due_on", "kind", "offset"]
    list_filter = ["kind"]
