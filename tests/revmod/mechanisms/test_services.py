import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.mechanisms.definitions import DefinitionError
from revmod.mechanisms.models import (
    Cluster,
    DrawRules,
    Mechanism,
    ReviewGroup,
    StepDeadline,
    StepDefinition,
)
from revmod.mechanisms.services import Conflict, FieldChange, load_mechanism

from .helpers import UNCAC_FILE, UNTOC_FILE, UNTOC_OBJECTS, counts, line_marked, snapshot

pytestmark = pytest.mark.django_db


def test_the_shipped_untoc_definition_loads_with_its_instruments_clusters_phases_and_groups(
    instruments,
):
    report = load_mechanism(UNTOC_FILE)

    assert len(report.created) == UNTOC_OBJECTS
    mechanism = Mechanism.objects.get(code="untoc")
    assert [i.code for i in mechanism.instruments.order_by("mechanisminstrument__order")] == [
        "UNTOC",
        "TIP",
        "SOM",
        "FIR",
    ]
    assert mechanism.phase_length_months == 24
    assert mechanism.gate_threshold_percent == Decimal(70)
    assert mechanism.activation_link_days == 10
    assert mechanism.unresponsive_after_days == 30
    assert [c.number for c in mechanism.clusters.all()] == [1, 2, 3, 4]
    assert [(p.number, p.cluster.number) for p in mechanism.phases.all()] == [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
    ]
    assert [(g.number, g.starts_on, g.foreseen_reviews) for g in mechanism.groups.all()] == [
        (1, datetime.date(2020, 11, 1), 62),
        (2, datetime.date(2021, 11, 1), 63),
        (3, datetime.date(2022, 11, 1), 64),
    ]


def test_the_untoc_cluster_one_lists_the_sourced_articles_per_instrument(instruments):
    load_mechanism(UNTOC_FILE)

    cluster = Cluster.objects.get(mechanism__code="untoc", number=1)
    articles: dict[str, list[str]] = {}
    for article in cluster.articles.order_by("order"):
        articles.setdefault(article.instrument_id, []).append(article.article)
    assert articles == {
        "UNTOC": ["2", "5", "6", "8", "9", "10", "15", "23"],
        "TIP": ["3", "5"],
        "SOM": ["3", "5", "6"],
        "FIR": ["3", "5"],
    }
    assert all(c.articles_assumed for c in Cluster.objects.filter(number__in=[2, 3, 4]))


def test_the_untoc_draw_rules_ask_for_one_reviewer_of_the_same_group_and_one_of_another(
    instruments,
):
    load_mechanism(UNTOC_FILE)

    rules = DrawRules.objects.get(mechanism__code="untoc")
    assert (rules.same_group_reviewers, rules.other_group_reviewers, rules.any_group_reviewers) == (
        1,
        1,
        0,
    )
    assert rules.per_instrument and rules.forbid_mutual_pairs and rules.balance_load
    assert (rules.max_reviews_per_state, rules.max_redraws) == (3, 2)
    assert rules.cadence == DrawRules.Cadence.PER_GROUP


def test_the_untoc_steps_come_in_order_with_their_deadlines(instruments):
    load_mechanism(UNTOC_FILE)

    steps = StepDefinition.objects.filter(mechanism__code="untoc")
    assert [s.code for s in steps] == [
        "nominations",
        "preliminary_consultations",
        "self_assessment",
        "written_feedback",
        "dialogue",
        "list_of_observations",
        "summary",
        "completed",
    ]
    assert [s.order for s in steps] == list(range(1, 9))
    assert [s.code for s in steps if s.optional] == ["preliminary_consultations"]
    assert [s.code for s in steps if s.cleared_by_focal_point] == [
        "self_assessment",
        "written_feedback",
        "list_of_observations",
    ]
    assert {s.code: s.submitted_by for s in steps if s.cleared_by_focal_point} == {
        "self_assessment": StepDefinition.SubmittedBy.STATE_UNDER_REVIEW,
        "written_feedback": StepDefinition.SubmittedBy.REVIEWING_STATES,
        "list_of_observations": StepDefinition.SubmittedBy.REVIEWING_STATES,
    }
    assert {s.submitted_by for s in steps if not s.cleared_by_focal_point} == {
        StepDefinition.SubmittedBy.SECRETARIAT
    }
    assert [s.code for s in steps if s.counts_as_completed] == ["completed"]
    deadlines = {
        (d.step.code, d.code): (
            d.amount,
            d.unit,
            d.anchor_step and d.anchor_step.code,
            d.anchor_event,
        )
        for d in StepDeadline.objects.filter(step__mechanism__code="untoc")
    }
    assert deadlines == {
        ("nominations", "focal_point"): (2, "weeks", None, "start"),
        ("nominations", "experts"): (4, "weeks", None, "start"),
        ("self_assessment", "responses"): (6, "months", None, "start"),
        ("written_feedback", "feedback"): (6, "months", "self_assessment", "end"),
    }


