"""Reading a mechanism definition file: YAML in, checked plain values out, each error with its line.

A definition file (one per mechanism, shipped under `definitions/`) describes the mechanism, its
instruments, draw rules, clusters and articles, phases, groups and steps with their deadlines.
Parsing checks everything before the loader writes anything, so that a bad file is refused whole.
The values come out as plain JSON values keyed by model field name: the loader compares them
with the database and keeps them in `loaded_values`.
"""

import contextlib
import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, cast

import yaml
from django.conf import settings
from django.core.validators import slug_re
from django.db import models
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from revmod.core.domain import DomainError
from revmod.mechanisms.models import (
    Cluster,
    DrawRules,
    Mechanism,
    StepDeadline,
    StepDefinition,
)

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
# PositiveSmallIntegerField holds at most this on every database.
LARGEST_NUMBER = 32767


class DefinitionError(DomainError):
    """A definition file was refused; the message names the file, the line and the reason."""

    def __init__(self, file: Path | str, line: int, reason: str):
        self.file, self.line, self.reason = str(file), line, reason
        super().__init__(
            _("%(file)s, line %(line)s: %(reason)s")
            % {"file": self.file, "line": line, "reason": reason}
        )


@dataclass
class Part:
    """One object of the definition: its key within the mechanism, its field values, its line."""

    key: Any
    values: dict[str, Any]
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    deadlines: list["Part"] = field(default_factory=list)


@dataclass
class Definition:
    path: Path
    code: str
    values: dict[str, Any]
    draw_rules: dict[str, Any]
    clusters: list[Part]
    phases: list[Part]
    groups: list[Part]
    steps: list[Part]


