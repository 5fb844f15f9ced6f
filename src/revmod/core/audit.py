"""Writing to the audit trail. Domain functions call `record` inside their transaction."""

from typing import Any

from django.db import models
from django.utils import timezone

from revmod.core.models import AuditEvent


def record(
    action: str,
    *,
    actor=None,
    target: models.Model | None = None,
    review_id: int | None = None,
    state_code: str = "",
    data: dict[str, Any] | None = None,
    at=None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        occurred_at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        review_id=review_id,
        state_code=state_code,
        data=data or {},
    )