def test_the_untoc_deadlines_fall_where_the_procedures_put_them(instruments):
    load_mechanism(UNTOC_FILE)
    phase_start = datetime.date(2020, 11, 1)
    saq_received = datetime.date(2021, 4, 20)

    def deadline(code: str) -> StepDeadline:
        return StepDeadline.objects.get(step__mechanism__code="untoc", code=code)

    assert deadline("focal_point").due_on(phase_start) == datetime.date(2020, 11, 15)
    assert deadline("experts").due_on(phase_start) == datetime.date(2020, 11, 29)
    assert deadline("responses").due_on(phase_start) == datetime.date(2021, 5, 1)
    assert deadline("feedback").due_on(saq_received) == datetime.date(2021, 10, 20)


def test_every_label_of_the_untoc_mechanism_is_in_the_six_languages(instruments):
    load_mechanism(UNTOC_FILE)
    mechanism = Mechanism.objects.get(code="untoc")

    for code in ["ar", "zh_hans", "en", "fr", "ru", "es"]:
        for obj, name in [
            (mechanism, "name"),
            (mechanism, "short_name"),
            (mechanism, "description"),
            *[(c, "name") for c in mechanism.clusters.all()],
            *[(s, "name") for s in mechanism.steps.all()],
            *[(s, "description") for s in mechanism.steps.all()],
            *[(d, "name") for d in StepDeadline.objects.filter(step__mechanism=mechanism)],
        ]:
            assert getattr(obj, f"{name}_{code}"), f"{obj} has no {name} in {code}"
    with translation.override("fr"):
        assert StepDefinition.objects.get(code="self_assessment").name == (
            "Questionnaire d'auto-évaluation"
        )


def test_the_shipped_uncac_definition_loads_on_the_same_engine(instruments):
    report = load_mechanism(UNCAC_FILE)

    mechanism = Mechanism.objects.get(code="uncac")
    assert report.created and not report.conflicts
    assert [i.code for i in mechanism.instruments.all()] == ["UNCAC"]
    assert mechanism.phase_length_months == 60
    (cluster,) = mechanism.clusters.all()
    assert cluster.articles.count() == 19
    assert [g.starts_on.year for g in mechanism.groups.all()] == [2016, 2017, 2018, 2019, 2020]
    rules = mechanism.draw_rules
    assert (rules.same_group_reviewers, rules.other_group_reviewers, rules.any_group_reviewers) == (
        1,
        0,
        1,
    )
    assert not rules.per_instrument and rules.cadence == DrawRules.Cadence.YEARLY
    assert mechanism.completion_step().code == "completed"
    assert mechanism.unresponsive_after_days == 30
    assert {
        step.code: step.submitted_by for step in mechanism.steps.filter(cleared_by_focal_point=True)
    } == {
        "self_assessment": StepDefinition.SubmittedBy.STATE_UNDER_REVIEW,
        "country_report": StepDefinition.SubmittedBy.STATE_UNDER_REVIEW,
    }


def test_both_shipped_definitions_live_side_by_side(instruments):
    load_mechanism(UNTOC_FILE)
    load_mechanism(UNCAC_FILE)

    assert set(Mechanism.objects.values_list("code", flat=True)) == {"untoc", "uncac"}
    assert StepDefinition.objects.filter(code="nominations").count() == 2


