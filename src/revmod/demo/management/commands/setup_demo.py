"""`revmod setup_demo`: load the UNTOC mechanism, the reference data and the demo data."""

from django.core.management.base import BaseCommand

from revmod.demo.builder import DEMO_ACCOUNTS, DEMO_PASSPHRASE, build_demo, demo_exists


class Command(BaseCommand):
    help = "Build the demo data set (through the domain functions) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the demo data already exist."
        )

    def handle(self, *args, if_empty, **options):
        if demo_exists():
            if if_empty:
                self.print_accounts()
                return
            self.stderr.write("The demo data already exist (use a fresh database).")
            raise SystemExit(1)
        self.stdout.write("Building the demo data (first start only)…")
        report = build_demo()
        groups = ", ".join(f"group {n}: {count}" for n, count in report.reviews_per_group.items())
        self.stdout.write(
            f"Reviews per group: {groups}. {report.people} officials, {report.nominations} "
            f"nominations, {report.replaced_focal_points} focal points replaced, "
            f"{report.draws} draws confirmed."
        )
        steps = ", ".join(f"{code}: {count}" for code, count in report.reviews_per_step.items())
        self.stdout.write(f"Reviews per step: {steps}.")
        self.print_accounts()

    def print_accounts(self):
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (passphrase: {DEMO_PASSPHRASE}):"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.role:<12} {account.email}")
