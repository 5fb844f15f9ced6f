import datetime

import pytest
from django.core import mail
from reviews.helpers import moment

from revmod.notifications import services
from revmod.notifications.models import Frequency, Notification, NotificationPreference

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 13)  # a Wednesday


def ten_events(cast, day: datetime.date) -> None:
    questionnaire = cast.review.mechanism.steps.get(code="self_assessment")
    for hour in range(8, 18):
        services.notify(
            "step_opened",
            review=cast.review,
            recipients=[cast.expert.pk],
            params={"state": cast.state.code, "step": questionnaire.pk},
            link_name="reviews:review",
            link_args={"pk": cast.review.pk},
            at=moment(day, hour),
        )


def test_ten_events_in_a_day_give_a_daily_digest_user_one_email_listing_ten_items(
    cast, tasks_run_now, django_capture_on_commit_callbacks
):
    services.set_preferences(
        actor=cast.expert, user=cast.expert, choices={"step_opened": Frequency.DAILY}
    )
    with django_capture_on_commit_callbacks(execute=True):
        ten_events(cast, DAY)
    assert mail.outbox == []  # nothing at once

    with django_capture_on_commit_callbacks(execute=True):
        # The same day: the day is not over, nothing goes out yet.
        services.send_digests(now=moment(DAY, 23))
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.send_digests(now=moment(DAY + datetime.timedelta(days=1), 0))
        services.send_digests(now=moment(DAY + datetime.timedelta(days=1), 1))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.expert.email]
    assert message.subject == "revmod: 10 notifications"
    items = [line for line in message.body.splitlines() if line.startswith("- ")]
    assert (
        items == ["- The step “Self-assessment questionnaire” of the review of Ghana is open."] * 10
    )
    assert f"/en/reviews/{cast.review.pk}/" in message.body
    assert message.alternatives[0][0].count("<li>") == 10
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_a_weekly_digest_waits_for_the_next_week_and_an_off_choice_sends_nothing(
    cast, tasks_run_now, django_capture_on_commit_callbacks
):
    services.set_preferences(
        actor=cast.expert, user=cast.expert, choices={"step_opened": Frequency.WEEKLY}
    )
    services.set_preferences(
        actor=cast.focal_point, user=cast.focal_point, choices={"step_opened": Frequency.OFF}
    )
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.notify(
                "step_opened",
                review=cast.review,
                recipients=[cast.expert.pk, cast.focal_point.pk],
                params={"state": cast.state.code},
                at=moment(DAY),
            )
        services.send_digests(now=moment(DAY + datetime.timedelta(days=4)))  # Sunday
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.send_digests(now=moment(DAY + datetime.timedelta(days=5)))  # Monday
    assert [message.to for message in mail.outbox] == [[cast.expert.email]]
    assert mail.outbox[0].subject == "revmod: 3 notifications"
    off = Notification.objects.filter(recipient=cast.focal_point)
    assert set(off.values_list("email_status", flat=True)) == {"none"}
    assert NotificationPreference.objects.count() == 2