def test_loading_the_same_file_twice_reports_no_change(instruments):
    load_mechanism(UNTOC_FILE)
    before = snapshot()

    report = load_mechanism(UNTOC_FILE)

    assert (report.created, report.updated, report.conflicts, report.not_in_file) == (
        [],
        [],
        [],
        [],
    )
    assert len(report.unchanged) == UNTOC_OBJECTS
    assert not report.changed
    assert snapshot() == before


def test_a_load_records_an_audit_event_with_its_summary(instruments, django_user_model):
    admin = django_user_model.objects.create_superuser("admin@example.org", "a long passphrase")

    load_mechanism(UNTOC_FILE, actor=admin)

    event = AuditEvent.objects.get(action="mechanism.loaded")
    assert event.actor == admin
    assert event.target_type == "mechanisms.mechanism"
    assert event.data["created"] == UNTOC_OBJECTS
    assert event.data["mechanism"] == "untoc"


def test_someone_who_may_not_change_mechanisms_cannot_load_one(instruments, django_user_model):
    official = django_user_model.objects.create_user("official@example.org", "a long passphrase")

    with pytest.raises(NotAllowed):
        load_mechanism(UNTOC_FILE, actor=official)

    assert not Mechanism.objects.exists()


def test_a_value_changed_in_the_file_updates_the_database_and_the_loaded_values(
    instruments, definition_copy
):
    load_mechanism(UNTOC_FILE)
    changed = definition_copy(
        ("foreseen_reviews: 63", "foreseen_reviews: 65"),
        ("gate_threshold_percent: 70", "gate_threshold_percent: 66.5"),
    )

    report = load_mechanism(changed)

    assert report.updated == [
        FieldChange("mechanism untoc", "gate_threshold_percent", "70", "66.5"),
        FieldChange("untoc: group 2", "foreseen_reviews", 63, 65),
    ]
    group = ReviewGroup.objects.get(mechanism__code="untoc", number=2)
    assert group.foreseen_reviews == 65
    assert group.loaded_values["foreseen_reviews"] == 65
    assert Mechanism.objects.get(code="untoc").gate_threshold_percent == Decimal("66.5")
    assert not load_mechanism(changed).changed


def test_an_edit_made_in_the_admin_is_reported_as_a_conflict_and_kept(instruments):
    load_mechanism(UNTOC_FILE)
    group = ReviewGroup.objects.get(mechanism__code="untoc", number=2)
    group.foreseen_reviews = 70
    group.save()

    report = load_mechanism(UNTOC_FILE)

    assert report.conflicts == [
        Conflict(
            object="untoc: group 2",
            field="foreseen_reviews",
            database=70,
            loaded=63,
            file=63,
            overwritten=False,
        )
    ]
    group.refresh_from_db()
    assert group.foreseen_reviews == 70
    # Kept, and reported again at every load until someone resolves it.
    assert len(load_mechanism(UNTOC_FILE).conflicts) == 1


def test_forcing_the_load_overwrites_the_admin_edit_with_the_file(instruments):
    load_mechanism(UNTOC_FILE)
    ReviewGroup.objects.filter(mechanism__code="untoc", number=2).update(foreseen_reviews=70)

    report = load_mechanism(UNTOC_FILE, force=True)

    assert [(c.object, c.database, c.file, c.overwritten) for c in report.conflicts] == [
        ("untoc: group 2", 70, 63, True)
    ]
    assert ReviewGroup.objects.get(mechanism__code="untoc", number=2).foreseen_reviews == 63
    assert not load_mechanism(UNTOC_FILE).conflicts


def test_a_conflict_names_the_three_values_when_both_the_admin_and_the_file_changed(
    instruments, definition_copy
):
    load_mechanism(UNTOC_FILE)
    StepDeadline.objects.filter(code="experts").update(amount=5)
    changed = definition_copy(("amount: 4", "amount: 6"))

    (conflict,) = load_mechanism(changed).conflicts

    assert (conflict.object, conflict.field) == (
        "untoc: deadline experts of step nominations",
        "amount",
    )
    assert (conflict.database, conflict.loaded, conflict.file) == (5, 4, 6)
    assert StepDeadline.objects.get(code="experts").amount == 5


