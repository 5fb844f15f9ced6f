"""Domain functions of the mechanisms app: loading a mechanism definition file into the database.

Loading is idempotent and careful with the admin: every row remembers the values it was last
loaded with (`loaded_values`). When the database differs from the file, the loader looks at that
memory: if the database still holds what was loaded, the file changed and the row is updated; if
not, someone edited the row in the admin, and the edit is reported as a conflict and kept (unless
`force`). Nothing is deleted: rows missing from the file are reported and left alone.
"""

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from revmod.core.audit import record
from revmod.core.domain import NotAllowed
from revmod.mechanisms.definitions import (
    Definition,
    DefinitionError,
    parse_definition,
    plain_decimal,
)
from revmod.mechanisms.definitions import shipped_definitions as shipped_definitions  # for callers
from revmod.mechanisms.models import (
    Cluster,
    ClusterArticle,
    DrawRules,
    LoadedFromDefinition,
    Mechanism,
    MechanismInstrument,
    PhaseDefinition,
    ReviewGroup,
    StepDeadline,
    StepDefinition,
)
from revmod.parties.models import Instrument

# Steps are renumbered through orders above any real one, so that swapping two steps never
# trips the unique (mechanism, order) constraint halfway.
TEMPORARY_ORDER = 30000


@dataclass(frozen=True)
class FieldChange:
    object: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Conflict:
    """A field edited in the admin since the last load, which the file would change."""

    object: str
    field: str
    database: Any
    loaded: Any
    file: Any
    overwritten: bool
    never_loaded: bool = False  # the row was made in the admin, not loaded from a file


@dataclass
class LoadReport:
    file: str
    mechanism: str
    dry_run: bool
    force: bool
    created: list[str] = field(default_factory=list)
    updated: list[FieldChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or any(c.overwritten for c in self.conflicts))

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "mechanism": self.mechanism,
            "force": self.force,
            "created": len(self.created),
            "updated": [asdict(change) for change in self.updated],
            "unchanged": len(self.unchanged),
            "conflicts": [asdict(conflict) for conflict in self.conflicts],
            "not_in_file": self.not_in_file,
        }


@transaction.atomic
def load_mechanism(
    path: Path | str, *, actor=None, dry_run: bool = False, force: bool = False
) -> LoadReport:
    """Create or update a mechanism from its definition file; see the module docstring.

    Raises DomainError ("<file>, line <n>: <reason>") on a bad file, having written nothing.
    With `dry_run` the report says what a load would do, and everything is rolled back."""
    if actor is not None and not actor.has_perm("mechanisms.change_mechanism"):
        raise NotAllowed(_("Only an administrator may load a mechanism definition."))
    known_instruments = set(Instrument.objects.values_list("code", flat=True))
    definition = parse_definition(path, known_instruments)
    report = LoadReport(file=str(path), mechanism=definition.code, dry_run=dry_run, force=force)
    mechanism = _Loader(definition, report, force).load()
    if dry_run:
        transaction.set_rollback(True)
    else:
        record("mechanism.loaded", actor=actor, target=mechanism, data=report.summary())
    return report


