"""Load mechanism definition files (shipped YAML or any path) and print what changed."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from revmod.core.domain import DomainError
from revmod.mechanisms.definitions import DEFINITIONS_DIR, shipped_definitions
from revmod.mechanisms.services import LoadReport, load_mechanism


class Command(BaseCommand):
    help = (
        "Load mechanism definitions (all shipped ones when no file or code is named). Values "
        "edited in the admin since the last load are reported as conflicts and kept, unless "
        "--force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "targets", nargs="*", help="definition files, or codes of shipped ones (untoc, uncac)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change and save nothing"
        )
        parser.add_argument(
            "--force", action="store_true", help="overwrite the values edited in the admin"
        )

    def handle(self, *args, targets, dry_run, force, verbosity, **options):
        paths = [self.resolve(target) for target in targets] or shipped_definitions()
        reports: list[LoadReport] = []
        # All the files or none: a bad file leaves the database as it was.
        try:
            with transaction.atomic():
                for path in paths:
                    report = load_mechanism(path, dry_run=dry_run, force=force)
                    if any(done.mechanism == report.mechanism for done in reports):
                        raise CommandError(
                            _("%(file)s defines the mechanism %(code)s a second time.")
                            % {"file": path, "code": report.mechanism}
                        )
                    reports.append(report)
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from error
        for report in reports:
            self.print_report(report, verbosity)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))

    def resolve(self, target: str) -> Path:
        path = Path(target)
        if path.is_file():
            return path
        shipped = DEFINITIONS_DIR / f"{target}.yaml"
        if shipped.is_file():
            return shipped
        codes = ", ".join(p.stem for p in shipped_definitions())
        raise CommandError(
            _(
                "%(target)s is neither a definition file nor the code of a shipped definition "
                "(%(codes)s)."
            )
            % {"target": target, "codes": codes}
        )

    def print_report(self, report: LoadReport, verbosity: int) -> None:
        write = self.stdout.write
        write(
            self.style.MIGRATE_HEADING(
                _(
                    "%(code)s (%(file)s): %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(conflicts)s conflicts"
                )
                % {
                    "code": report.mechanism,
                    "file": report.file,
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "unchanged": len(report.unchanged),
                    "conflicts": len(report.conflicts),
                }
            )
        )
        if verbosity > 1:
            for label in report.created:
                write("  " + _("created %(object)s") % {"object": label})
        for change in report.updated:
            write(
                "  "
                + _("updated %(object)s, %(field)s: %(old)s → %(new)s")
                % {
                    "object": change.object,
                    "field": change.field,
                    "old": _show(change.old),
                    "new": _show(change.new),
                }
            )
        for conflict in report.conflicts:
            values = {
                "object": conflict.object,
                "field": conflict.field,
                "database": _show(conflict.database),
                "loaded": _("never loaded from a file")
                if conflict.never_loaded
                else _show(conflict.loaded),
                "file": _show(conflict.file),
            }
            if conflict.overwritten:
                line = _(
                    "conflict on %(object)s, %(field)s: database %(database)s, last loaded "
                    "%(loaded)s, file %(file)s; overwritten with the file (--force)."
                )
            else:
                line = _(
                    "conflict on %(object)s, %(field)s: database %(database)s, last loaded "
                    "%(loaded)s, file %(file)s; the database value is kept (--force overwrites it)."
                )
            write("  " + self.style.WARNING(line % values))
        for label in report.not_in_file:
            write("  " + _("%(object)s is not in the file and is kept.") % {"object": label})


def _show(value: Any) -> str:
    if value is None:
        return _("(none)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return "{" + "; ".join(f"{key}: {_show(items)}" for key, items in value.items()) + "}"
    if value == "":
        return '""'
    return str(value)