def test_an_admin_edit_that_the_file_later_adopts_is_no_longer_a_conflict(
    instruments, definition_copy
):
    load_mechanism(UNTOC_FILE)
    ReviewGroup.objects.filter(number=2).update(foreseen_reviews=65)
    adopted = definition_copy(("foreseen_reviews: 63", "foreseen_reviews: 65"))

    report = load_mechanism(adopted)

    assert not report.conflicts and not report.updated
    assert ReviewGroup.objects.get(number=2).loaded_values["foreseen_reviews"] == 65
    assert not load_mechanism(adopted).conflicts


def test_a_translation_edited_in_the_admin_is_kept(instruments):
    load_mechanism(UNTOC_FILE)
    cluster = Cluster.objects.get(number=3)
    cluster.name_fr = "Services de détection et de répression et système judiciaire"
    cluster.save()

    (conflict,) = load_mechanism(UNTOC_FILE).conflicts

    assert (conflict.object, conflict.field) == ("untoc: cluster 3", "name_fr")
    cluster.refresh_from_db()
    assert cluster.name_fr.startswith("Services de détection")


def test_a_mechanism_made_in_the_admin_is_never_silently_overwritten(instruments):
    Mechanism.objects.create(
        code="untoc",
        name="UNTOC (typed in the admin)",
        short_name="UNTOC",
        phase_length_months=24,
        gate_threshold_percent=Decimal(75),
        activation_link_days=10,
    )

    report = load_mechanism(UNTOC_FILE)

    gate = next(c for c in report.conflicts if c.field == "gate_threshold_percent")
    assert (gate.database, gate.file, gate.never_loaded) == ("75", "70", True)
    assert Mechanism.objects.get(code="untoc").gate_threshold_percent == Decimal(75)
    # Fields equal to the file are not conflicts.
    assert "phase_length_months" not in {c.field for c in report.conflicts}


def test_a_step_inserted_in_the_file_renumbers_the_steps_after_it(instruments, definition_copy):
    load_mechanism(UNTOC_FILE)
    inserted = definition_copy(
        (
            "  - code: list_of_observations\n",
            "  - code: country_visit\n"
            "    optional: true\n"
            "    name: {en: Country visit, fr: Visite de pays, es: Visita al país,"
            " ru: Посещение страны, zh-hans: 国别访问, ar: زيارة قُطرية}\n"
            "  - code: list_of_observations\n",
        )
    )

    report = load_mechanism(inserted)

    assert report.created == ["untoc: step country_visit"]
    assert [(c.object, c.old, c.new) for c in report.updated] == [
        ("untoc: step list_of_observations", 6, 7),
        ("untoc: step summary", 7, 8),
        ("untoc: step completed", 8, 9),
    ]
    steps = StepDefinition.objects.filter(mechanism__code="untoc")
    assert [s.code for s in steps][4:7] == ["dialogue", "country_visit", "list_of_observations"]
    assert [s.order for s in steps] == list(range(1, 10))


def test_two_steps_swapped_in_the_file_swap_in_the_database(instruments, definition_copy):
    load_mechanism(UNTOC_FILE)
    swapped = definition_copy(
        ("  - code: list_of_observations\n", "  - code: LIST\n"),
        ("  - code: summary\n", "  - code: list_of_observations\n"),
        ("  - code: LIST\n", "  - code: summary\n"),
    )
    # The names stay in place in this edit and are updated too; the order is what matters.
    load_mechanism(swapped)

    orders = dict(StepDefinition.objects.values_list("code", "order"))
    assert (orders["summary"], orders["list_of_observations"]) == (6, 7)


def test_rows_removed_from_the_file_are_reported_and_kept(instruments, definition_copy):
    load_mechanism(UNTOC_FILE)
    shorter = definition_copy(
        ("  - {number: 3, starts_on: 2022-11-01, foreseen_reviews: 64}\n", "")
    )

    report = load_mechanism(shorter)

    assert report.not_in_file == ["untoc: group 3"]
    assert ReviewGroup.objects.filter(mechanism__code="untoc", number=3).exists()


