"""The notification centre and the preferences page: each person sees and changes only their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from revmod.core.domain import DomainError, NotAllowed
from revmod.notifications import services
from revmod.notifications.events import EVENTS, summaries
from revmod.notifications.forms import PreferencesForm
from revmod.notifications.models import Notification, NotificationPreference
from revmod.notifications.tasks import link_of

PAGE_SIZE = 25


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-pk")
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    notifications = list(page.object_list)
    rows = [
        {"notification": n, "summary": text, "link": link_of(n)}
        for n, text in zip(notifications, summaries(notifications), strict=True)
    ]
    unread = mine.filter(read_at=None).exists()
    return render(
        request, "notifications/list.html", {"page": page, "rows": rows, "unread": unread}
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Another person's notification does not exist as far as this person knows.
    notification = get_object_or_404(Notification, pk=pk, recipient_id=request.user.pk)
    services.mark_read(actor=request.user, notification=notification)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(actor=request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    chosen = NotificationPreference.objects.filter(user=request.user.pk)
    current = dict(chosen.values_list("event", "frequency"))
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(
                actor=request.user, user=request.user, choices=form.cleaned_data
            )
        except (DomainError, NotAllowed) as error:
            form.add_error(None, str(getattr(error, "message", error)))
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
    mandatory = [event for event in EVENTS.values() if event.mandatory]
    return render(request, "notifications/preferences.html", {"form": form, "mandatory": mandatory})
