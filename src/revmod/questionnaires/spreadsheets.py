"""Questionnaire templates as spreadsheets in the XLSForm style, both ways.

A workbook has three sheets: `survey` (one question a row: type, name, instrument, article,
required, relevant, then `label::<language>` and `hint::<language>` columns), `choices`
(list_name, name, `label::<language>`) and `settings` (mechanism, cluster, version). The type
column reads like XLSForm: `select_one <list>`, `select_multiple <list>`, `table <list>` (the list
gives the table's columns), or one of yes_no_partially, text, legislation, note. A condition reads
`${code} = 'value'`, several values joined by ` or `.

`read_workbook` checks everything before anything is written and reports every error with its
sheet, row and column; `write_workbook` writes the same layout, so that a template exported and
imported again is the same template. The shipped templates are YAML sources with the same
structure (templates_src/), built into a workbook by `build_workbook` so that their text stays
diffable.
"""

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import yaml
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from revmod.core.domain import DomainError
from revmod.mechanisms.models import Cluster, ClusterArticle, Mechanism
from revmod.questionnaires.models import Question, QuestionnaireTemplate

SOURCES_DIR = Path(__file__).resolve().parent / "templates_src"
LANGUAGES = ("en", "fr", "es", "ru", "zh-hans", "ar")
SURVEY_COLUMNS = ["type", "name", "instrument", "article", "required", "relevant"]
CHOICES_COLUMNS = ["list_name", "name"]
SETTINGS_COLUMNS = ["mechanism", "cluster", "version"]
# The type column, one word for each type; the three that need a list take it as a second word.
SIMPLE_TYPES = {
    "yes_no_partially": Question.Type.YES_NO_PARTIALLY,
    "text": Question.Type.TEXT,
    "legislation": Question.Type.LEGISLATION,
    "note": Question.Type.NOTE,
}
LIST_TYPES = {
    "select_one": Question.Type.CHOICE,
    "select_multiple": Question.Type.MULTIPLE_CHOICE,
    "table": Question.Type.TABLE,
}
CODE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CONDITION = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}\s*=\s*'([^']*)'$")
TRUE_WORDS = {"yes", "true", "1"}
FALSE_WORDS = {"no", "false", "0", ""}


class TemplateErrors(DomainError):
    """The workbook was refused; `messages` lists every error with its sheet, row and column."""


@dataclass
class ParsedQuestion:
    order: int
    code: str
    type: str
    instrument: str
    article: str
    required: bool
    relevant_question: str
    relevant_values: list[str]
    labels: dict[str, str]
    hints: dict[str, str]
    choice_list: str = ""
    choices: list[dict] = field(default_factory=list)


@dataclass
class ParsedTemplate:
    mechanism: Mechanism
    cluster: Cluster
    version: int
    questions: list[ParsedQuestion]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Sheet:
    """Rows of one sheet as dicts by column name, with the row numbers the author sees."""

    def __init__(self, workbook, name: str, errors: list[str]):
        self.name = name
        self.errors = errors
        self.columns: list[str] = []
        self.rows: list[tuple[int, dict[str, str]]] = []
        if name not in workbook.sheetnames:
            errors.append(_("workbook: the sheet '%(sheet)s' is missing") % {"sheet": name})
            self.present = False
            return
        self.present = True
        values = list(workbook[name].iter_rows(values_only=True))
        if values:
            self.columns = [_cell(value) for value in values[0]]
        for number, row in enumerate(values[1:], start=2):
            cells = {
                column: _cell(value)
                for column, value in zip(self.columns, row, strict=False)
                if column
            }
            if any(cells.values()):
                self.rows.append((number, cells))

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(
            _("%(sheet)s, row %(row)s, column %(column)s: %(message)s")
            % {"sheet": self.name, "row": row, "column": column, "message": message}
        )

    def require_columns(self, names: list[str]) -> None:
        for name in [*names, "label::en"]:
            if self.present and name not in self.columns:
                self.error(1, name, _("the column is missing"))
        for name in self.columns:
            if name.startswith(("label::", "hint::")):
                language = name.split("::", 1)[1]
                if language not in LANGUAGES:
                    self.error(1, name, _("unknown language '%(code)s'") % {"code": language})

    @staticmethod
    def texts(cells: dict[str, str], prefix: str) -> dict[str, str]:
        return {
            language: cells[f"{prefix}::{language}"]
            for language in LANGUAGES
            if cells.get(f"{prefix}::{language}")
        }