def shipped_definitions() -> list[Path]:
    return sorted(DEFINITIONS_DIR.glob("*.yaml"))


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def plain_decimal(value: Decimal) -> str:
    """The one spelling of a number, so that 70, 70.0 and 70.00 compare equal."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def parse_definition(path: Path | str, known_instruments: Collection[str]) -> Definition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DomainError(
            _("%(file)s: the file cannot be read (%(error)s).") % {"file": path, "error": error}
        ) from error
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or ""
        # Our own refusals while building (a repeated key) are not syntax errors.
        if not isinstance(error, yaml.constructor.ConstructorError):
            problem = _("YAML syntax error: %(problem)s") % {"problem": problem}
        raise DefinitionError(path, mark.line + 1 if mark else 1, problem) from error
    except yaml.YAMLError as error:
        raise DefinitionError(path, 1, _("YAML error: %(error)s") % {"error": error}) from error
    return _Parser(path, known_instruments).definition(data)


# --- YAML that remembers lines ------------------------------------------------------------------


class _Mapping(dict):
    line = 1
    key_lines: dict[Any, int]


class _Sequence(list):
    line = 1
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and lists remember the line of each key and item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line, mapping.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise yaml.constructor.ConstructorError(
                None, None, _("a key must be a word or a number"), key_node.start_mark
            )
        # Plain PyYAML keeps the last of two equal keys: a silent loss we refuse.
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, _("the key %(key)r appears twice.") % {"key": key}, key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


# --- Checking the contents ----------------------------------------------------------------------

_MISSING = object()


def _field(model: type[models.Model], name: str) -> models.Field:
    return cast(models.Field, model._meta.get_field(name))


def _default(model: type[models.Model], name: str) -> Any:
    return _field(model, name).get_default()


class _Parser:
    def __init__(self, path: Path, known_instruments: Collection[str]):
        self.path = path
        self.known_instruments = set(known_instruments)
        self.instruments: list[str] = []

    def fail(self, line: int, reason: str) -> NoReturn:
        raise DefinitionError(self.path, line, reason)

    def section(self, value, line, what, required, optional=()) -> "_Section":
        return _Section(self, value, line, what, list(required), list(optional))

    def sequence(self, value, line, what) -> list[tuple[Any, int]]:
        if not isinstance(value, _Sequence) or not value:
            self.fail(line, _("%(what)s must be a non-empty list.") % {"what": what})
        return list(zip(value, value.item_lines, strict=True))

    def definition(self, data) -> Definition:
        top = self.section(
            data,
            getattr(data, "line", 1),
            _("the mechanism"),
            required=[
                "code",
                "name",
                "short_name",
                "instruments",
                "phase_length_months",
                "gate_threshold_percent",
                "activation_link_days",
                "unresponsive_after_days",
                "reminder_days_before",
                "overdue_reminder_every_days",
                "overdue_reminder_max",
                "escalate_after_reminders",
                "draw_rules",
                "clusters",
                "phases",
                "groups",
                "steps",
            ],
            optional=["description"],
        )
        code = top.slug("code", Mechanism)
        values = {
            **top.label("name", Mechanism),
            **top.label("short_name", Mechanism),
            **top.label("description", Mechanism),
            "instruments": self.instrument_codes(top),
            "phase_length_months": top.integer("phase_length_months", minimum=1),
            "gate_threshold_percent": top.percent("gate_threshold_percent"),
            "activation_link_days": top.integer("activation_link_days", minimum=1),
            "unresponsive_after_days": top.integer("unresponsive_after_days", minimum=1),
            **self.reminders(top),
        }
        clusters = self.clusters(top)
        steps = self.steps(top)
        return Definition(
            path=self.path,
            code=code,
            values=values,
            draw_rules=self.draw_rules(top),
            clusters=clusters,
            phases=self.phases(top, {part.key for part in clusters}),
            groups=self.groups(top),
            steps=steps,
        )

    def reminders(self, top: "_Section") -> dict[str, Any]:
        days_before: list[int] = []
        listed = top.value("reminder_days_before")
        # An empty list is allowed: no reminder before the due date.
        empty = isinstance(listed, _Sequence) and not listed
        items = [] if empty else self.sequence(listed, top.line("reminder_days_before"), "days")
        for days, line in items:
            if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
                self.fail(
                    line,
                    _("a reminder is sent 1 to 366 days before a due date, not %(value)r.")
                    % {"value": days},
                )
            if days in days_before:
                self.fail(line, _("%(days)s days before is listed twice.") % {"days": days})
            days_before.append(days)
        most = top.integer("overdue_reminder_max")
        escalate_after = top.integer("escalate_after_reminders", minimum=1)
        # The secretariat hears of it after twice as many reminders as the focal point.
        if 2 * escalate_after > most:
            top.fail(
                "escalate_after_reminders",
                _(
                    "escalate_after_reminders must be at most half of overdue_reminder_max, so "
                    "that the focal point and then the secretariat are told."
                ),
            )
        return {
            # Largest first: the order the reminders go out in.
            "reminder_days_before": sorted(days_before, reverse=True),
            "overdue_reminder_every_days": top.integer("overdue_reminder_every_days", minimum=1),
            "overdue_reminder_max": most,
            "escalate_after_reminders": escalate_after,
        }

    def instrument_codes(self, top: "_Section") -> list[str]:
        for code, line in self.sequence(
            top.value("instruments"), top.line("instruments"), "instruments"
        ):
            if code not in self.known_instruments:
                self.fail(
                    line,
                    _(
                        "unknown instrument %(code)r: no instrument has this code "
                        "(load the instruments reference data first)."
                    )
                    % {"code": code},
                )
            if code in self.instruments:
                self.fail(line, _("the instrument %(code)r is listed twice.") % {"code": code})
            self.instruments.append(code)
        return self.instruments

    def draw_rules(self, top: "_Section") -> dict[str, Any]:
        counts = ["same_group_reviewers", "other_group_reviewers", "any_group_reviewers"]
        flags = ["per_instrument", "forbid_mutual_pairs", "balance_load"]
        rules = self.section(
            top.value("draw_rules"),
            top.line("draw_rules"),
            "draw_rules",
            required=counts[:2],
            optional=[*counts[2:], *flags, "max_reviews_per_state", "max_redraws", "cadence"],
        )
        values: dict[str, Any] = {
            name: rules.integer(name, default=_default(DrawRules, name)) for name in counts
        }
        values |= {name: rules.boolean(name, default=_default(DrawRules, name)) for name in flags}
        # Empty (null) means no cap.
        values["max_reviews_per_state"] = (
            rules.integer("max_reviews_per_state", minimum=1)
            if rules.value("max_reviews_per_state", None) is not None
            else None
        )
        values["max_redraws"] = rules.integer(
            "max_redraws", default=_default(DrawRules, "max_redraws")
        )
        values["cadence"] = rules.choice(
            "cadence", DrawRules.Cadence.values, default=_default(DrawRules, "cadence")
        )
        if not any(values[name] for name in counts):
            self.fail(rules.mapping.line, _("draw_rules must ask for at least one reviewer."))
        return values

    def clusters(self, top: "_Section") -> list[Part]:
        parts: list[Part] = []
        for item, line in self.sequence(top.value("clusters"), top.line("clusters"), "clusters"):
            cluster = self.section(
                item, line, _("a cluster"), ["number", "name", "articles"], ["articles_assumed"]
            )
            number = self.unique_number(cluster, parts, _("cluster"))
            values = {
                **cluster.label("name", Cluster),
                "articles_assumed": cluster.boolean(
                    "articles_assumed", default=_default(Cluster, "articles_assumed")
                ),
                "articles": self.articles(cluster),
            }
            parts.append(Part(number, values, line))
        return parts

    def articles(self, cluster: "_Section") -> dict[str, list[str]]:
        articles = self.section(
            cluster.value("articles"),
            cluster.line("articles"),
            "articles",
            required=[],
            optional=self.instruments,
        )
        result: dict[str, list[str]] = {}
        for code in articles.mapping:
            numbers: list[str] = []
            for article, line in self.sequence(articles.value(code), articles.line(code), code):
                text = str(article).strip() if isinstance(article, str | int) else ""
                if isinstance(article, bool) or not text or len(text) > 12:
                    self.fail(line, _("%(value)r is not an article number.") % {"value": article})
                if text in numbers:
                    self.fail(
                        line,
                        _("article %(article)s of %(code)s is listed twice.")
                        % {"article": text, "code": code},
                    )
                numbers.append(text)
            result[code] = numbers
        if not result:
            self.fail(articles.mapping.line, _("a cluster must list at least one article."))
        return result

    def phases(self, top: "_Section", cluster_numbers: set[int]) -> list[Part]:
        parts: list[Part] = []
        for item, line in self.sequence(top.value("phases"), top.line("phases"), "phases"):
            phase = self.section(item, line, _("a phase"), ["number", "cluster"])
            number = self.unique_number(phase, parts, _("phase"))
            cluster = phase.integer("cluster", minimum=1)
            if cluster not in cluster_numbers:
                self.fail(
                    phase.line("cluster"),
                    _("phase %(number)s refers to cluster %(cluster)s, which is not defined.")
                    % {"number": number, "cluster": cluster},
                )
            parts.append(Part(number, {"cluster": cluster}, line))
        # A group's phase N starts (N - 1) phase lengths after the group: phases follow each other.
        if sorted(part.key for part in parts) != list(range(1, len(parts) + 1)):
            self.fail(
                top.line("phases"), _("phases must be numbered 1, 2, 3 and so on, with no gap.")
            )
        return parts

    def groups(self, top: "_Section") -> list[Part]:
        parts: list[Part] = []
        for item, line in self.sequence(top.value("groups"), top.line("groups"), "groups"):
            group = self.section(
                item, line, _("a group"), ["number", "starts_on", "foreseen_reviews"]
            )
            number = self.unique_number(group, parts, _("group"))
            values = {
                "starts_on": group.date("starts_on"),
                "foreseen_reviews": group.integer("foreseen_reviews"),
            }
            parts.append(Part(number, values, line))
        return parts

    def steps(self, top: "_Section") -> list[Part]:
        flags = ["optional", "cleared_by_focal_point", "counts_as_completed"]
        parts: list[Part] = []
        for order, (item, line) in enumerate(
            self.sequence(top.value("steps"), top.line("steps"), "steps"), start=1
        ):
            step = self.section(
                item,
                line,
                _("a step"),
                ["code", "name"],
                ["description", "deadlines", "submitted_by", *flags],
            )
            code = step.slug("code", StepDefinition)
            if any(part.key == code for part in parts):
                self.fail(
                    step.line("code"), _("the step code %(code)r is used twice.") % {"code": code}
                )
            values = {
                "order": order,
                **step.label("name", StepDefinition),
                **step.label("description", StepDefinition),
            }
            values |= {
                name: step.boolean(name, default=_default(StepDefinition, name)) for name in flags
            }
            values["submitted_by"] = self.submitted_by(
                step, code, bool(values["cleared_by_focal_point"])
            )
            parts.append(
                Part(code, values, line, step.mapping.key_lines, self.deadlines(step, code))
            )
        completing = [part.key for part in parts if part.values["counts_as_completed"]]
        if len(completing) != 1:
            self.fail(
                top.line("steps"),
                _("exactly one step must have counts_as_completed: true (found %(count)s).")
                % {"count": len(completing)},
            )
        codes = {part.key for part in parts}
        for part in parts:
            for deadline in part.deadlines:
                anchor = deadline.values["anchor_step"]
                if anchor is not None and anchor not in codes:
                    self.fail(
                        deadline.key_lines["anchor_step"],
                        _("the deadline %(deadline)r is counted from the unknown step %(anchor)r.")
                        % {"deadline": deadline.key, "anchor": anchor},
                    )
        return parts

    def submitted_by(self, step: "_Section", code: str, cleared_by_focal_point: bool) -> str:
        """Whose output the step is. A step a focal point clears must say which State's: the
        engine cannot guess it from the step's code."""
        if cleared_by_focal_point and not step.has("submitted_by"):
            step.fail(
                "code",
                _(
                    "the step %(code)r is cleared by a focal point: it must say whose output it "
                    "is (submitted_by: %(choices)s)."
                )
                % {"code": code, "choices": ", ".join(StepDefinition.SubmittedBy.values)},
            )
        submitted_by = step.choice(
            "submitted_by",
            StepDefinition.SubmittedBy.values,
            default=_default(StepDefinition, "submitted_by"),
        )
        if cleared_by_focal_point == (submitted_by == StepDefinition.SubmittedBy.SECRETARIAT):
            step.fail(
                "submitted_by",
                _(
                    "the step %(code)r: a step cleared by a focal point belongs to the State "
                    "under review or to the reviewing States; any other step belongs to the "
                    "secretariat."
                )
                % {"code": code},
            )
        return submitted_by

    def deadlines(self, step: "_Section", step_code: str) -> list[Part]:
        if not step.has("deadlines"):
            return []
        parts: list[Part] = []
        for item, line in self.sequence(
            step.value("deadlines"), step.line("deadlines"), "deadlines"
        ):
            deadline = self.section(
                item,
                line,
                _("a deadline of the step %(step)r") % {"step": step_code},
                ["code", "name", "amount", "unit"],
                ["anchor_step", "anchor_event"],
            )
            code = deadline.slug("code", StepDeadline)
            if any(part.key == code for part in parts):
                self.fail(
                    deadline.line("code"),
                    _("the deadline code %(code)r is used twice in the step %(step)r.")
                    % {"code": code, "step": step_code},
                )
            anchor = deadline.value("anchor_step", None)
            if anchor is not None and not isinstance(anchor, str):
                self.fail(deadline.line("anchor_step"), _("anchor_step must be a step code."))
            values = {
                **deadline.label("name", StepDeadline),
                "amount": deadline.integer("amount"),
                "unit": deadline.choice("unit", StepDeadline.Unit.values),
                "anchor_step": anchor,
                "anchor_event": deadline.choice(
                    "anchor_event",
                    StepDeadline.Event.values,
                    default=_default(StepDeadline, "anchor_event"),
                ),
            }
            if anchor is None and values["anchor_event"] != StepDeadline.Event.START:
                self.fail(
                    deadline.line("anchor_event"),
                    _(
                        "anchor_event needs an anchor_step: without one, time counts from the "
                        "start of the phase."
                    ),
                )
            parts.append(Part(code, values, line, deadline.mapping.key_lines))
        return parts

    def unique_number(self, section: "_Section", parts: list[Part], what: str) -> int:
        number = section.integer("number", minimum=1)
        if any(part.key == number for part in parts):
            self.fail(
                section.line("number"),
                _("%(what)s number %(number)s is defined twice.")
                % {"what": what, "number": number},
            )
        return number


