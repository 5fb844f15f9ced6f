"""Notification emails, sent in the background in the language the recipient reads.

A failed delivery (the mail server refuses, cannot be reached…) never raises out of the task: the
notifications are marked failed with the reason, and the next `send_digests` run queues them
again (revmod.notifications.services.send_digests), up to MAX_EMAIL_ATTEMPTS.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from revmod.notifications.events import summaries
from revmod.notifications.models import Notification
from revmod.notifications.services import MAX_EMAIL_ATTEMPTS
from revmod.people.models import User

logger = logging.getLogger(__name__)
EmailStatus = Notification.EmailStatus


def link_of(notification: Notification, language: str | None = None) -> str:
    """The path of the notification's object in `language` (default: the active one)."""
    if not notification.link_name:
        return ""
    try:
        with translation.override(language or translation.get_language()):
            return reverse(notification.link_name, kwargs=notification.link_args or None)
    except NoReverseMatch:
        return ""


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else ""


def _deliver(user: User, notifications: list[Notification], *, digest: bool) -> None:
    with translation.override(user.preferred_language):
        language = translation.get_language()
        items = [
            {"summary": text, "link": _absolute(link_of(n, language)), "at": n.created_at}
            for n, text in zip(notifications, summaries(notifications), strict=True)
        ]
        if digest:
            subject = ngettext(
                "%(product)s: %(count)s notification",
                "%(product)s: %(count)s notifications",
                len(items),
            ) % {"product": settings.PRODUCT_NAME, "count": len(items)}
        else:
            subject = _("%(product)s: %(summary)s") % {
                "product": settings.PRODUCT_NAME,
                "summary": items[0]["summary"],
            }
        with translation.override(language):
            centre = _absolute(reverse("notifications:list"))
        context = {
            "user": user,
            "subject": subject,
            "items": items,
            "digest": digest,
            "centre": centre,
            "product": settings.PRODUCT_NAME,
        }
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject, text, to=[user.email], headers={"Content-Language": language}
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _send(user_id: int, ids: list[int], *, digest: bool) -> None:
    notifications = list(
        Notification.objects.filter(
            pk__in=ids, recipient_id=user_id, email_status=EmailStatus.QUEUED
        ).order_by("created_at", "pk")
    )
    if not notifications:
        return  # already sent by an earlier run of the same task
    user = User.objects.get(pk=user_id)
    pks = [n.pk for n in notifications]
    if user.status == User.Status.DEACTIVATED:
        Notification.objects.filter(pk__in=pks).update(email_status=EmailStatus.NONE)
        return
    try:
        _deliver(user, notifications, digest=digest)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Notification email to %s failed: %s", user.email, error)
        with transaction.atomic():
            for notification in Notification.objects.select_for_update().filter(pk__in=pks):
                notification.email_attempts += 1
                notification.email_failed_at = timezone.now()
                notification.email_error = f"{type(error).__name__}: {error}"[:500]
                notification.email_status = (
                    EmailStatus.FAILED
                    if notification.email_attempts < MAX_EMAIL_ATTEMPTS
                    else EmailStatus.ABANDONED
                )
                notification.save(
                    update_fields=[
                        "email_attempts",
                        "email_failed_at",
                        "email_error",
                        "email_status",
                    ]
                )
        return
    Notification.objects.filter(pk__in=pks).update(
        email_status=EmailStatus.SENT, emailed_at=timezone.now()
    )


@task()
def send_notification_email(notification_id: int) -> None:
    recipient = (
        Notification.objects.filter(pk=notification_id)
        .values_list("recipient_id", flat=True)
        .first()
    )
    if recipient is not None:
        _send(recipient, [notification_id], digest=False)


@task()
def send_digest_email(user_id: int, notification_ids: list[int]) -> None:
    _send(user_id, notification_ids, digest=True)
