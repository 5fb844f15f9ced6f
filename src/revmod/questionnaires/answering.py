"""What a response shows and what an answer may hold: the questions of the instruments the State
is party to, the conditions that show follow-up questions, each article's completeness, the
checks of an answer's value and the differences between two submitted versions. No writes."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from revmod.parties.models import Instrument, PartyStatus
from revmod.questionnaires.models import Answer, Question, Response, translated

Type = Question.Type

# The fixed answers of a yes / no / partially question.
YES_NO_PARTIALLY = [
    ("yes", gettext_lazy("Yes")),
    ("no", gettext_lazy("No")),
    ("partially", gettext_lazy("Partially")),
]


def launch_day(response: Response) -> datetime.date:
    launched = response.phase.launched_at
    return timezone.localdate(launched) if launched else response.phase.starts_on


def party_instruments(response: Response) -> set[str]:
    """The instruments the State under review was party to when its phase was launched: the
    questions of any other protocol are not part of its questionnaire."""
    statuses = PartyStatus.objects.on(launch_day(response)).filter(state=response.review.state_id)
    return set(statuses.values_list("instrument_id", flat=True))


def choice_names(question: Question) -> list[str]:
    if question.type == Type.YES_NO_PARTIALLY:
        return [name for name, _label in YES_NO_PARTIALLY]
    return [choice["name"] for choice in question.choices]


def is_empty(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    if isinstance(value, dict):
        return all(is_empty(part) for part in value.values())
    if isinstance(value, list):
        return all(is_empty(part) for part in value)
    return False


def condition_holds(question: Question, values: dict[str, Any]) -> bool:
    """Whether a question with a `relevant` condition is shown, given the answers by code."""
    if not question.relevant_question:
        return True
    value = values.get(question.relevant_question)
    chosen = value if isinstance(value, list) else [value]
    return any(choice in question.relevant_values for choice in chosen)


@dataclass
class Section:
    instrument: Instrument
    article: str
    questions: list[Question] = field(default_factory=list)
    required: int = 0
    answered_required: int = 0

    @property
    def key(self) -> str:
        return f"{self.instrument.code}-{self.article}"

    @property
    def complete(self) -> bool:
        return self.answered_required == self.required


def answer_values(answers) -> dict[str, Any]:
    return {answer.question.code: answer.value for answer in answers}


def questions_of(response: Response) -> list[Question]:
    """The template's questions of the instruments the State is party to, in order."""
    parties = party_instruments(response)
    questions = response.template.questions.select_related("instrument").order_by("order")
    return [question for question in questions if question.instrument_id in parties]


def sections(response: Response, values: dict[str, Any]) -> list[Section]:
    """The questions shown, grouped by instrument and article, with each article's
    completeness (required questions shown that have an answer)."""
    result: dict[str, Section] = {}
    for question in questions_of(response):
        if not condition_holds(question, values):
            continue
        key = question.section_key
        if key not in result:
            result[key] = Section(instrument=question.instrument, article=question.article)
        section = result[key]
        section.questions.append(question)
        if question.required and question.type != Type.NOTE:
            section.required += 1
            if not is_empty(values.get(question.code)):
                section.answered_required += 1
    return list(result.values())


def current_answers(response: Response) -> dict[str, Answer]:
    answers = Answer.objects.filter(response=response).select_related("question", "updated_by")
    return {answer.question.code: answer for answer in answers}


# --- Checking a value -------------------------------------------------------------------------


def _text(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def clean_value(question: Question, raw: Any) -> Any:
    """The value to store for what was sent, or ValidationError with the reason."""
    names = choice_names(question)
    if question.type in (Type.TEXT,):
        return _text(raw)
    if question.type in (Type.YES_NO_PARTIALLY, Type.CHOICE):
        value = _text(raw)
        if value and value not in names:
            raise ValidationError(_("Choose one of the answers offered."))
        return value
    if question.type == Type.MULTIPLE_CHOICE:
        chosen = [item for item in (raw or []) if item]
        if any(item not in names for item in chosen):
            raise ValidationError(_("Choose among the answers offered."))
        return [name for name in names if name in chosen]
    if question.type == Type.LEGISLATION:
        raw = raw if isinstance(raw, dict) else {}
        url = _text(raw.get("url"))
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError as error:
                raise ValidationError(
                    _("Enter a full web address, starting with https:// or http://.")
                ) from error
        return {"text": _text(raw.get("text")), "url": url}
    if question.type == Type.TABLE:
        rows = []
        for row in raw or []:
            cleaned = {name: _text(row.get(name)) for name in names}
            if not is_empty(cleaned):
                rows.append(cleaned)
        return rows
    return None


# --- Differences between versions -------------------------------------------------------------


@dataclass
class Change:
    code: str
    kind: str  # "changed", "added" or "removed"
    before: Any = None
    after: Any = None

    @property
    def label(self) -> str:
        return str(
            {"changed": _("changed"), "added": _("added"), "removed": _("removed")}[self.kind]
        )


def snapshot_answers(snapshot: dict) -> dict[str, Any]:
    return {code: item.get("value") for code, item in (snapshot.get("answers") or {}).items()}


def differences(previous: dict | None, current: dict) -> list[Change]:
    """Per answer, what changed from the previous submitted version to this one."""
    before = snapshot_answers(previous or {})
    after = snapshot_answers(current)
    changes = []
    for code in list(dict.fromkeys([*before, *after])):
        if code not in before:
            changes.append(Change(code, "added", after=after[code]))
        elif code not in after:
            changes.append(Change(code, "removed", before=before[code]))
        elif before[code] != after[code]:
            changes.append(Change(code, "changed", before=before[code], after=after[code]))
    return changes


def display_value(question: Question | None, value: Any) -> str:
    """An answer as plain text, with choices shown by their label in the reader's language."""
    if is_empty(value):
        return ""
    if question is None:
        return str(value)
    labels = {name: str(label) for name, label in YES_NO_PARTIALLY}
    for choice in question.choices:
        labels[choice["name"]] = translated(choice["labels"]) or choice["name"]
    if question.type in (Type.YES_NO_PARTIALLY, Type.CHOICE):
        return labels.get(value, value)
    if question.type == Type.MULTIPLE_CHOICE:
        return "; ".join(labels.get(item, item) for item in value)
    if question.type == Type.LEGISLATION:
        return " — ".join(part for part in (value.get("text"), value.get("url")) if part)
    if question.type == Type.TABLE:
        return " / ".join(
            "; ".join(f"{labels.get(name, name)}: {cell}" for name, cell in row.items() if cell)
            for row in value
        )
    return str(value)