def test_articles_changed_in_the_file_are_added_and_removed(instruments, definition_copy):
    load_mechanism(UNTOC_FILE)
    changed = definition_copy(("UNTOC: [24, 25, 29, 30, 31]", "UNTOC: [25, 24, 34]"))

    report = load_mechanism(changed)

    assert [(c.object, c.field) for c in report.updated] == [("untoc: cluster 2", "articles")]
    cluster = Cluster.objects.get(mechanism__code="untoc", number=2)
    untoc = cluster.articles.filter(instrument_id="UNTOC").order_by("order")
    assert [a.article for a in untoc] == ["25", "24", "34"]


def test_a_dry_run_reports_what_would_be_created_and_saves_nothing(instruments):
    report = load_mechanism(UNTOC_FILE, dry_run=True)

    assert report.dry_run and len(report.created) == UNTOC_OBJECTS
    assert set(counts().values()) == {0}
    assert not AuditEvent.objects.filter(action="mechanism.loaded").exists()


def test_a_dry_run_over_a_loaded_mechanism_reports_updates_and_changes_nothing(
    instruments, definition_copy
):
    load_mechanism(UNTOC_FILE)
    before = snapshot()
    changed = definition_copy(("foreseen_reviews: 64", "foreseen_reviews: 66"))

    report = load_mechanism(changed, dry_run=True)

    assert [(c.object, c.new) for c in report.updated] == [("untoc: group 3", 66)]
    assert snapshot() == before


MALFORMED = [
    pytest.param(
        [("activation_link_days: 10", "activation_link_days: 10\nactivation_days: 3  # here")],
        "unknown key 'activation_days'",
        id="unknown key",
    ),
    pytest.param(
        [("phase_length_months: 24\n", ""), ("code: untoc", "code: untoc  # here")],
        "missing required key 'phase_length_months'",
        id="missing required key",
    ),
    pytest.param(
        [
            (
                "    name:\n      en: Criminalization",
                "    name:  # here\n      en: Criminalization",
            ),
            ("      ar: التجريم والولاية القضائية\n", ""),
        ],
        "no text in the language 'ar'",
        id="missing language in a label",
    ),
    pytest.param(
        [
            (
                "instruments: [UNTOC, TIP, SOM, FIR]",
                "instruments: [UNTOC, TIP, SOM, FIR, XYZ]  # here",
            )
        ],
        "unknown instrument 'XYZ'",
        id="unknown instrument",
    ),
    pytest.param(
        [("anchor_step: self_assessment", "anchor_step: self_assesment  # here")],
        "unknown step 'self_assesment'",
        id="unknown anchor step",
    ),
    pytest.param(
        [("- code: experts", "- code: focal_point  # here")],
        "'focal_point' is used twice",
        id="duplicate deadline code",
    ),
    pytest.param(
        [("  - code: dialogue", "  - code: self_assessment  # here")],
        "'self_assessment' is used twice",
        id="duplicate step code",
    ),
    pytest.param(
        [("amount: 4", "amount: -4  # here")],
        "0 or more, not -4",
        id="negative amount",
    ),
    pytest.param(
        [("gate_threshold_percent: 70", "gate_threshold_percent: 170  # here")],
        "between 0 and 100, not 170",
        id="threshold over 100",
    ),
    pytest.param(
        [("phase_length_months: 24", "phase_length_months: 24\n\tcycle: 1  # here")],
        "YAML syntax error",
        id="YAML syntax error",
    ),
    pytest.param(
        [("code: untoc", "code: untoc\ncode: other  # here")],
        "the key 'code' appears twice",
        id="repeated YAML key",
    ),
    pytest.param(
        [("{number: 4, cluster: 4}", "{number: 4, cluster: 5}  # here")],
        "cluster 5, which is not defined",
        id="phase of an unknown cluster",
    ),
    pytest.param(
        [("      FIR: [3, 5]", "      UNCAC: [3, 5]  # here")],
        "unknown key 'UNCAC' in articles",
        id="article of an instrument outside the mechanism",
    ),
    pytest.param(
        [("per_instrument: true", "per_instrument: maybe  # here")],
        "true or false",
        id="not a boolean",
    ),
    pytest.param(
        [("unit: weeks", "unit: fortnights  # here")],
        "unit must be one of days, weeks, months",
        id="unknown unit",
    ),
    pytest.param(
        [
            (
                "  - {number: 2, starts_on: 2021-11-01, foreseen_reviews: 63}",
                "  - {number: 2, starts_on: 1 November 2021, foreseen_reviews: 63}  # here",
            )
        ],
        "date written YYYY-MM-DD",
        id="not a date",
    ),
    pytest.param(
        [
            ("  - code: written_feedback", "  - code: written_feedback  # here"),
            ("    submitted_by: reviewing_states\n", ""),
        ],
        "it must say whose output it is",
        id="cleared step without its submitter",
    ),
    pytest.param(
        [("    submitted_by: state_under_review", "    submitted_by: secretariat  # here")],
        "a step cleared by a focal point belongs to the State under review or to the reviewing",
        id="cleared step owned by the secretariat",
    ),
    pytest.param(
        [("    submitted_by: secretariat", "    submitted_by: reviewing_states  # here")],
        "any other step belongs to the secretariat",
        id="secretariat step owned by a State",
    ),
    pytest.param(
        [("    submitted_by: reviewing_states", "    submitted_by: reviewers  # here")],
        "submitted_by must be one of state_under_review, reviewing_states, secretariat",
        id="unknown submitter",
    ),
    pytest.param(
        [("unresponsive_after_days: 30", "unresponsive_after_days: 0  # here")],
        "unresponsive_after_days must be a whole number of 1 or more, not 0",
        id="no days before a focal point is unresponsive",
    ),
    pytest.param(
        [("unresponsive_after_days: 30\n", ""), ("code: untoc", "code: untoc  # here")],
        "missing required key 'unresponsive_after_days'",
        id="no unresponsive delay",
    ),
    pytest.param(
        [("    counts_as_completed: true\n", ""), ("\nsteps:\n", "\nsteps:  # here\n")],
        "exactly one step must have counts_as_completed",
        id="no completing step",
    ),
]