class _Section:
    """One mapping of the file: refuses unknown and missing keys, reads typed values."""

    def __init__(self, parser: _Parser, mapping, line: int, what: str, required, optional):
        self.parser = parser
        if not isinstance(mapping, _Mapping):
            parser.fail(line, _("%(what)s must be a mapping of keys to values.") % {"what": what})
        self.mapping: _Mapping = mapping
        allowed = required + optional
        for key in mapping:
            if key not in allowed:
                parser.fail(
                    mapping.key_lines[key],
                    _("unknown key %(key)r in %(what)s; expected one of: %(allowed)s.")
                    % {"key": key, "what": what, "allowed": ", ".join(map(str, allowed))},
                )
        for key in required:
            if key not in mapping:
                parser.fail(
                    mapping.line,
                    _("missing required key %(key)r in %(what)s.") % {"key": key, "what": what},
                )

    def has(self, key) -> bool:
        return key in self.mapping

    def line(self, key) -> int:
        return self.mapping.key_lines.get(key, self.mapping.line)

    def value(self, key, default=_MISSING):
        return self.mapping[key] if key in self.mapping or default is _MISSING else default

    def fail(self, key, reason: str) -> NoReturn:
        self.parser.fail(self.line(key), reason)

    def integer(self, key, *, minimum=0, default=_MISSING) -> int:
        value = self.value(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.fail(
                key,
                _("%(key)s must be a whole number of %(minimum)s or more, not %(value)r.")
                % {"key": key, "minimum": minimum, "value": value},
            )
        if value > LARGEST_NUMBER:
            self.fail(
                key,
                _("%(key)s must be at most %(largest)s, not %(value)s.")
                % {"key": key, "largest": LARGEST_NUMBER, "value": value},
            )
        return value

    def boolean(self, key, *, default=_MISSING) -> bool:
        value = self.value(key, default)
        if not isinstance(value, bool):
            self.fail(
                key,
                _("%(key)s must be true or false, not %(value)r.") % {"key": key, "value": value},
            )
        return value

    def percent(self, key) -> str:
        value = self.value(key)
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.fail(
                key, _("%(key)s must be a number, not %(value)r.") % {"key": key, "value": value}
            )
        if not 0 <= number <= 100:
            self.fail(
                key,
                _("%(key)s must be between 0 and 100, not %(value)s.")
                % {"key": key, "value": value},
            )
        if number != number.quantize(Decimal("0.01")):
            self.fail(key, _("%(key)s has at most two decimals.") % {"key": key})
        return plain_decimal(number)

    def date(self, key) -> str:
        value = self.value(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.date.fromisoformat(value)
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            self.fail(
                key,
                _("%(key)s must be a date written YYYY-MM-DD, not %(value)r.")
                % {"key": key, "value": value},
            )
        return value.isoformat()

    def choice(self, key, choices: list[str], *, default=_MISSING) -> str:
        value = self.value(key, default)
        if value not in choices:
            self.fail(
                key,
                _("%(key)s must be one of %(choices)s, not %(value)r.")
                % {"key": key, "choices": ", ".join(choices), "value": value},
            )
        return value

    def slug(self, key, model: type[models.Model]) -> str:
        value = self.value(key)
        max_length = _field(model, "code").max_length or 0
        if not isinstance(value, str) or not slug_re.match(value) or len(value) > max_length:
            self.fail(
                key,
                _(
                    "%(key)s must be a code of at most %(length)s letters, digits, hyphens or "
                    "underscores, not %(value)r."
                )
                % {"key": key, "length": max_length, "value": value},
            )
        return value

    def label(self, key, model: type[models.Model]) -> dict[str, str]:
        """A text in every language, as the values of the translated fields (name_en, name_fr…).

        A missing optional label (a description) is empty in every language."""
        languages = language_codes()
        if not self.has(key):
            return {build_localized_fieldname(key, code): "" for code in languages}
        texts = self.parser.section(
            self.value(key), self.line(key), key, required=[], optional=languages
        )
        max_length = _field(model, key).max_length
        result = {}
        for code in languages:
            text = texts.value(code, None)
            if not isinstance(text, str) or not text.strip():
                self.fail(
                    key,
                    _("the label %(key)s has no text in the language %(language)r.")
                    % {"key": key, "language": code},
                )
            if max_length and len(text.strip()) > max_length:
                texts.fail(
                    code,
                    _("the %(language)s text of %(key)s is longer than %(length)s characters.")
                    % {"language": code, "key": key, "length": max_length},
                )
            result[build_localized_fieldname(key, code)] = text.strip()
        return result
