"""`revmod serve`: the web server and the background worker together, for one machine.

`make run` uses it so that a fresh machine gets a working system from one command: the
development server on 127.0.0.1 and the database task worker in a child process. Production runs
the two separately (gunicorn + `revmod db_worker` or an RQ worker); see the README.
"""

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server and the background worker (the default single-machine setup)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-worker", action="store_true", help="Start the web server only.")

    def handle(self, *args, host, port, no_worker, **options):
        worker = None
        if not no_worker and settings.TASK_BACKEND == "database":
            worker = subprocess.Popen([sys.executable, "-m", "revmod.cli", "db_worker"])
        address = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"revmod is starting at {address}"))
        if worker:
            self.stdout.write(f"Background worker running (pid {worker.pid}).")
        self.stdout.write(f"Emails are written to {settings.EMAIL_OUTBOX_DIR}")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            if worker and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=10)
