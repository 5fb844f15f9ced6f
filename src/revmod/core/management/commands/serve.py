"""`revmod serve`: the web server and the background worker together, for one machine.

`make run` uses it so that a fresh machine gets a working system from one command: the
development server on 127.0.0.1 and the database task worker in a child process, and the
periodic work (`send_reminders`, `send_digests`: idempotent commands) run every few minutes from a
background thread. Production runs them separately (gunicorn + `revmod db_worker` or an RQ
worker, and cron for the periodic commands); see the README.
"""

import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Idempotent commands: running them more often than needed sends nothing twice.
PERIODIC_COMMANDS = ["send_reminders", "send_digests"]


def run_periodically(stop: threading.Event, every_seconds: int) -> None:
    """Run the periodic commands now and then every `every_seconds` until `stop` is set; each in
    its own process, so that a failure or a slow mail server never stops the web server."""
    while not stop.is_set():
        for command in PERIODIC_COMMANDS:
            subprocess.run([sys.executable, "-m", "revmod.cli", command], check=False)  # noqa: S603
        stop.wait(every_seconds)


class Command(BaseCommand):
    help = "Start the web server and the background worker (the default single-machine setup)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-worker", action="store_true", help="Start the web server only.")
        parser.add_argument(
            "--periodic-every",
            type=int,
            default=600,
            help="Seconds between two runs of send_reminders and send_digests (default 600).",
        )

    def handle(self, *args, host, port, no_worker, periodic_every, **options):
        worker = None
        stop = threading.Event()
        if not no_worker and settings.TASK_BACKEND == "database":
            worker = subprocess.Popen([sys.executable, "-m", "revmod.cli", "db_worker"])
        if not no_worker:
            threading.Thread(
                target=run_periodically, args=(stop, periodic_every), daemon=True
            ).start()
        address = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"revmod is starting at {address}"))
        if worker:
            self.stdout.write(f"Background worker running (pid {worker.pid}).")
        if not no_worker:
            self.stdout.write(f"Reminders and digests run every {periodic_every} seconds.")
        self.stdout.write(f"Emails are written to {settings.EMAIL_OUTBOX_DIR}")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            stop.set()
            if worker and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=10)
