"""Domain functions of the parties app: loading the shipped world reference data.

The reference data lives in readable CSV files under `parties/data/` (one row per record, a header
row, lines starting with '#' are comments). Loading reads and checks every file first and writes
only when all of them are valid, in one transaction, so a malformed file loads nothing. It is
idempotent: a second run over the same files changes nothing and reports no change.

What the files do not hold is never touched: a State's group for the draw (set by the secretariat),
a party status's withdrawal date, rows added in the admin. Nothing is deleted.
"""

import csv
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from revmod.core.audit import record
from revmod.core.domain import DomainError, NotAllowed
from revmod.parties.models import Instrument, Language, PartyStatus, RegionalGroup, State
from revmod.people.rules import is_secretariat

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = {
    "languages": "languages.csv",
    "regional_groups": "regional_groups.csv",
    "instruments": "instruments.csv",
    "states": "states.csv",
    "party_status": "party_status.csv",
}
YES_NO = {"yes": True, "no": False}


@dataclass
class LoadReport:
    """What a load changed, per model: rows created, updated and left unchanged."""

    data_dir: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)

    def count(self, model: type[models.Model], outcome: str) -> None:
        key = model._meta.model_name or ""
        self.labels[key] = model._meta.verbose_name_plural
        tally = self.counts.setdefault(key, {"created": 0, "updated": 0, "unchanged": 0})
        tally[outcome] += 1

    @property
    def changes(self) -> int:
        return sum(t["created"] + t["updated"] for t in self.counts.values())

    def lines(self) -> list[str]:
        return [
            _("%(model)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"model": str(self.labels[key]).capitalize(), **tally}
            for key, tally in self.counts.items()
        ]


@dataclass(frozen=True)
class _Row:
    file: str
    line: int
    values: dict[str, str]

    def error(self, reason: str) -> DomainError:
        return DomainError(
            _("%(file)s, line %(line)d: %(reason)s")
            % {"file": self.file, "line": self.line, "reason": reason}
        )

    def date(self, column: str, *, required: bool = True) -> datetime.date | None:
        value = self.values[column]
        if not value and not required:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise self.error(
                _("bad date '%(value)s' in column %(column)s (write YYYY-MM-DD)")
                % {"value": value, "column": column}
            ) from None

    def integer(self, column: str) -> int:
        value = self.values[column]
        if not value.isdigit():
            raise self.error(
                _("bad number '%(value)s' in column %(column)s")
                % {"value": value, "column": column}
            )
        return int(value)

    def yes_no(self, column: str) -> bool:
        value = self.values[column].lower()
        if value not in YES_NO:
            raise self.error(
                _("'%(value)s' in column %(column)s must be yes or no")
                % {"value": self.values[column], "column": column}
            )
        return YES_NO[value]

    def choice(self, column: str, choices: Iterable[str]) -> str:
        value = self.values[column]
        if value not in choices:
            raise self.error(
                _("unknown %(column)s '%(value)s'") % {"column": column, "value": value}
            )
        return value


def _localized(name: str) -> list[str]:
    """The translated columns of a field, e.g. name_ar, name_zh_hans, …, name_es."""
    return [build_localized_fieldname(name, code) for code in settings.MODELTRANSLATION_LANGUAGES]


def _read(path: Path, required: list[str]) -> list[_Row]:
    if not path.is_file():
        raise DomainError(_("%(file)s: the file is missing.") % {"file": path.name})
    rows: list[_Row] = []
    header: list[str] | None = None
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            # Line by line, so that every error can name the line a person sees in an editor.
            for number, line in enumerate(handle, start=1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                cells = [cell.strip() for cell in next(csv.reader([line]))]
                if header is None:
                    header = cells
                    missing = [column for column in required if column not in header]
                    if missing:
                        raise DomainError(
                            _("%(file)s, line %(line)d: missing column(s) %(columns)s")
                            % {"file": path.name, "line": number, "columns": ", ".join(missing)}
                        )
                    continue
                row = _Row(path.name, number, dict(zip(header, cells, strict=False)))
                if len(cells) != len(header):
                    raise row.error(
                        _("expected %(expected)d columns, found %(found)d")
                        % {"expected": len(header), "found": len(cells)}
                    )
                rows.append(row)
    except UnicodeDecodeError:
        raise DomainError(
            _("%(file)s: the file is not UTF-8 text.") % {"file": path.name}
        ) from None
    return rows


def _unique(rows: list[_Row], key) -> None:
    seen: dict[Any, int] = {}
    for row in rows:
        value = key(row)
        if value in seen:
            raise row.error(_("duplicate of line %(line)d") % {"line": seen[value]})
        seen[value] = row.line


def _require_names(row: _Row, columns: list[str]) -> dict[str, str]:
    names = {column: row.values[column] for column in columns}
    if empty := [column for column, value in names.items() if not value]:
        raise row.error(_("empty %(columns)s") % {"columns": ", ".join(empty)})
    return names


def _parse(data_dir: Path) -> dict[str, dict[Any, dict[str, Any]]]:
    """Read and check every file; return the wanted field values of every row, by key."""
    names, short_names = _localized("name"), _localized("short_name")

    languages = _read(
        data_dir / FILES["languages"], ["code", *names, "native_name", "right_to_left", "order"]
    )
    _unique(languages, lambda r: r.values["code"])
    wanted_languages = {
        row.values["code"]: {
            **_require_names(row, names),
            "native_name": row.values["native_name"],
            "right_to_left": row.yes_no("right_to_left"),
            "order": row.integer("order"),
        }
        for row in languages
    }

    groups = _read(data_dir / FILES["regional_groups"], ["code", *names, "order"])
    _unique(groups, lambda r: r.values["code"])
    wanted_groups = {
        row.values["code"]: {**_require_names(row, names), "order": row.integer("order")}
        for row in groups
    }

    instruments = _read(
        data_dir / FILES["instruments"],
        ["code", "parent", "adopted_on", "order", *names, *short_names],
    )
    _unique(instruments, lambda r: r.values["code"])
    codes = {row.values["code"] for row in instruments}
    wanted_instruments = {}
    for row in instruments:
        parent = row.values["parent"]
        if parent and (parent not in codes or parent == row.values["code"]):
            raise row.error(_("unknown parent instrument '%(code)s'") % {"code": parent})
        wanted_instruments[row.values["code"]] = {
            **_require_names(row, names),
            **_require_names(row, short_names),
            "parent_id": parent or None,
            "adopted_on": row.date("adopted_on", required=False),
            "order": row.integer("order"),
        }

    states = _read(data_dir / FILES["states"], ["code", "kind", "regional_group", *names])
    _unique(states, lambda r: r.values["code"])
    wanted_states = {}
    for row in states:
        code = row.values["code"]
        if len(code) != 3 or not code.isalpha() or not code.isupper():
            raise row.error(_("'%(code)s' is not a three-letter code") % {"code": code})
        group = row.values["regional_group"]
        if group and group not in wanted_groups:
            raise row.error(_("unknown regional group '%(code)s'") % {"code": group})
        wanted_states[code] = {
            **_require_names(row, names),
            "kind": row.choice("kind", State.Kind.values),
            "regional_group_id": group or None,
        }

    statuses = _read(
        data_dir / FILES["party_status"],
        ["state", "instrument", "became_party_on", "action", "verified", "note"],
    )
    _unique(statuses, lambda r: (r.values["state"], r.values["instrument"]))
    wanted_statuses: dict[Any, dict[str, Any]] = {}
    for row in statuses:
        state, instrument = row.values["state"], row.values["instrument"]
        if state not in wanted_states:
            raise row.error(_("unknown State '%(code)s'") % {"code": state})
        if instrument not in wanted_instruments:
            raise row.error(_("unknown instrument '%(code)s'") % {"code": instrument})
        wanted_statuses[(state, instrument)] = {
            "became_party_on": row.date("became_party_on"),
            "action": row.choice("action", PartyStatus.Action.values),
            "verified": row.yes_no("verified"),
            "note": row.values["note"],
        }
    # A State must be party to the convention before (or when) it becomes party to a protocol.
    for row in statuses:
        key = (row.values["state"], row.values["instrument"])
        convention_code = wanted_instruments[key[1]]["parent_id"]
        if convention_code is None:
            continue
        day = wanted_statuses[key]["became_party_on"]
        convention = wanted_statuses.get((key[0], convention_code))
        if convention is None:
            raise row.error(
                _("%(state)s is party to %(protocol)s but not to %(convention)s")
                % {"state": key[0], "protocol": key[1], "convention": convention_code}
            )
        if day < convention["became_party_on"]:
            raise row.error(
                _(
                    "%(state)s became party to %(protocol)s on %(day)s, before it became party "
                    "to %(convention)s on %(convention_day)s"
                )
                % {
                    "state": key[0],
                    "protocol": key[1],
                    "day": day,
                    "convention": convention_code,
                    "convention_day": convention["became_party_on"],
                }
            )

    return {
        "languages": wanted_languages,
        "groups": wanted_groups,
        "instruments": wanted_instruments,
        "states": wanted_states,
        "statuses": wanted_statuses,
    }


def _sync(
    model: type[models.Model],
    wanted: Mapping[Any, dict[str, Any]],
    existing: Mapping[Any, models.Model],
    build,
    report: LoadReport,
) -> None:
    """Create the missing rows and update the ones whose values differ from the files."""
    new = []
    for key, values in wanted.items():
        obj = existing.get(key)
        if obj is None:
            new.append(build(key, values))
            report.count(model, "created")
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save()
            report.count(model, "updated")
        else:
            report.count(model, "unchanged")
    model._default_manager.bulk_create(new)


@transaction.atomic
def load_reference_data(data_dir: Path | str | None = None, *, actor=None) -> LoadReport:
    """Load languages, regional groups, instruments, States and party statuses from the CSV files
    in `data_dir` (the shipped ones by default). Raises DomainError naming the file, the line and
    the reason when a file is malformed; nothing is written then."""
    directory = Path(data_dir) if data_dir is not None else DATA_DIR
    wanted = _parse(directory)
    report = LoadReport(data_dir=str(directory))
    # The untranslated column of a translated field takes the active language's text: load in
    # the default language so that it always holds the English name.
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        _sync(
            Language,
            wanted["languages"],
            Language.objects.in_bulk(),
            lambda key, values: Language(code=key, **values),
            report,
        )
        _sync(
            RegionalGroup,
            wanted["groups"],
            RegionalGroup.objects.in_bulk(),
            lambda key, values: RegionalGroup(code=key, **values),
            report,
        )
        # Conventions first, so that a protocol's parent exists when the protocol is written.
        instruments = wanted["instruments"]
        for parents in (True, False):
            _sync(
                Instrument,
                {k: v for k, v in instruments.items() if (v["parent_id"] is None) == parents},
                Instrument.objects.in_bulk(),
                lambda key, values: Instrument(code=key, **values),
                report,
            )
        _sync(
            State,
            wanted["states"],
            State.objects.in_bulk(),
            lambda key, values: State(code=key, **values),
            report,
        )
        _sync(
            PartyStatus,
            wanted["statuses"],
            {(s.state_id, s.instrument_id): s for s in PartyStatus.objects.all()},
            lambda key, values: PartyStatus(state_id=key[0], instrument_id=key[1], **values),
            report,
        )
    if report.changes:
        record(
            "parties.reference_data_loaded",
            actor=actor,
            data={"data_dir": report.data_dir, "counts": report.counts},
        )
    return report


@transaction.atomic
def set_draw_group(*, actor, state: State, group: RegionalGroup | None) -> State:
    """Give a party in no regional group (the European Union, the Holy See, …) the group it is
    drawn with. A party in a regional group is always drawn with that group, so this refuses."""
    if not is_secretariat(actor):
        raise NotAllowed(_("Only the secretariat can set the group for the draw."))
    state = State.objects.select_for_update().get(pk=state.pk)
    if state.regional_group_id is not None and group is not None:
        raise DomainError(
            _("%(state)s is in the %(group)s; it is drawn with that group.")
            % {"state": state, "group": state.regional_group}
        )
    before = state.draw_group_id
    state.draw_group = group
    state.save(update_fields=["draw_group"])
    record(
        "parties.draw_group_set",
        actor=actor,
        target=state,
        state_code=state.code,
        data={"before": before, "after": group.pk if group else None},
    )
    return state
