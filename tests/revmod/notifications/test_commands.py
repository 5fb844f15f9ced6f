import datetime
import io

import pytest
from django.core.management import call_command

from revmod.core.domain import DomainError
from revmod.mechanisms.definitions import DEFINITIONS_DIR, parse_definition
from revmod.notifications.models import ReminderSent

from .helpers import open_self_assessment

pytestmark = pytest.mark.django_db


def test_the_send_reminders_command_is_idempotent_for_a_given_day(cast):
    due_date = open_self_assessment(cast)
    day = (due_date.due_on - datetime.timedelta(days=14)).isoformat()
    first, second = io.StringIO(), io.StringIO()

    call_command("send_reminders", "--today", day, stdout=first)
    call_command("send_reminders", "--today", day, stdout=second)

    assert first.getvalue().strip() == "1 reminder(s) sent."
    assert second.getvalue().strip() == "0 reminder(s) sent."
    assert ReminderSent.objects.count() == 1


def test_the_send_digests_command_reports_what_it_queued(db):
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    assert out.getvalue().strip() == "0 digest(s) queued, 0 failed email(s) retried."


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("reminder_days_before: [14, 3]", "reminder_days_before: [14, 0]"),
        ("escalate_after_reminders: 2", "escalate_after_reminders: 3"),
    ],
)
def test_a_definition_with_impossible_reminder_settings_is_refused(untoc, tmp_path, change, reason):
    text = (DEFINITIONS_DIR / "untoc.yaml").read_text(encoding="utf-8")
    path = tmp_path / "untoc.yaml"
    path.write_text(text.replace(change, reason), encoding="utf-8")
    with pytest.raises(DomainError, match=r"untoc\.yaml, line \d+"):
        parse_definition(path, ["UNTOC", "TIP", "SOM", "FIR"])
