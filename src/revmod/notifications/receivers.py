"""Turning what happens in reviews (the `review_event` signal) into notifications."""

import logging

from django.dispatch import receiver

from revmod.notifications import services
from revmod.notifications.events import SIGNAL_EVENTS, Occasion
from revmod.reviews.models import CountryReview
from revmod.reviews.signals import review_event

logger = logging.getLogger(__name__)


@receiver(review_event, sender=CountryReview, dispatch_uid="notifications.review_event")
def on_review_event(sender, event: str, review, actor, at, **objects) -> None:
    code = SIGNAL_EVENTS.get(event)
    if code is None:
        return
    due_date = objects.get("due_date")
    step = objects.get("step") or (due_date.step if due_date is not None else None)
    phase = objects.get("phase") or (step.phase if step is not None else None)
    occasion = Occasion(
        review=review,
        actor=actor,
        step=step,
        phase_number=phase.definition.number if phase is not None else None,
        due_on=due_date.due_on if due_date is not None else None,
    )
    # The change is committed already: a failure here must not turn it into an error page.
    try:
        services.notify_review_event(code, occasion, at=at)
    except Exception:
        logger.exception("Notifications of %s in review %s failed", event, review.pk)
