import pytest

from revmod.mechanisms.definitions import (
    DefinitionError,
    language_codes,
    parse_definition,
    shipped_definitions,
)
from revmod.mechanisms.models import StepDeadline

from .helpers import UNCAC_FILE, UNTOC_FILE

ALL_INSTRUMENTS = {"UNTOC", "TIP", "SOM", "FIR", "UNCAC"}


def test_the_shipped_definitions_are_untoc_and_uncac():
    assert [path.name for path in shipped_definitions()] == ["uncac.yaml", "untoc.yaml"]


@pytest.mark.parametrize("path", [UNTOC_FILE, UNCAC_FILE], ids=["untoc", "uncac"])
def test_every_label_of_a_shipped_definition_has_the_six_languages(path):
    definition = parse_definition(path, ALL_INSTRUMENTS)

    labelled = [
        definition.values,
        *[part.values for part in definition.clusters],
        *[part.values for part in definition.steps],
        *[deadline.values for part in definition.steps for deadline in part.deadlines],
    ]
    assert len(language_codes()) == 6
    for values in labelled:
        for code in language_codes():
            suffix = code.replace("-", "_")
            assert values[f"name_{suffix}"], (values, code)


def test_the_numbers_of_a_definition_are_spelt_one_way():
    definition = parse_definition(UNTOC_FILE, ALL_INSTRUMENTS)

    assert definition.values["gate_threshold_percent"] == "70"
    assert definition.groups[0].values == {"starts_on": "2020-11-01", "foreseen_reviews": 62}
    assert definition.clusters[0].values["articles"]["TIP"] == ["3", "5"]


def test_the_order_of_the_steps_is_their_place_in_the_file():
    definition = parse_definition(UNTOC_FILE, ALL_INSTRUMENTS)

    assert [(part.key, part.values["order"]) for part in definition.steps][:3] == [
        ("nominations", 1),
        ("preliminary_consultations", 2),
        ("self_assessment", 3),
    ]


def test_a_deadline_without_an_anchor_counts_from_the_start_of_the_phase():
    definition = parse_definition(UNTOC_FILE, ALL_INSTRUMENTS)
    deadlines = {d.key: d.values for part in definition.steps for d in part.deadlines}

    assert deadlines["responses"]["anchor_step"] is None
    assert deadlines["responses"]["anchor_event"] == StepDeadline.Event.START


def test_a_file_with_only_part_of_a_mechanism_names_the_first_missing_key(tmp_path):
    path = tmp_path / "short.yaml"
    path.write_text("# a comment\n\ncode: short\n", encoding="utf-8")

    with pytest.raises(DefinitionError) as refused:
        parse_definition(path, ALL_INSTRUMENTS)

    assert (refused.value.file, refused.value.line) == (str(path), 3)
    assert refused.value.reason == "missing required key 'name' in the mechanism."


def test_a_file_that_is_not_a_mapping_is_refused_at_its_first_line(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- untoc\n", encoding="utf-8")

    with pytest.raises(DefinitionError, match=r"line 1: the mechanism must be a mapping"):
        parse_definition(path, ALL_INSTRUMENTS)


def test_an_unclosed_list_is_a_syntax_error_with_a_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: x\ninstruments: [UNTOC, TIP\nname: y\n", encoding="utf-8")

    with pytest.raises(DefinitionError) as refused:
        parse_definition(path, ALL_INSTRUMENTS)

    assert refused.value.line == 3
    assert refused.value.reason.startswith("YAML syntax error: ")


def test_a_definition_refers_only_to_instruments_that_exist():
    with pytest.raises(DefinitionError, match=r"unknown instrument 'FIR'"):
        parse_definition(UNTOC_FILE, {"UNTOC", "TIP", "SOM"})
