import datetime

from django.core.management.base import BaseCommand

from revmod.notifications.services import send_reminders


class Command(BaseCommand):
    help = (
        "Send the reminders of due dates that are due today, as each mechanism defines them. "
        "Idempotent: run it as often as you like (the worker loop of `revmod serve`, or cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="The day to run for (YYYY-MM-DD)."
        )

    def handle(self, *args, today=None, **options):
        run = send_reminders(today=today)
        self.stdout.write(f"{len(run.sent)} reminder(s) sent.")
