from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from revmod.mechanisms.management.commands.load_mechanism import Command
from revmod.mechanisms.models import Mechanism, ReviewGroup

from .helpers import UNTOC_FILE, counts

pytestmark = pytest.mark.django_db


def run(*args) -> str:

    out = StringIO()
    call_command("load_mechanism", *args, stdout=out, no_color=True)
    return out.getvalue()


def test_without_arguments_the_command_loads_every_shipped_definition(instruments):
    output = run()

    assert set(Mechanism.objects.values_list("code", flat=True)) == {"untoc", "uncac"}
    assert "untoc (" in output and "uncac (" in output
    assert "25 created, 0 updated, 0 unchanged, 0 conflicts" in output


def test_a_code_names_a_shipped_definition_and_a_second_run_reports_nothing_changed(instruments):
    run("untoc")

    output = run("untoc")

    assert list(Mechanism.objects.values_list("code", flat=True)) == ["untoc"]
    assert "0 created, 0 updated, 25 unchanged, 0 conflicts" in output


def test_the_command_shows_updates_and_conflicts_with_their_values(instruments, definition_copy):
    run(str(UNTOC_FILE))
    ReviewGroup.objects.filter(number=1).update(foreseen_reviews=61)
    changed = definition_copy(("foreseen_reviews: 63", "foreseen_reviews: 65"))

    output = run(str(changed))

    assert "updated untoc: group 2, foreseen_reviews: 63 → 65" in output
    assert (
        "conflict on untoc: group 1, foreseen_reviews: database 61, last loaded 62, file 62; "
        "the database value is kept (--force overwrites it)." in output
    )
    assert ReviewGroup.objects.get(number=1).foreseen_reviews == 61


def test_the_force_option_overwrites_admin_edits(instruments):
    run("untoc")
    ReviewGroup.objects.filter(number=1).update(foreseen_reviews=61)

    output = run("untoc", "--force")

    assert "overwritten with the file (--force)" in output
    assert ReviewGroup.objects.get(number=1).foreseen_reviews == 62


def test_the_dry_run_option_prints_the_report_and_saves_nothing(instruments):
    output = run("--dry-run", "-v", "2")

    assert "created mechanism untoc" in output
    assert "Dry run: nothing was saved." in output
    assert set(counts().values()) == {0}


def test_a_bad_file_stops_the_command_with_the_error_and_loads_no_other_file(
    instruments, definition_copy
):
    bad = definition_copy(("amount: 4", "amount: -4"))

    with pytest.raises(CommandError, match=r"untoc\.yaml, line \d+: amount must be"):
        run("uncac", str(bad))

    assert set(counts().values()) == {0}


def test_an_unknown_target_is_refused_with_the_shipped_codes(instruments):
    with pytest.raises(CommandError, match=r"untoc-2 is neither .* \(uncac, untoc\)"):
        run("untoc-2")


def test_the_same_mechanism_twice_in_one_run_is_refused(instruments):
    with pytest.raises(CommandError, match="a second time"):
        run("untoc", str(UNTOC_FILE))

    assert not Mechanism.objects.exists()


def test_bad_input_from_the_command_line_exits_non_zero_with_the_error_on_stderr(
    instruments, definition_copy, capsys
):
    bad = definition_copy(("gate_threshold_percent: 70", "gate_threshold_percent: 170"))

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["revmod", "load_mechanism", str(bad)])

    assert exit_.value.code != 0
    assert "must be between 0 and 100, not 170" in capsys.readouterr().err
