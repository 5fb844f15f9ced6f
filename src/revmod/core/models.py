"""Core models: the append-only audit trail every domain action writes to."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    # The audit trail is evidence: nothing in the application may rewrite or erase it.
    def update(self, **kwargs):
        raise PermissionDenied(_("The audit trail cannot be changed."))

    def delete(self):
        raise PermissionDenied(_("The audit trail cannot be changed."))

    def for_review(self, review_id: int):
        return self.filter(review_id=review_id)


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("object type"), max_length=80, blank=True)
    target_id = models.CharField(_("object"), max_length=64, blank=True)
    target_label = models.CharField(_("object label"), max_length=300, blank=True)
    # Plain ids rather than foreign keys: core sits below the apps whose objects it records.
    review_id = models.BigIntegerField(_("review"), null=True, blank=True, db_index=True)
    state_code = models.CharField(_("State"), max_length=8, blank=True, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied(_("The audit trail cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(_("The audit trail cannot be changed."))
