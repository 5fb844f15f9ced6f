"""Emails through a real SMTP server on the loopback interface (aiosmtpd), and one that refuses."""

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from reviews.helpers import moment

from revmod.notifications import services
from revmod.notifications.models import Notification

from .helpers import open_self_assessment

pytestmark = pytest.mark.django_db

EmailStatus = Notification.EmailStatus


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_to(settings, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    smtp_to(settings, controller.port)
    try:
        yield inbox
    finally:
        controller.stop()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def test_a_reminder_reaches_a_real_smtp_server_in_the_recipients_language(
    cast, smtp_server, tasks_run_now, django_capture_on_commit_callbacks
):
    cast.expert.preferred_language = "fr"
    cast.expert.save(update_fields=["preferred_language"])
    due_date = open_self_assessment(cast)
    day = due_date.due_on - datetime.timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(today=day, at=moment(day))

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert smtp_server.envelopes[0].rcpt_tos == [cast.expert.email]
    assert message["To"] == cast.expert.email
    assert message["Content-Language"] == "fr"
    # The sentence is the French catalogue's, the step's name the mechanism definition's French one.
    assert message["Subject"].startswith("revmod\xa0: L'étape «\xa0Questionnaire d'auto-évaluation")
    assert "de l'examen de Ghana" in message["Subject"]
    assert '<html lang="fr" dir="ltr">' in html_part(message)
    assert f"/fr/reviews/{cast.review.pk}/" in message.get_body(("plain",)).get_content()
    notification = Notification.objects.get(event="due_soon")
    assert notification.email_status == EmailStatus.SENT and notification.emailed_at


def test_an_arabic_reader_gets_a_right_to_left_email(
    cast, smtp_server, tasks_run_now, django_capture_on_commit_callbacks
):
    cast.expert.preferred_language = "ar"
    cast.expert.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            "step_opened",
            review=cast.review,
            recipients=[cast.expert.pk],
            params={"state": cast.state.code},
            link_name="reviews:review",
            link_args={"pk": cast.review.pk},
        )
    message = smtp_server.messages[0]
    assert message["Content-Language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in html_part(message)


def test_a_refusing_smtp_server_marks_the_email_failed_and_the_next_run_delivers_it(
    cast, settings, tasks_run_now, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens there: the connection is refused
    smtp_to(settings, port)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            "step_opened",
            review=cast.review,
            recipients=[cast.expert.pk],
            params={"state": cast.state.code},
        )

    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.email_attempts == 1
    assert "Refused" in notification.email_error
    assert notification.emailed_at is None

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = services.send_digests()
        with django_capture_on_commit_callbacks(execute=True):
            services.send_digests()
    finally:
        controller.stop()

    assert run.retried == [notification.pk]
    assert len(inbox.messages) == 1
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_attempts == 1


def test_an_email_that_keeps_failing_is_given_up_after_the_last_attempt(
    cast, settings, tasks_run_now, django_capture_on_commit_callbacks
):
    smtp_to(settings, free_port())
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            "step_opened",
            review=cast.review,
            recipients=[cast.expert.pk],
            params={"state": cast.state.code},
        )
    for _attempt in range(services.MAX_EMAIL_ATTEMPTS + 2):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_digests()

    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.ABANDONED
    assert notification.email_attempts == services.MAX_EMAIL_ATTEMPTS
