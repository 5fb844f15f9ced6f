import io

import pytest
import yaml
from openpyxl import Workbook

from revmod.core.domain import NotAllowed
from revmod.core.models import AuditEvent
from revmod.questionnaires import services
from revmod.questionnaires.models import Question, QuestionnaireTemplate
from revmod.questionnaires.spreadsheets import (
    LANGUAGES,
    SOURCES_DIR,
    TemplateErrors,
    build_workbook,
    read_workbook,
    workbook_bytes,
    write_workbook,
)


def _source() -> dict:
    return yaml.safe_load((SOURCES_DIR / "untoc_cluster1.yaml").read_text(encoding="utf-8"))


def _file(workbook: Workbook) -> io.BytesIO:
    return io.BytesIO(workbook_bytes(workbook))


def _import(cast, workbook: Workbook, **kwargs) -> QuestionnaireTemplate:
    return services.import_template(actor=cast.secretariat, file=_file(workbook), **kwargs)


def _errors(cast, workbook: Workbook) -> list[str]:
    with pytest.raises(TemplateErrors) as caught:
        _import(cast, workbook)
    return caught.value.messages


def _definition(template: QuestionnaireTemplate) -> list[dict]:
    return list(
        template.questions.order_by("order").values(
            "order",
            "code",
            "instrument_id",
            "article",
            "type",
            "labels",
            "hints",
            "choice_list",
            "choices",
            "relevant_question",
            "relevant_values",
            "required",
        )
    )


def test_the_shipped_cluster_one_template_imports_with_every_label_in_six_languages(cast):
    template = _import(cast, build_workbook(_source()), publish=True)

    assert template.status == QuestionnaireTemplate.Status.PUBLISHED
    assert (template.mechanism.code, template.cluster.number, template.version) == ("untoc", 1, 1)
    questions = list(template.questions.all())
    assert len(questions) >= 15
    assert {(q.instrument_id, q.article) for q in questions} == {
        ("UNTOC", "2"),
        ("UNTOC", "5"),
        ("UNTOC", "6"),
        ("UNTOC", "8"),
        ("UNTOC", "23"),
        ("TIP", "5"),
    }
    for question in questions:
        assert set(question.labels) == set(LANGUAGES), question.code
        for choice in question.choices:
            assert set(choice["labels"]) == set(LANGUAGES), question.code
    follow_up = template.questions.get(code="art5_option")
    assert follow_up.type == Question.Type.CHOICE
    assert follow_up.relevant_question == "art5_criminalized"
    assert follow_up.relevant_values == ["yes", "partially"]
    event = AuditEvent.objects.get(action="questionnaire.template_imported")
    assert event.actor == cast.secretariat
    assert event.data["questions"] == len(questions)


def test_an_exported_template_imported_again_is_the_same_template(cast):
    first = _import(cast, build_workbook(_source()))
    exported = write_workbook(first)
    # The same workbook as a new version: everything but the version number must match.
    exported["settings"]["C2"] = 2
    second = _import(cast, exported)

    assert second.version == 2
    assert _definition(second) == _definition(first)
    assert [c.value for c in exported["survey"][1]][:6] == [
        "type",
        "name",
        "instrument",
        "article",
        "required",
        "relevant",
    ]


def test_an_unknown_question_in_a_condition_is_reported_with_its_sheet_row_and_column(cast):
    source = _source()
    source["survey"][5]["relevant"] = "${q9} = 'yes'"

    errors = _errors(cast, build_workbook(source))

    assert "survey, row 7, column relevant: unknown question 'q9'" in errors
    assert not QuestionnaireTemplate.objects.exists()
    assert not Question.objects.exists()


def test_every_error_of_a_workbook_is_reported_and_nothing_is_imported(cast):
    source = _source()
    source["survey"][1]["type"] = "checkbox"
    source["survey"][2]["label"].pop("en")
    source["survey"][3]["article"] = 99
    source["survey"][4]["type"] = "select_one no_such_list"
    source["survey"][6]["name"] = source["survey"][5]["name"]
    source["survey"][9]["relevant"] = "${art5_criminalized} = 'perhaps'"
    source["survey"][8]["required"] = "maybe"
    source["choices"]["art5_options"][0]["label"].pop("en")

    errors = _errors(cast, build_workbook(source))

    assert "survey, row 3, column type: unknown type 'checkbox'" in errors
    assert "survey, row 4, column label::en: the English label is missing" in errors
    assert "survey, row 5, column article: UNTOC article 99 is not part of this cluster" in errors
    assert "survey, row 6, column type: unknown choice list 'no_such_list'" in errors
    assert "survey, row 8, column name: the name 'art5_legislation' is used twice" in errors
    assert (
        "survey, row 11, column relevant: 'perhaps' is not an answer of 'art5_criminalized'"
        in errors
    )
    assert "survey, row 10, column required: write yes or no" in errors
    assert "choices, row 2, column label::en: the English label is missing" in errors
    assert not QuestionnaireTemplate.objects.exists()


def test_a_yes_or_no_column_with_another_word_is_refused(cast):
    workbook = build_workbook(_source())
    workbook["survey"]["E3"] = "maybe"

    assert "survey, row 3, column required: write yes or no" in _errors(cast, workbook)


def test_a_missing_sheet_a_missing_column_and_an_unknown_language_are_reported(cast):
    workbook = build_workbook(_source())
    del workbook["choices"]
    workbook["survey"]["G1"] = "label::de"

    errors = _errors(cast, workbook)

    assert "workbook: the sheet 'choices' is missing" in errors
    assert "survey, row 1, column label::de: unknown language 'de'" in errors
    assert "survey, row 1, column label::en: the column is missing" in errors


def test_a_version_that_already_exists_is_refused_in_the_settings_sheet(cast):
    _import(cast, build_workbook(_source()))

    errors = _errors(cast, build_workbook(_source()))

    assert errors == ["settings, row 2, column version: version 1 of this template already exists"]
    assert QuestionnaireTemplate.objects.count() == 1


def test_a_file_that_is_not_a_workbook_is_refused_with_the_reason(cast):
    with pytest.raises(TemplateErrors, match="not an Excel workbook"):
        services.import_template(actor=cast.secretariat, file=io.BytesIO(b"MZ\x90\x00binary"))


def test_only_the_secretariat_imports_templates(cast):
    with pytest.raises(NotAllowed, match="Only the secretariat"):
        _import(type("C", (), {"secretariat": cast.focal_point})(), build_workbook(_source()))
    assert not QuestionnaireTemplate.objects.exists()


def test_read_workbook_reads_the_condition_of_a_follow_up_question(cast):
    parsed = read_workbook(_file(build_workbook(_source())))

    legislation = next(q for q in parsed.questions if q.code == "art23_legislation")
    assert legislation.relevant_question == "art23_obstruction"
    assert legislation.relevant_values == ["yes", "partially"]
    assert legislation.type == Question.Type.LEGISLATION
