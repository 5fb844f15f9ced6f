"""The form of one article of a response: what the page shows for each question (the value typed
or saved, the version it started from, its errors, a conflict) and how a POST is read back.

The fields are built by hand rather than with Django form classes: each question's type decides
its inputs, and the form must carry, per question, the version of the answer it was opened on."""

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from revmod.questionnaires.answering import YES_NO_PARTIALLY, display_value
from revmod.questionnaires.models import Answer, Question, translated

Type = Question.Type
# One more empty row than the table holds, so a row can be added without script; a POST may
# carry at most this many rows.
MAX_TABLE_ROWS = 100


@dataclass
class ConflictView:
    saved_text: str
    saved_by: str
    saved_at: Any


@dataclass
class Field:
    question: Question
    value: Any
    version: int
    errors: list[str] = field(default_factory=list)
    conflict: ConflictView | None = None

    @property
    def name(self) -> str:
        return f"q-{self.question.code}"

    @property
    def input_id(self) -> str:
        return f"id-q-{self.question.code}"

    @property
    def version_name(self) -> str:
        return f"v-{self.question.code}"

    @property
    def is_text(self) -> bool:
        return self.question.type == Type.TEXT

    @property
    def is_single(self) -> bool:
        return self.question.type in (Type.YES_NO_PARTIALLY, Type.CHOICE)

    @property
    def is_multiple(self) -> bool:
        return self.question.type == Type.MULTIPLE_CHOICE

    @property
    def is_legislation(self) -> bool:
        return self.question.type == Type.LEGISLATION

    @property
    def is_table(self) -> bool:
        return self.question.type == Type.TABLE

    @property
    def is_note(self) -> bool:
        return self.question.type == Type.NOTE

    @property
    def text(self) -> str:
        if self.is_legislation:
            return (self.value or {}).get("text", "")
        return self.value if isinstance(self.value, str) else ""

    @property
    def url(self) -> str:
        return (self.value or {}).get("url", "") if self.is_legislation else ""

    @property
    def choices(self) -> list[tuple[str, str, bool]]:
        selected = self.value if isinstance(self.value, list) else [self.value]
        if self.question.type == Type.YES_NO_PARTIALLY:
            options = [(name, str(label)) for name, label in YES_NO_PARTIALLY]
        else:
            options = [
                (choice["name"], translated(choice["labels"])) for choice in self.question.choices
            ]
        return [(name, label, name in selected) for name, label in options]

    @property
    def columns(self) -> list[tuple[str, str]]:
        return [(choice["name"], translated(choice["labels"])) for choice in self.question.choices]

    @property
    def rows(self) -> list[tuple[int, list[tuple[str, str, str]]]]:
        """The table's rows and one empty row: (index, [(input name, column label, text)])."""
        rows = [*(self.value or []), {}]
        return [
            (
                index,
                [
                    (f"{self.name}-{index}-{name}", label, row.get(name, ""))
                    for name, label in self.columns
                ],
            )
            for index, row in enumerate(rows)
        ]

    @property
    def row_count(self) -> int:
        return len(self.value or []) + 1

    @property
    def display(self) -> str:
        return display_value(self.question, self.value)


def fields_for(questions: list[Question], answers: dict[str, Answer]) -> list[Field]:
    """Fields showing the saved answers."""
    result = []
    for question in questions:
        answer = answers.get(question.code)
        result.append(
            Field(
                question=question,
                value=answer.value if answer else None,
                version=answer.version if answer else 0,
            )
        )
    return result


def _version(post: QueryDict, name: str) -> int:
    try:
        return max(int(post.get(name, "0")), 0)
    except ValueError:
        return 0


def read_post(post: QueryDict, questions: list[Question]) -> dict[str, tuple[Any, int]]:
    """What was sent for each question the form showed: {code: (value, version it started
    from)}. A question the form did not show (no version field) is left out."""
    sent: dict[str, tuple[Any, int]] = {}
    for question in questions:
        name, code = f"q-{question.code}", question.code
        if question.type == Type.NOTE or f"v-{code}" not in post:
            continue
        value: Any
        if question.type == Type.MULTIPLE_CHOICE:
            value = post.getlist(name)
        elif question.type == Type.LEGISLATION:
            value = {"text": post.get(f"{name}-text", ""), "url": post.get(f"{name}-url", "")}
        elif question.type == Type.TABLE:
            count = min(_version(post, f"{name}-rows"), MAX_TABLE_ROWS)
            columns = [choice["name"] for choice in question.choices]
            value = [
                {column: post.get(f"{name}-{index}-{column}", "") for column in columns}
                for index in range(count)
            ]
        else:
            value = post.get(name, "")
        sent[code] = (value, _version(post, f"v-{code}"))
    return sent
