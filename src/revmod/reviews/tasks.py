"""Reminders sent now by the secretariat to the focal points of the States under review.

A stopgap until the notifications app schedules reminders itself: `remind_focal_points` is the
domain action (permission, audit, enqueue after the commit); `send_reminder` writes the email in
the language the recipient reads.
"""

from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from revmod.core import audit
from revmod.core.domain import NotAllowed
from revmod.people.models import Nomination, User
from revmod.people.rules import is_secretariat
from revmod.people.tasks import absolute_url
from revmod.reviews.models import CountryReview
from revmod.reviews.queries import annotate_reviews, step_definitions


@dataclass
class Reminders:
    sent: list[Nomination] = field(default_factory=list)
    # Reviews whose State under review has no focal point to remind.
    without_focal_point: list[CountryReview] = field(default_factory=list)
    # Closed reviews: nothing to remind anyone of.
    closed: list[CountryReview] = field(default_factory=list)


@transaction.atomic
def remind_focal_points(*, actor, reviews) -> Reminders:
    """Email the current focal point of the State under review of each review about its current
    step; record one audit event per reminder."""
    if not is_secretariat(actor):
        raise NotAllowed(_("Only the secretariat can send reminders."))
    chosen = CountryReview.objects.filter(pk__in=[r.pk for r in reviews]).select_related("state")
    reviews = list(annotate_reviews(chosen))
    definitions = step_definitions(reviews)
    focal_points = {
        nomination.review_id: nomination
        for nomination in Nomination.objects.current()
        .filter(review__in=reviews, role=Nomination.Role.FOCAL_POINT, state=F("review__state"))
        .select_related("person")
    }
    result = Reminders()
    for review in reviews:
        if review.closed_at is not None:
            result.closed.append(review)
            continue
        nomination = focal_points.get(review.pk)
        if nomination is None:
            result.without_focal_point.append(review)
            continue
        definition = definitions.get(review.current_step_definition_id)
        audit.record(
            "review.reminder_sent",
            actor=actor,
            target=review,
            review_id=review.pk,
            state_code=review.state_id,
            data={
                "to": nomination.person.email,
                "step": definition.code if definition else None,
                "due_on": review.next_due_on.isoformat() if review.next_due_on else None,
            },
        )
        transaction.on_commit(partial(send_reminder.enqueue, nomination.person_id, review.pk))
        result.sent.append(nomination)
    return result


@task()
def send_reminder(person_id: int, review_id: int) -> None:
    person = User.objects.get(pk=person_id)
    review = annotate_reviews(CountryReview.objects.filter(pk=review_id)).get()
    with translation.override(person.preferred_language):
        language = translation.get_language()
        definition = step_definitions([review]).get(review.current_step_definition_id)
        step_name = definition.name if definition else _("No step open")
        subject = _("Reminder: %(step)s, review of %(state)s") % {
            "step": step_name,
            "state": review.state.name,
        }
        context = {
            "user": person,
            "subject": subject,
            "review": review,
            "step_name": step_name,
            "phase_number": review.current_phase_number,
            "due_on": review.next_due_on,
            "overdue": review.next_due_on is not None and review.next_due_on < timezone.localdate(),
            "link": absolute_url("reviews:review", language=language, pk=review.pk),
            "product": settings.PRODUCT_NAME,
        }
        text = render_to_string("reviews/email/reminder.txt", context)
        html = render_to_string("reviews/email/reminder.html", context)
    message = EmailMultiAlternatives(
        subject, text, to=[person.email], headers={"Content-Language": language}
    )
    message.attach_alternative(html, "text/html")
    message.send()
