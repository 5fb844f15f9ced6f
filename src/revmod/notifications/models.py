"""Notifications: what one person is told, how they want to be told, and the reminders sent.

A notification stores an event code and its parameters (codes and dates), never a sentence: the
summary is written when it is read, in the language of its reader (revmod.notifications.events).
Every write goes through revmod.notifications.services.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    INSTANT = "instant", _("At once, one email each")
    DAILY = "daily", _("In a daily digest")
    WEEKLY = "weekly", _("In a weekly digest")
    OFF = "off", _("Not by email (in the notification centre only)")


class Notification(models.Model):
    class EmailStatus(models.TextChoices):
        NONE = "none", _("No email")
        PENDING = "pending", _("Waiting for the digest")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, to be retried")
        ABANDONED = "abandoned", _("Failed, no more retries")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("event"), max_length=40)
    review = models.ForeignKey(
        "reviews.CountryReview",
        verbose_name=_("review"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Where the notification leads: a URL name and its arguments, reversed in the reader's
    # language (pages carry the language in their path).
    link_name = models.CharField(_("link"), max_length=100, blank=True)
    link_args = models.JSONField(_("link arguments"), default=dict, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # How it is emailed, chosen from the recipient's preferences when it is created.
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Frequency.choices, default=Frequency.INSTANT
    )
    email_status = models.CharField(
        _("email"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.NONE
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_failed_at = models.DateTimeField(_("email last failed at"), null=True, blank=True)
    email_error = models.CharField(_("email error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["email_status", "delivery"], name="notification_email"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("event"), max_length=40)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "event"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="one_preference_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.event} {self.frequency}"


class ReminderSent(models.Model):
    """One reminder of one due date, as it stood (`due_on`): the unique constraint makes the
    scheduler idempotent, and an extension (a new `due_on`) starts a new series."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        OVERDUE = "overdue", _("On or after the due date")
        ESCALATION = "escalation", _("Escalation")

    due_date = models.ForeignKey(
        "reviews.DueDate",
        verbose_name=_("due date"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    due_on = models.DateField(_("due on"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Days before (before), number in the series from 0 (overdue), level (escalation: 1 the
    # focal point, 2 the secretariat).
    offset = models.PositiveSmallIntegerField(_("offset"))
    sent_for_day = models.DateField(_("sent for the day"))
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("recipients"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["due_date", "sent_for_day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["due_date", "due_on", "kind", "offset"], name="reminder_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.due_date} {self.kind} {self.offset} ({self.sent_for_day})"