def _open(file) -> Workbook:
    try:
        return load_workbook(file, read_only=False, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as error:
        raise TemplateErrors(
            [_("workbook: this is not an Excel workbook (.xlsx) that can be read")]
        ) from error


def _read_settings(sheet: _Sheet):
    if not sheet.present:
        return None
    for name in SETTINGS_COLUMNS:
        if name not in sheet.columns:
            sheet.error(1, name, _("the column is missing"))
    if not sheet.rows:
        sheet.error(2, "mechanism", _("the settings row is missing"))
        return None
    row, cells = sheet.rows[0]
    mechanism = Mechanism.objects.filter(code=cells.get("mechanism", "")).first()
    if mechanism is None:
        sheet.error(
            row,
            "mechanism",
            _("unknown mechanism '%(code)s'") % {"code": cells.get("mechanism", "")},
        )
        return None
    number = cells.get("cluster", "")
    cluster = mechanism.clusters.filter(number=int(number)).first() if number.isdigit() else None
    if cluster is None:
        sheet.error(row, "cluster", _("unknown cluster '%(number)s'") % {"number": number})
    version = cells.get("version", "")
    if not version.isdigit() or int(version) < 1:
        sheet.error(row, "version", _("a version is a whole number from 1"))
        return None
    if (
        cluster is not None
        and QuestionnaireTemplate.objects.filter(
            mechanism=mechanism, cluster=cluster, version=int(version)
        ).exists()
    ):
        sheet.error(
            row,
            "version",
            _("version %(version)s of this template already exists") % {"version": version},
        )
    return mechanism, cluster, int(version)


def _read_choices(sheet: _Sheet) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    if not sheet.present:
        return lists
    for row, cells in sheet.rows:
        list_name, name = cells.get("list_name", ""), cells.get("name", "")
        if not CODE.match(list_name):
            sheet.error(row, "list_name", _("a list name is letters, digits and _"))
            continue
        if not CODE.match(name):
            sheet.error(row, "name", _("a choice name is letters, digits and _"))
            continue
        labels = sheet.texts(cells, "label")
        if "en" not in labels:
            sheet.error(row, "label::en", _("the English label is missing"))
        choices = lists.setdefault(list_name, [])
        if any(choice["name"] == name for choice in choices):
            sheet.error(
                row,
                "name",
                _("'%(name)s' appears twice in the list '%(list)s'")
                % {"name": name, "list": list_name},
            )
            continue
        choices.append({"name": name, "labels": labels})
    return lists


def _parse_condition(text: str) -> tuple[str, list[str]] | None:
    parts = [part.strip() for part in re.split(r"\s+or\s+", text)]
    matches = [CONDITION.match(part) for part in parts]
    if not all(matches):
        return None
    codes = {match.group(1) for match in matches if match}
    if len(codes) != 1:
        return None
    return codes.pop(), [match.group(2) for match in matches if match]


def _article_keys(cluster: Cluster | None) -> set[tuple[str, str]]:
    if cluster is None:
        return set()
    return set(
        ClusterArticle.objects.filter(cluster=cluster).values_list("instrument_id", "article")
    )


def _read_survey(sheet: _Sheet, lists: dict[str, list[dict]], cluster) -> list[ParsedQuestion]:
    questions: list[ParsedQuestion] = []
    if not sheet.present:
        return questions
    articles = _article_keys(cluster)
    seen: dict[str, ParsedQuestion] = {}
    for row, cells in sheet.rows:
        words = cells.get("type", "").split()
        question_type, list_name = "", ""
        if len(words) == 1 and words[0] in SIMPLE_TYPES:
            question_type = SIMPLE_TYPES[words[0]]
        elif len(words) == 2 and words[0] in LIST_TYPES:
            question_type, list_name = LIST_TYPES[words[0]], words[1]
            if list_name not in lists:
                sheet.error(row, "type", _("unknown choice list '%(list)s'") % {"list": list_name})
        else:
            sheet.error(row, "type", _("unknown type '%(type)s'") % {"type": cells.get("type", "")})
        code = cells.get("name", "")
        if not CODE.match(code):
            sheet.error(
                row, "name", _("a name is letters, digits and _, not starting with a digit")
            )
        elif code in seen:
            sheet.error(row, "name", _("the name '%(code)s' is used twice") % {"code": code})
        instrument, article = cells.get("instrument", ""), cells.get("article", "")
        if cluster is not None and (instrument, article) not in articles:
            column = "article" if instrument in {key[0] for key in articles} else "instrument"
            sheet.error(
                row,
                column,
                _("%(instrument)s article %(article)s is not part of this cluster")
                % {"instrument": instrument or "?", "article": article or "?"},
            )
        required_text = cells.get("required", "").lower()
        if required_text not in TRUE_WORDS | FALSE_WORDS:
            sheet.error(row, "required", _("write yes or no"))
        relevant_question, relevant_values = "", list[str]()
        if cells.get("relevant"):
            parsed = _parse_condition(cells["relevant"])
            if parsed is None:
                sheet.error(
                    row,
                    "relevant",
                    _("write a condition like ${code} = 'value', values joined by 'or'"),
                )
            else:
                relevant_question, relevant_values = parsed
                earlier = seen.get(relevant_question)
                if earlier is None:
                    sheet.error(
                        row,
                        "relevant",
                        _("unknown question '%(code)s'") % {"code": relevant_question},
                    )
                elif earlier.type in (
                    Question.Type.YES_NO_PARTIALLY,
                    Question.Type.CHOICE,
                    Question.Type.MULTIPLE_CHOICE,
                ):
                    offered = (
                        ["yes", "no", "partially"]
                        if earlier.type == Question.Type.YES_NO_PARTIALLY
                        else [choice["name"] for choice in earlier.choices]
                    )
                    for value in relevant_values:
                        if value not in offered:
                            sheet.error(
                                row,
                                "relevant",
                                _("'%(value)s' is not an answer of '%(code)s'")
                                % {"value": value, "code": relevant_question},
                            )
                else:
                    sheet.error(
                        row,
                        "relevant",
                        _("'%(code)s' has no choices to compare with")
                        % {"code": relevant_question},
                    )
        labels = sheet.texts(cells, "label")
        if "en" not in labels:
            sheet.error(row, "label::en", _("the English label is missing"))
        question = ParsedQuestion(
            order=len(questions) + 1,
            code=code,
            type=question_type,
            instrument=instrument,
            article=article,
            required=required_text in TRUE_WORDS,
            relevant_question=relevant_question,
            relevant_values=relevant_values,
            labels=labels,
            hints=sheet.texts(cells, "hint"),
            choice_list=list_name,
            choices=lists.get(list_name, []),
        )
        questions.append(question)
        if code:
            seen.setdefault(code, question)
    if not questions:
        sheet.error(2, "type", _("the questionnaire has no question"))
    return questions


def read_workbook(file) -> ParsedTemplate:
    """The template a workbook describes; TemplateErrors listing every error otherwise."""
    workbook = _open(file)
    errors: list[str] = []
    settings_sheet = _Sheet(workbook, "settings", errors)
    choices_sheet = _Sheet(workbook, "choices", errors)
    survey_sheet = _Sheet(workbook, "survey", errors)
    survey_sheet.require_columns(SURVEY_COLUMNS)
    choices_sheet.require_columns(CHOICES_COLUMNS)
    found = _read_settings(settings_sheet)
    lists = _read_choices(choices_sheet)
    cluster = found[1] if found else None
    questions = _read_survey(survey_sheet, lists, cluster)
    if errors or found is None or cluster is None:
        raise TemplateErrors(errors or [_("workbook: the settings could not be read")])
    mechanism, cluster, version = found
    return ParsedTemplate(
        mechanism=mechanism, cluster=cluster, version=version, questions=questions
    )


# --- Writing ----------------------------------------------------------------------------------


def _type_word(question: Question) -> str:
    for word, value in SIMPLE_TYPES.items():
        if question.type == value:
            return word
    for word, value in LIST_TYPES.items():
        if question.type == value:
            return f"{word} {question.choice_list}"
    raise ValueError(question.type)


def _condition(question_code: str, values: list[str]) -> str:
    return " or ".join(f"${{{question_code}}} = '{value}'" for value in values)


def _fill(settings_row: list, survey: list[dict], lists: dict[str, list[dict]]) -> Workbook:
    """A workbook of the three sheets. `survey` holds each row's cells as the author writes
    them (type, name, instrument, article, required, relevant) with `label` and `hint` by
    language; `lists` the choices by list name, each with `name` and `label` by language."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(
        [
            *SURVEY_COLUMNS,
            *(f"label::{code}" for code in LANGUAGES),
            *(f"hint::{code}" for code in LANGUAGES),
        ]
    )
    for row in survey:
        labels, hints = row.get("label") or {}, row.get("hint") or {}
        sheet.append(
            [
                *(row.get(column, "") for column in SURVEY_COLUMNS),
                *(labels.get(code, "") for code in LANGUAGES),
                *(hints.get(code, "") for code in LANGUAGES),
            ]
        )
    choices = workbook.create_sheet("choices")
    choices.append([*CHOICES_COLUMNS, *(f"label::{code}" for code in LANGUAGES)])
    for list_name, items in lists.items():
        for item in items:
            labels = item.get("label") or {}
            choices.append([list_name, item["name"], *(labels.get(code, "") for code in LANGUAGES)])
    settings = workbook.create_sheet("settings")
    settings.append(SETTINGS_COLUMNS)
    settings.append(settings_row)
    return workbook


def write_workbook(template: QuestionnaireTemplate) -> Workbook:
    """The template in the layout `read_workbook` reads."""
    survey, lists = [], {}
    for question in template.questions.order_by("order"):
        relevant = ""
        if question.relevant_question:
            relevant = _condition(question.relevant_question, question.relevant_values)
        survey.append(
            {
                "type": _type_word(question),
                "name": question.code,
                "instrument": question.instrument_id,
                "article": question.article,
                "required": "yes" if question.required else "no",
                "relevant": relevant,
                "label": question.labels,
                "hint": question.hints,
            }
        )
        if question.choice_list and question.choice_list not in lists:
            lists[question.choice_list] = [
                {"name": choice["name"], "label": choice["labels"]} for choice in question.choices
            ]
    settings_row = [template.mechanism.code, template.cluster.number, template.version]
    return _fill(settings_row, survey, lists)


def build_workbook(source: dict) -> Workbook:
    """A workbook from a YAML source (templates_src/): the same sheets, the cells as written."""
    survey = []
    for item in source["survey"]:
        row = dict(item)
        required = row.get("required", False)
        if isinstance(required, bool):
            row["required"] = "yes" if required else "no"
        survey.append(row)
    settings = source["settings"]
    settings_row = [settings["mechanism"], settings["cluster"], settings["version"]]
    return _fill(settings_row, survey, source.get("choices") or {})


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def shipped_workbook(name: str) -> io.BytesIO:
    """A shipped YAML source (e.g. "untoc_cluster1") as an .xlsx file ready to import."""
    source = yaml.safe_load((SOURCES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return io.BytesIO(workbook_bytes(build_workbook(source)))
