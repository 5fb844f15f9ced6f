"""load_reference_data: idempotent, atomic, precise about bad input, respectful of admin edits."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from revmod.core.domain import DomainError
from revmod.core.models import AuditEvent
from revmod.parties.models import Instrument, Language, PartyStatus, RegionalGroup, State
from revmod.parties.services import DATA_DIR, load_reference_data

pytestmark = pytest.mark.django_db

MODELS = [Language, RegionalGroup, Instrument, State, PartyStatus]


@pytest.fixture
def data_dir(tmp_path):
    """A writable copy of the shipped files."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def replace_line(path, starts_with: str, new: str) -> int:
    """Replace the first line starting with `starts_with`; return its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith(starts_with))
    lines[number - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_twice_changes_nothing_the_second_time_and_reports_no_change(db):
    load_reference_data()
    events = AuditEvent.objects.count()

    again = load_reference_data()

    assert again.changes == 0
    assert again.counts["partystatus"]["unchanged"] == PartyStatus.objects.count()
    assert AuditEvent.objects.count() == events


def test_a_changed_row_is_updated_and_one_audit_event_summarises_the_load(
    reference_data, data_dir, django_user_model
):
    actor = django_user_model.objects.create_user("secretariat@example.org", "a long passphrase")
    replace_line(
        data_dir / "party_status.csv",
        "FRA,UNTOC,",
        "FRA,UNTOC,2002-10-29,ratification,yes,checked again",
    )

    report = load_reference_data(data_dir, actor=actor)

    assert report.changes == 1
    assert report.counts["partystatus"]["updated"] == 1
    assert PartyStatus.objects.get(state_id="FRA", instrument_id="UNTOC").note == "checked again"
    event = AuditEvent.objects.get(action="parties.reference_data_loaded", actor=actor)
    assert event.data["counts"]["partystatus"]["updated"] == 1


def test_reloading_never_overwrites_the_group_for_the_draw_set_by_the_secretariat(reference_data):
    State.objects.filter(code="EUU").update(draw_group_id="WEOG")

    report = load_reference_data()

    assert report.changes == 0
    assert State.objects.get(code="EUU").draw_group_id == "WEOG"


MALFORMED = {
    "unknown instrument": (
        "party_status.csv",
        "AFG,TIP,",
        "AFG,TIPP,2014-08-15,accession,no,",
        "unknown instrument 'TIPP'",
    ),
    "bad date": (
        "party_status.csv",
        "ALB,UNTOC,",
        "ALB,UNTOC,2002-02-30,ratification,yes,",
        "bad date '2002-02-30' in column became_party_on (write YYYY-MM-DD)",
    ),
    "protocol before convention": (
        "party_status.csv",
        "ALB,TIP,",
        "ALB,TIP,2001-01-01,ratification,yes,",
        "ALB became party to TIP on 2001-01-01, before it became party to UNTOC on 2002-08-21",
    ),
    "unknown regional group": (
        "states.csv",
        "ALB,",
        "ALB,state,EUROPE,Albania,Albanie,Albania,Албания,阿尔巴尼亚,ألبانيا",
        "unknown regional group 'EUROPE'",
    ),
    "unknown action": (
        "party_status.csv",
        "ALB,SOM,",
        "ALB,SOM,2002-08-21,signature,yes,",
        "unknown action 'signature'",
    ),
}


@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_is_rejected_with_file_line_and_reason_and_loads_nothing(
    reference_data, data_dir, case
):
    file, starts_with, bad_line, reason = case
    # A valid change in an earlier file, which must not be written either.
    replace_line(
        data_dir / "languages.csv",
        "en,",
        "en,English (changed),anglais,inglés,английский,英文,الإنكليزية,English,no,3",
    )
    number = replace_line(data_dir / file, starts_with, bad_line)
    before = row_counts()

    with pytest.raises(DomainError) as raised:
        load_reference_data(data_dir)

    assert raised.value.messages == [f"{file}, line {number}: {reason}"]
    assert row_counts() == before
    assert Language.objects.get(code="en").name_en == "English"


def test_a_file_with_a_missing_column_is_rejected_naming_the_column(reference_data, data_dir):
    number = replace_line(
        data_dir / "party_status.csv", "state,", "state,instrument,became_party_on,action,note"
    )

    with pytest.raises(DomainError) as raised:
        load_reference_data(data_dir)

    assert raised.value.messages == [f"party_status.csv, line {number}: missing column(s) verified"]


def test_the_command_prints_the_report(reference_data):
    out = StringIO()

    call_command("load_parties", stdout=out)

    assert "States: 0 created, 0 updated, 198 unchanged." in out.getvalue()
    assert "0 change(s)." in out.getvalue()


def test_the_command_turns_bad_input_into_an_error_naming_file_and_line(data_dir):
    number = replace_line(
        data_dir / "party_status.csv", "AFG,TIP,", "AFG,TIPP,2014-08-15,accession,no,"
    )

    with pytest.raises(CommandError, match=rf"party_status.csv, line {number}: unknown instrument"):
        call_command("load_parties", "--data-dir", str(data_dir), stdout=StringIO())
