"""Domain functions of the notifications: the only way notifications, preferences and reminders
are written.

`notify` writes one notification per recipient allowed to see the review and enqueues the instant
emails after the commit; `send_reminders` and `send_digests` are the idempotent periodic work that
`revmod send_reminders` / `revmod send_digests` run (the worker loop of `revmod serve`, or cron).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from revmod.core import audit
from revmod.core.domain import DomainError, NotAllowed
from revmod.notifications.events import EVENTS, Occasion, owner_states, people
from revmod.notifications.models import (
    Frequency,
    Notification,
    NotificationPreference,
    ReminderSent,
)
from revmod.people.models import Nomination, User
from revmod.people.rules import is_secretariat
from revmod.reviews.models import CountryReview, DueDate, ReviewStep, StepSubmission

EmailStatus = Notification.EmailStatus
# A failed email is tried again by each run of `send_digests`, up to this many attempts in all:
# a delivery matter, not a rule of the mechanism.
MAX_EMAIL_ATTEMPTS = 5


# --- Who may read what --------------------------------------------------------------------------


def allowed_readers(review: CountryReview | None, candidates: Iterable[int]) -> set[int]:
    """Of `candidates`, those who may see `review` (its current nominations and the active
    secretariat), mirroring CountryReview.objects.visible_to; deactivated accounts never."""
    candidates = set(candidates)
    if not candidates:
        return set()
    users = User.objects.filter(pk__in=candidates).exclude(status=User.Status.DEACTIVATED)
    if review is None:
        return set(users.values_list("pk", flat=True))
    nominated = Nomination.objects.current().filter(review=review).values("person_id")
    secretariat = Q(is_secretariat=True, status=User.Status.ACTIVE)
    return set(users.filter(Q(pk__in=nominated) | secretariat).values_list("pk", flat=True))


def frequencies(user_ids: Iterable[int], event: str) -> dict[int, str]:
    chosen = NotificationPreference.objects.filter(user_id__in=list(user_ids), event=event)
    return dict(chosen.values_list("user_id", "frequency"))


# --- Writing notifications ----------------------------------------------------------------------


@transaction.atomic
def notify(
    event: str,
    *,
    review: CountryReview | None,
    recipients: Iterable[int],
    params: dict,
    link_name: str = "",
    link_args: dict | None = None,
    exclude: Iterable[int] = (),
    at: datetime.datetime | None = None,
) -> list[Notification]:
    """Write one notification of `event` per recipient who may see `review` (others are dropped
    whoever named them), and enqueue the instant emails once the transaction commits."""
    at = at or timezone.now()
    kind = EVENTS.get(event)
    if kind is None:
        raise DomainError(_("Unknown notification event %(event)s.") % {"event": event})
    readers = allowed_readers(review, set(recipients) - set(exclude))
    chosen = {} if kind.mandatory else frequencies(readers, event)
    created = []
    for reader in sorted(readers):
        delivery = chosen.get(reader, Frequency.INSTANT)
        status = {
            Frequency.INSTANT: EmailStatus.QUEUED,
            Frequency.OFF: EmailStatus.NONE,
        }.get(Frequency(delivery), EmailStatus.PENDING)
        created.append(
            Notification(
                recipient_id=reader,
                event=event,
                review=review,
                link_name=link_name,
                link_args=link_args or {},
                params=params,
                created_at=at,
                delivery=delivery,
                email_status=status,
            )
        )
    Notification.objects.bulk_create(created)
    from revmod.notifications import tasks

    for notification in created:
        if notification.email_status == EmailStatus.QUEUED:
            transaction.on_commit(partial(tasks.send_notification_email.enqueue, notification.pk))
    return created


def review_params(review: CountryReview, step: ReviewStep | None = None, **more) -> dict:
    params: dict = {"state": review.state_id}
    if step is not None:
        params["step"] = step.definition_id
        params["phase"] = step.phase.definition.number
    return params | {key: value for key, value in more.items() if value is not None}


def notify_review_event(event: str, occasion: Occasion, *, at=None) -> list[Notification]:
    """Tell everyone the catalogue names for `event` about what happened in a review."""
    review = occasion.review
    params = review_params(review, occasion.step, phase=occasion.phase_number)
    if occasion.due_on is not None:
        params["due_on"] = occasion.due_on.isoformat()
    return notify(
        event,
        review=review,
        recipients=EVENTS[event].recipients(occasion),
        params=params,
        link_name="reviews:review",
        link_args={"pk": review.pk},
        # Nobody needs telling what they just did themselves.
        exclude={occasion.actor.pk} if getattr(occasion.actor, "pk", None) else set(),
        at=at,
    )


# --- The notification centre --------------------------------------------------------------------
# Marking read is the reader's own bookkeeping, not review content: no audit event.


def _own(actor, notification: Notification) -> None:
    if not getattr(actor, "is_authenticated", False) or notification.recipient_id != actor.pk:
        raise NotAllowed(_("This notification is not yours."))


@transaction.atomic
def mark_read(*, actor, notification: Notification, at=None) -> Notification:
    at = at or timezone.now()
    _own(actor, notification)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=at)
        notification.read_at = at
    return notification


@transaction.atomic
def mark_all_read(*, actor, at=None) -> int:
    at = at or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in to read your notifications."))
    return Notification.objects.filter(recipient=actor, read_at=None).update(read_at=at)


@transaction.atomic
def set_preferences(*, actor, user, choices: dict[str, str], at=None) -> dict[str, str]:
    """Record how `user` wants each event emailed; mandatory events cannot be changed."""
    at = at or timezone.now()
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise NotAllowed(_("You can only change your own notification preferences."))
    changed: dict[str, str] = {}
    for code, frequency in choices.items():
        event = EVENTS.get(code)
        if event is None:
            raise DomainError(_("Unknown notification event %(event)s.") % {"event": code})
        if frequency not in Frequency.values:
            raise DomainError(_("Unknown frequency %(value)s.") % {"value": frequency})
        if event.mandatory:
            if frequency != Frequency.INSTANT:
                raise DomainError(
                    _("“%(event)s” is required by the mechanism and is always sent at once.")
                    % {"event": event.label}
                )
            continue
        current = NotificationPreference.objects.filter(user=user, event=code).first()
        if (current.frequency if current else Frequency.INSTANT) == frequency:
            continue
        NotificationPreference.objects.update_or_create(
            user=user, event=code, defaults={"frequency": frequency}
        )
        changed[code] = frequency
    if changed:
        audit.record(
            "notifications.preferences_changed", actor=actor, target=user, data=changed, at=at
        )
    return changed


# --- Reminders ----------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    sent: list[ReminderSent] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for reminder in self.sent if reminder.kind == kind)


def _waiting_states(due_date: DueDate) -> set[str]:
    """The owning States that still have to act on the step (not those that cleared their own
    submission already)."""
    step = due_date.step
    states = owner_states(step.phase.review, step)
    cleared = set(
        step.submissions.filter(status=StepSubmission.Status.CLEARED).values_list(
            "state_id", flat=True
        )
    )
    return states - cleared


def _who_must_act(due_date: DueDate) -> set[int]:
    """Experts draft an open step; the focal point clears one awaiting clearance; a State with no
    expert is reminded through its focal point; a step of the secretariat, its officer."""
    step = due_date.step
    review = step.phase.review
    states = _waiting_states(due_date)
    if not states:
        return {review.officer_id} if review.officer_id else set()
    Role = Nomination.Role
    focal_points = people(review, states=states, roles=[Role.FOCAL_POINT])
    if step.status == ReviewStep.Status.AWAITING_CLEARANCE:
        return focal_points
    result: set[int] = set()
    for state in states:
        experts = people(review, states=[state], roles=[Role.EXPERT])
        result |= experts or people(review, states=[state], roles=[Role.FOCAL_POINT])
    return result


def _escalation_recipients(due_date: DueDate, level: int) -> set[int]:
    review = due_date.step.phase.review
    if level == 1:
        states = _waiting_states(due_date)
        return people(review, states=states, roles=[Nomination.Role.FOCAL_POINT])
    if review.officer_id:
        return {review.officer_id}
    # No officer follows the review: every active member of the secretariat hears of it.
    secretariat = User.objects.filter(is_secretariat=True, status=User.Status.ACTIVE)
    return set(secretariat.values_list("pk", flat=True))


def _send_reminder(
    due_date: DueDate, kind: str, offset: int, *, today, at, recipients: set[int], event: str
) -> ReminderSent | None:
    """Record the reminder and notify; nothing when it was already sent (another run, or a run
    at the same time: the unique constraint decides)."""
    assert due_date.due_on is not None
    try:
        with transaction.atomic():
            reminder, created = ReminderSent.objects.get_or_create(
                due_date=due_date,
                due_on=due_date.due_on,
                kind=kind,
                offset=offset,
                defaults={"sent_for_day": today, "created_at": at},
            )
            if not created:
                return None
            step = due_date.step
            review = step.phase.review
            notifications = notify(
                event,
                review=review,
                recipients=recipients,
                params=review_params(review, step, due_on=due_date.due_on.isoformat()),
                link_name="reviews:review",
                link_args={"pk": review.pk},
                at=at,
            )
            reminder.recipients.set([n.recipient_id for n in notifications])
            audit.record(
                "notifications.reminder_sent",
                target=due_date,
                review_id=review.pk,
                state_code=review.state_id,
                data={
                    "step": step.definition.code,
                    "due_on": due_date.due_on.isoformat(),
                    "kind": kind,
                    "offset": offset,
                    "to": sorted(n.recipient_id for n in notifications),
                },
                at=at,
            )
            return reminder
    except IntegrityError:
        return None


def reminders_for(due_date: DueDate, today: datetime.date, *, at) -> list[ReminderSent]:
    """The reminders due for one due date on `today` (see send_reminders)."""
    assert due_date.due_on is not None
    mechanism = due_date.step.phase.review.mechanism
    days_left = (due_date.due_on - today).days
    sent: list[ReminderSent] = []

    def send(kind, offset, recipients, event):
        reminder = _send_reminder(
            due_date, kind, offset, today=today, at=at, recipients=recipients, event=event
        )
        if reminder is not None:
            sent.append(reminder)

    if days_left > 0:
        # The nearest reminder not yet passed: a run missed on the day catches up once, late.
        ahead = [days for days in mechanism.reminder_days_before if days >= days_left]
        if ahead:
            send(ReminderSent.Kind.BEFORE, min(ahead), _who_must_act(due_date), "due_soon")
        return sent
    every = max(mechanism.overdue_reminder_every_days, 1)
    number = -days_left // every
    if number < mechanism.overdue_reminder_max:
        send(ReminderSent.Kind.OVERDUE, number, _who_must_act(due_date), "overdue")
    overdue_sent = ReminderSent.objects.filter(
        due_date=due_date, due_on=due_date.due_on, kind=ReminderSent.Kind.OVERDUE
    ).count()
    threshold = mechanism.escalate_after_reminders
    for level in (1, 2):
        if threshold and overdue_sent >= level * threshold:
            send(
                ReminderSent.Kind.ESCALATION,
                level,
                _escalation_recipients(due_date, level),
                "escalation",
            )
    return sent


def send_reminders(
    *, actor=None, today: datetime.date | None = None, at: datetime.datetime | None = None
) -> ReminderRun:
    """Remind of every due date of every open step of an open review, as its mechanism says:
    `reminder_days_before` days before it, then from the due date on every
    `overdue_reminder_every_days` days at most `overdue_reminder_max` times, escalating to the
    State's focal point after `escalate_after_reminders` overdue reminders and to the secretariat
    after twice as many. A finished step or an extension (a new due date, not yet passed) stops
    them. Idempotent: each reminder is sent once (ReminderSent). Run by the scheduler (no actor)
    or by the secretariat."""
    if actor is not None and not is_secretariat(actor):
        raise NotAllowed(_("Only the secretariat can send reminders."))
    at = at or timezone.now()
    today = today or timezone.localdate(at)
    due_dates = (
        DueDate.objects.filter(
            due_on__isnull=False,
            step__status__in=[ReviewStep.Status.OPEN, ReviewStep.Status.AWAITING_CLEARANCE],
            step__phase__review__closed_at__isnull=True,
        )
        .select_related(
            "deadline",
            "step__definition",
            "step__phase__definition",
            "step__phase__review__mechanism",
        )
        .order_by("pk")
    )
    run = ReminderRun()
    for due_date in due_dates:
        run.sent.extend(reminders_for(due_date, today, at=at))
    return run


# --- Emails: digests and retries ------------------------------------------------------------------


def period_start(frequency: str, now: datetime.datetime) -> datetime.datetime:
    """The start of the current day (daily) or week, from Monday (weekly): a digest carries what
    was notified before it, so that it goes out once per period whenever the command runs."""
    local = timezone.localtime(now)
    day = local.date()
    if frequency == Frequency.WEEKLY:
        day -= datetime.timedelta(days=day.weekday())
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass
class DigestRun:
    digests: dict[int, list[int]] = field(default_factory=dict)
    retried: list[int] = field(default_factory=list)


@transaction.atomic
def send_digests(*, actor=None, now: datetime.datetime | None = None) -> DigestRun:
    """Queue one digest email per person for the notifications of the past day (daily) or week
    (weekly) not emailed yet, and queue again the emails that failed. Idempotent: what is queued
    leaves the pending state in the same transaction."""
    if actor is not None and not is_secretariat(actor):
        raise NotAllowed(_("Only the secretariat can send digests."))
    now = now or timezone.now()
    from revmod.notifications import tasks

    run = DigestRun()
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        pending = Notification.objects.select_for_update().filter(
            email_status=EmailStatus.PENDING,
            delivery=frequency,
            created_at__lt=period_start(frequency, now),
        )
        by_user: dict[int, list[int]] = defaultdict(list)
        for pk, user_id in pending.order_by("created_at", "pk").values_list("pk", "recipient_id"):
            by_user[user_id].append(pk)
        for user_id, ids in by_user.items():
            Notification.objects.filter(pk__in=ids).update(email_status=EmailStatus.QUEUED)
            transaction.on_commit(partial(tasks.send_digest_email.enqueue, user_id, ids))
            run.digests[user_id] = ids
    failed = Notification.objects.select_for_update().filter(
        email_status=EmailStatus.FAILED, email_attempts__lt=MAX_EMAIL_ATTEMPTS
    )
    digest_again: dict[int, list[int]] = defaultdict(list)
    for notification in failed.order_by("pk"):
        if notification.delivery == Frequency.INSTANT:
            transaction.on_commit(partial(tasks.send_notification_email.enqueue, notification.pk))
        else:
            digest_again[notification.recipient_id].append(notification.pk)
        run.retried.append(notification.pk)
    for user_id, ids in digest_again.items():
        transaction.on_commit(partial(tasks.send_digest_email.enqueue, user_id, ids))
    Notification.objects.filter(pk__in=run.retried).update(email_status=EmailStatus.QUEUED)
    return run
