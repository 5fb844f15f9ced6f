import datetime

import pytest
from django.core import mail
from reviews.helpers import moment

from factories import SecretariatFactory
from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.notifications import services
from revmod.notifications.models import (
    Frequency,
    Notification,
    NotificationPreference,
    ReminderSent,
)
from revmod.reviews import services as reviews

from .helpers import open_self_assessment

pytestmark = pytest.mark.django_db

Kind = ReminderSent.Kind


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def run_days(first: datetime.date, last: datetime.date) -> dict[datetime.date, list]:
    """Run the scheduler once a day (twice on each day, to prove it idempotent) and return what
    each day sent, as (kind, offset, recipient ids)."""
    sent: dict[datetime.date, list] = {}
    day = first
    while day <= last:
        first_run = services.send_reminders(today=day, at=moment(day, 6))
        second_run = services.send_reminders(today=day, at=moment(day, 18))
        assert second_run.sent == []
        if first_run.sent:
            sent[day] = [
                (r.kind, r.offset, sorted(r.recipients.values_list("pk", flat=True)))
                for r in first_run.sent
            ]
        day += days(1)
    return sent


def test_the_mechanism_definition_carries_the_reminder_settings(untoc):
    assert untoc.reminder_days_before == [14, 3]
    assert untoc.overdue_reminder_every_days == 7
    assert untoc.overdue_reminder_max == 4
    assert untoc.escalate_after_reminders == 2


def test_a_step_due_in_20_days_is_reminded_before_on_and_after_its_due_date_then_escalated(cast):
    due_date = open_self_assessment(cast)
    officer = SecretariatFactory()
    reviews.assign_officer(actor=cast.secretariat, reviews=[cast.review], officer=officer)
    due = due_date.due_on

    sent = run_days(due - days(20), due + days(40))

    expert, focal_point = [cast.expert.pk], [cast.focal_point.pk]
    assert sent == {
        due - days(14): [(Kind.BEFORE, 14, expert)],
        due - days(3): [(Kind.BEFORE, 3, expert)],
        due: [(Kind.OVERDUE, 0, expert)],
        due + days(7): [(Kind.OVERDUE, 1, expert), (Kind.ESCALATION, 1, focal_point)],
        due + days(14): [(Kind.OVERDUE, 2, expert)],
        due + days(21): [(Kind.OVERDUE, 3, expert), (Kind.ESCALATION, 2, [officer.pk])],
    }
    # Each reminder is a notification of its recipients, and each is in the audit trail.
    assert Notification.objects.filter(event="overdue", recipient=cast.expert).count() == 4
    assert Notification.objects.filter(event="escalation").count() == 2
    assert AuditEvent.objects.filter(action="notifications.reminder_sent").count() == 8


def test_an_extension_stops_the_overdue_reminders_and_the_new_date_is_reminded_anew(cast):
    due_date = open_self_assessment(cast)
    due = due_date.due_on
    run_days(due - days(20), due + days(1))
    assert ReminderSent.objects.filter(kind=Kind.OVERDUE).count() == 1

    new_due = due + days(30)
    reviews.grant_extension(
        actor=cast.secretariat,
        due_date=due_date,
        new_due_on=new_due,
        reason="Asked by the Permanent Mission.",
        at=moment(due + days(2)),
    )
    sent = run_days(due + days(2), new_due - days(1))

    # No overdue reminder nor escalation for the old date: only the new date's reminders.
    assert sent == {
        new_due - days(14): [(Kind.BEFORE, 14, [cast.expert.pk])],
        new_due - days(3): [(Kind.BEFORE, 3, [cast.expert.pk])],
    }


def test_a_finished_step_is_no_longer_reminded(cast):
    due_date = open_self_assessment(cast)
    due = due_date.due_on
    reviews.submit_for_clearance(actor=cast.expert, step=due_date.step, at=moment(due - days(5)))
    # Awaiting clearance: the focal point is the one to act.
    assert run_days(due - days(3), due - days(3)) == {
        due - days(3): [(Kind.BEFORE, 3, [cast.focal_point.pk])]
    }
    reviews.clear_and_submit(actor=cast.focal_point, step=due_date.step, at=moment(due - days(2)))

    assert run_days(due - days(2), due + days(30)) == {}


def test_a_closed_review_is_not_reminded(cast):
    due_date = open_self_assessment(cast)
    reviews.close_review(actor=cast.secretariat, review=cast.review, reason="Withdrawn.")

    assert run_days(due_date.due_on - days(14), due_date.due_on + days(14)) == {}


def test_a_missed_day_is_caught_up_once_with_the_nearest_reminder_only(cast):
    due_date = open_self_assessment(cast)
    due = due_date.due_on
    # The scheduler did not run for two weeks: it sends the 3-day reminder, not the 14-day one.
    run = services.send_reminders(today=due - days(2), at=moment(due - days(2)))
    assert [(r.kind, r.offset) for r in run.sent] == [(Kind.BEFORE, 3)]


def test_reminders_are_mandatory_and_emailed_at_once_whatever_the_preferences(cast):
    due_date = open_self_assessment(cast)
    NotificationPreference.objects.create(
        user=cast.expert, event="due_soon", frequency=Frequency.OFF
    )
    due = due_date.due_on
    services.send_reminders(today=due - days(3), at=moment(due - days(3)))
    notification = Notification.objects.get(event="due_soon")
    assert notification.delivery == Frequency.INSTANT
    assert notification.email_status == Notification.EmailStatus.QUEUED


def test_only_the_secretariat_may_run_the_scheduler_by_hand(cast):
    with pytest.raises(NotAllowed):
        services.send_reminders(actor=cast.focal_point)


def test_preferences_change_the_delivery_but_a_mandatory_event_cannot_be_turned_off(cast):
    changed = services.set_preferences(
        actor=cast.expert, user=cast.expert, choices={"step_opened": Frequency.WEEKLY}
    )
    assert changed == {"step_opened": "weekly"}
    assert AuditEvent.objects.filter(action="notifications.preferences_changed").count() == 1
    with pytest.raises(DomainError, match="always sent at once"):
        services.set_preferences(
            actor=cast.expert, user=cast.expert, choices={"overdue": Frequency.OFF}
        )
    with pytest.raises(NotAllowed):
        services.set_preferences(
            actor=cast.expert, user=cast.focal_point, choices={"step_opened": Frequency.OFF}
        )
    assert NotificationPreference.objects.filter(user=cast.focal_point).count() == 0


def test_a_notification_about_a_review_never_reaches_someone_outside_it_even_if_named(cast):
    created = services.notify(
        "step_opened",
        review=cast.review,
        recipients=[cast.expert.pk, cast.outsider.pk],
        params={"state": cast.state.code},
    )
    assert [n.recipient_id for n in created] == [cast.expert.pk]
    assert mail.outbox == []  # nothing is emailed before the commit
