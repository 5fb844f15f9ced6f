from unittest import mock

import pytest
from django.core import mail
from django.utils import translation

from factories import UserFactory
from revmod.people import tasks
from revmod.people.models import User


@pytest.mark.django_db
def test_an_account_email_is_rendered_with_the_recipients_language_switched_on():
    person = UserFactory(preferred_language="fr", status=User.Status.CLARIFICATION)
    with mock.patch.object(tasks.translation, "override", wraps=translation.override) as override:
        tasks.send_account_email.call(person.pk, "clarification")
    assert override.call_args_list and {call.args for call in override.call_args_list} == {("fr",)}
    message = mail.outbox[-1]
    assert message.extra_headers["Content-Language"] == "fr"
    assert '<html lang="fr" dir="ltr">' in message.alternatives[0][0]
    # The interface around the email stays in its own language.
    assert translation.get_language() == "en"


@pytest.mark.django_db
def test_the_plain_text_part_is_not_html_escaped_but_the_html_part_is():
    person = UserFactory(
        full_name="Seán O'Brien",
        status=User.Status.CLARIFICATION,
        clarification_request="Is your title <Dr> or <Prof>?",
    )
    tasks.send_account_email.call(person.pk, "clarification")
    message = mail.outbox[-1]
    assert "Dear Seán O'Brien," in message.body
    assert "Is your title <Dr> or <Prof>?" in message.body
    html = message.alternatives[0][0]
    assert "Is your title &lt;Dr&gt; or &lt;Prof&gt;?" in html
    assert "<Dr>" not in html


@pytest.mark.django_db
def test_the_approval_email_links_to_the_sign_in_page_in_the_persons_language(settings):
    settings.SITE_URL = "https://revmod.example.org/"
    person = UserFactory(preferred_language="es")
    tasks.send_account_email.call(person.pk, "approved")
    message = mail.outbox[-1]
    assert message.to == [person.email]
    assert "https://revmod.example.org/es/accounts/login/" in message.body
