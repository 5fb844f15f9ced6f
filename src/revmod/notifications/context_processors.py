from django.http import HttpRequest

from revmod.notifications.models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """The number of unread notifications for the main navigation (one query, signed in only)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    unread = Notification.objects.filter(recipient=user, read_at=None)
    return {"unread_notifications": unread.count()}