class _Loader:
    # Fields that are rows of their own, written once the object has a primary key.
    RELATED = frozenset({"instruments", "articles"})

    def __init__(self, definition: Definition, report: LoadReport, force: bool):
        self.definition = definition
        self.report = report
        self.force = force
        self.clusters: dict[int, Cluster] = {}
        self.steps: dict[str, StepDefinition] = {}
        self.step_orders: list[tuple[StepDefinition, int]] = []

    def load(self) -> Mechanism:
        definition, code = self.definition, self.definition.code
        mechanism = self.sync(
            Mechanism, {"code": code}, _("mechanism %(code)s") % {"code": code}, definition.values
        )
        self.sync(
            DrawRules,
            {"mechanism": mechanism},
            _("%(mechanism)s: draw rules") % {"mechanism": code},
            definition.draw_rules,
        )
        for part in definition.clusters:
            self.clusters[part.key] = self.sync(
                Cluster,
                {"mechanism": mechanism, "number": part.key},
                _cluster(code, part.key),
                part.values,
            )
        for part in definition.phases:
            self.sync(
                PhaseDefinition,
                {"mechanism": mechanism, "number": part.key},
                _phase(code, part.key),
                part.values,
            )
        for part in definition.groups:
            self.sync(
                ReviewGroup,
                {"mechanism": mechanism, "number": part.key},
                _group(code, part.key),
                part.values,
            )
        # Every step first, so that a deadline may count from a later step.
        for part in definition.steps:
            self.steps[part.key] = self.sync(
                StepDefinition,
                {"mechanism": mechanism, "code": part.key},
                _step(code, part.key),
                part.values,
            )
        self.settle_step_orders()
        deadlines = [
            self.sync(
                StepDeadline,
                {"step": self.steps[step.key], "code": part.key},
                _deadline(code, step.key, part.key),
                part.values,
            ).pk
            for step in definition.steps
            for part in step.deadlines
        ]
        self.note_rows_not_in_file(mechanism, deadlines)
        return mechanism

    def sync(
        self, model: type[LoadedFromDefinition], lookup: dict, label: str, values: dict
    ) -> Any:
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup)
            self.save(obj, values, loaded=values)
            self.report.created.append(label)
            return obj
        loaded: dict = obj.loaded_values or {}
        accepted: dict[str, Any] = {}
        new_loaded = dict(loaded)
        conflicted = False
        for name, file_value in values.items():
            current = self.read(obj, name)
            if current == file_value:
                new_loaded[name] = file_value
                continue
            # A row never loaded was made in the admin: all of it counts as an edit. A field the
            # last load did not know is new to the file format, not an edit.
            edited = not loaded or (name in loaded and loaded[name] != current)
            if edited:
                conflicted = True
                self.report.conflicts.append(
                    Conflict(
                        object=label,
                        field=name,
                        database=current,
                        loaded=loaded.get(name),
                        file=file_value,
                        overwritten=self.force,
                        never_loaded=not loaded,
                    )
                )
                if not self.force:
                    continue
            else:
                self.report.updated.append(FieldChange(label, name, current, file_value))
            accepted[name] = file_value
            new_loaded[name] = file_value
        if accepted or new_loaded != loaded:
            self.save(obj, accepted, loaded=new_loaded)
        if not accepted and not conflicted:
            self.report.unchanged.append(label)
        return obj

    def save(self, obj, changes: dict[str, Any], *, loaded: dict[str, Any]) -> None:
        for name, value in changes.items():
            if name not in self.RELATED:
                self.assign(obj, name, value)
        obj.loaded_values = loaded
        obj.save()
        for name in self.RELATED & changes.keys():
            self.assign_related(obj, name, changes[name])

    def read(self, obj, name: str) -> Any:
        """The database value of a field, spelt as the definition spells it."""
        if name == "instruments":
            links = MechanismInstrument.objects.filter(mechanism=obj).order_by("order", "pk")
            return list(links.values_list("instrument_id", flat=True))
        if name == "articles":
            articles: dict[str, list[str]] = {}
            for article in obj.articles.order_by("order", "pk"):
                articles.setdefault(article.instrument_id, []).append(article.article)
            return articles
        if name == "cluster":
            return obj.cluster.number
        if name == "anchor_step":
            return obj.anchor_step.code if obj.anchor_step_id else None
        value = getattr(obj, name)
        if isinstance(value, Decimal):
            return plain_decimal(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        # A translation never filled in the admin is NULL: the same as an empty text.
        if value is None and isinstance(
            obj._meta.get_field(name), models.CharField | models.TextField
        ):
            return ""
        return value

    def assign(self, obj, name: str, value: Any) -> None:
        if name == "cluster":
            obj.cluster = self.clusters[value]
        elif name == "anchor_step":
            obj.anchor_step = self.steps[value] if value else None
        elif name == "order" and isinstance(obj, StepDefinition):
            self.step_orders.append((obj, value))
            obj.order = TEMPORARY_ORDER + len(self.step_orders)
        else:
            setattr(obj, name, obj._meta.get_field(name).to_python(value))

    def assign_related(self, obj, name: str, value: Any) -> None:
        if name == "instruments":
            MechanismInstrument.objects.filter(mechanism=obj).exclude(
                instrument_id__in=value
            ).delete()
            for order, code in enumerate(value, start=1):
                MechanismInstrument.objects.update_or_create(
                    mechanism=obj, instrument_id=code, defaults={"order": order}
                )
        elif name == "articles":
            wanted = {(code, article) for code, articles in value.items() for article in articles}
            for article in obj.articles.all():
                if (article.instrument_id, article.article) not in wanted:
                    article.delete()
            for code, articles in value.items():
                for order, article in enumerate(articles, start=1):
                    ClusterArticle.objects.update_or_create(
                        cluster=obj, instrument_id=code, article=article, defaults={"order": order}
                    )

    def settle_step_orders(self) -> None:
        lines = {part.key: part.line for part in self.definition.steps}
        for step, order in self.step_orders:
            step.order = order
            try:
                with transaction.atomic():
                    step.save(update_fields=["order"])
            except IntegrityError as error:
                raise DefinitionError(
                    self.definition.path,
                    lines[step.code],
                    _(
                        "the step %(code)r cannot take place %(order)s: another step of the "
                        "mechanism holds it in the database (edited in the admin?). Fix the order "
                        "in the admin or load with --force."
                    )
                    % {"code": step.code, "order": order},
                ) from error

    def note_rows_not_in_file(self, mechanism: Mechanism, deadline_ids: list[int]) -> None:
        code, definition = mechanism.code, self.definition
        missing = self.report.not_in_file
        for cluster in mechanism.clusters.exclude(number__in=[p.key for p in definition.clusters]):
            missing.append(_cluster(code, cluster.number))
        for phase in mechanism.phases.exclude(number__in=[p.key for p in definition.phases]):
            missing.append(_phase(code, phase.number))
        for group in mechanism.groups.exclude(number__in=[p.key for p in definition.groups]):
            missing.append(_group(code, group.number))
        for step in mechanism.steps.exclude(code__in=[p.key for p in definition.steps]):
            missing.append(_step(code, step.code))
        extra_deadlines = StepDeadline.objects.filter(step__mechanism=mechanism).exclude(
            pk__in=deadline_ids
        )
        for deadline in extra_deadlines.select_related("step"):
            missing.append(_deadline(code, deadline.step.code, deadline.code))


def _cluster(mechanism: str, number: int) -> str:
    return _("%(mechanism)s: cluster %(number)s") % {"mechanism": mechanism, "number": number}


def _phase(mechanism: str, number: int) -> str:
    return _("%(mechanism)s: phase %(number)s") % {"mechanism": mechanism, "number": number}


def _group(mechanism: str, number: int) -> str:
    return _("%(mechanism)s: group %(number)s") % {"mechanism": mechanism, "number": number}


def _step(mechanism: str, code: str) -> str:
    return _("%(mechanism)s: step %(step)s") % {"mechanism": mechanism, "step": code}


def _deadline(mechanism: str, step: str, code: str) -> str:
    return _("%(mechanism)s: deadline %(deadline)s of step %(step)s") % {
        "mechanism": mechanism,
        "deadline": code,
        "step": step,
    }
