"""`revmod load_parties [--data-dir DIR]`: load the world reference data (languages, regional
groups, instruments, States and party statuses) from CSV files."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from revmod.core.domain import DomainError
from revmod.parties.services import DATA_DIR, load_reference_data


class Command(BaseCommand):
    help = "Load the reference data (States, instruments, party statuses) from CSV files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=str(DATA_DIR),
            help="Folder holding the CSV files (default: the files shipped with revmod).",
        )

    def handle(self, *args, data_dir, **options):
        try:
            report = load_reference_data(data_dir)
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(_("%(count)d change(s).") % {"count": report.changes})
