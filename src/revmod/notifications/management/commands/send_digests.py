from django.core.management.base import BaseCommand

from revmod.notifications.services import send_digests


class Command(BaseCommand):
    help = (
        "Queue the daily and weekly digest emails that are due and the failed emails to retry. "
        "Idempotent: run it as often as you like (the worker loop of `revmod serve`, or cron)."
    )

    def handle(self, *args, **options):
        run = send_digests()
        self.stdout.write(
            f"{len(run.digests)} digest(s) queued, {len(run.retried)} failed email(s) retried."
        )