@pytest.mark.parametrize(("edits", "reason"), MALFORMED)
def test_a_malformed_file_is_refused_with_its_line_and_reason_and_changes_nothing(
    instruments, definition_copy, edits, reason
):
    load_mechanism(UNCAC_FILE)
    load_mechanism(UNTOC_FILE)
    ReviewGroup.objects.filter(number=1).update(foreseen_reviews=61)  # an admin edit to keep
    before, before_counts = snapshot(), counts()
    bad = definition_copy(*edits)

    with pytest.raises(DomainError) as refused:
        load_mechanism(bad, force=True)

    message = refused.value.messages[0]
    assert message.startswith(f"{bad}, line {line_marked(bad)}: "), message
    assert reason in message
    assert counts() == before_counts
    assert snapshot() == before


def test_a_malformed_file_loads_nothing_into_an_empty_database(instruments, definition_copy):
    bad = definition_copy(("gate_threshold_percent: 70", "gate_threshold_percent: -1"))

    with pytest.raises(DomainError):
        load_mechanism(bad)

    assert set(counts().values()) == {0}


def test_an_error_found_halfway_through_the_load_rolls_back_what_was_written(
    instruments, definition_copy
):
    load_mechanism(UNTOC_FILE)
    # An admin moves a step to place 9; the file then adds a ninth step, which needs that place.
    StepDefinition.objects.filter(code="dialogue").update(order=9)
    before = snapshot()
    longer = definition_copy(
        (
            "  - code: completed\n",
            "  - code: follow_up\n"
            "    name: {en: Follow-up, fr: Suivi, es: Seguimiento, ru: Последующие меры,"
            " zh-hans: 后续行动, ar: المتابعة}\n"
            "  - code: completed\n",
        ),
    )

    with pytest.raises(DefinitionError) as refused:
        load_mechanism(longer)

    assert "cannot take place 9" in refused.value.reason
    assert snapshot() == before
    assert not StepDefinition.objects.filter(code="follow_up").exists()


def test_an_unreadable_file_is_refused_with_its_name(instruments, tmp_path):
    missing = tmp_path / "nowhere.yaml"

    with pytest.raises(DomainError, match=r"nowhere\.yaml"):
        load_mechanism(missing)
