"""Import a questionnaire template from an XLSForm-style workbook (.xlsx), a YAML source in the
same layout (.yaml), or a shipped source by name (e.g. untoc_cluster1)."""

import io
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from revmod.core.domain import DomainError, NotAllowed
from revmod.people.models import User
from revmod.questionnaires.services import import_template
from revmod.questionnaires.spreadsheets import SOURCES_DIR, build_workbook, workbook_bytes


class Command(BaseCommand):
    help = "Import a questionnaire template (all of it or nothing) on behalf of the secretariat."

    def add_arguments(self, parser):
        parser.add_argument("file", help="An .xlsx workbook, a .yaml source or a shipped name.")
        parser.add_argument(
            "--as",
            dest="actor",
            required=True,
            help="The email address of the secretariat officer recorded as importing it.",
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish the template once imported."
        )

    def handle(self, *args, file, actor, publish, **options):
        user = User.objects.filter(email=actor.lower()).first()
        if user is None:
            raise CommandError(f"No user with the address {actor}.")
        path = Path(file)
        if not path.exists() and (SOURCES_DIR / f"{file}.yaml").exists():
            path = SOURCES_DIR / f"{file}.yaml"
        if not path.exists():
            raise CommandError(f"No such file: {file}")
        if path.suffix in (".yaml", ".yml"):
            source = yaml.safe_load(path.read_text(encoding="utf-8"))
            content = io.BytesIO(workbook_bytes(build_workbook(source)))
        else:
            content = io.BytesIO(path.read_bytes())
        try:
            template = import_template(
                actor=user, file=content, file_name=path.name, publish=publish
            )
        except NotAllowed as error:
            raise CommandError(error.reason) from error
        except DomainError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(
            f"Imported {template} with {template.questions.count()} questions"
            + (" (published)." if publish else " (draft).")
        )
