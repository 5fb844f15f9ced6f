import datetime

import pytest
from django.core.exceptions import ValidationError

from factories import MechanismFactory
from revmod.mechanisms.models import ReviewGroup, StepDeadline, StepDefinition, add_months
from revmod.mechanisms.services import load_mechanism

from .helpers import UNTOC_FILE


@pytest.mark.parametrize(
    ("anchor", "months", "due"),
    [
        (datetime.date(2023, 1, 31), 1, datetime.date(2023, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2023, 8, 31), 1, datetime.date(2023, 9, 30)),
        (datetime.date(2023, 12, 31), 2, datetime.date(2024, 2, 29)),
        (datetime.date(2023, 3, 31), 12, datetime.date(2024, 3, 31)),
        (datetime.date(2020, 11, 1), 6, datetime.date(2021, 5, 1)),
        (datetime.date(2021, 8, 30), 6, datetime.date(2022, 2, 28)),
    ],
)
def test_a_deadline_in_months_lands_on_the_same_day_or_the_last_day_of_a_shorter_month(
    anchor, months, due
):
    deadline = StepDeadline(amount=months, unit=StepDeadline.Unit.MONTHS)

    assert deadline.due_on(anchor) == due


def test_a_deadline_in_weeks_or_days_counts_calendar_days():
    start = datetime.date(2020, 12, 20)

    assert StepDeadline(amount=2, unit="weeks").due_on(start) == datetime.date(2021, 1, 3)
    assert StepDeadline(amount=10, unit="days").due_on(start) == datetime.date(2020, 12, 30)


def test_adding_no_month_keeps_the_day():
    assert add_months(datetime.date(2024, 2, 29), 0) == datetime.date(2024, 2, 29)


@pytest.mark.django_db
def test_each_phase_of_a_group_starts_one_phase_length_after_the_previous(instruments):
    load_mechanism(UNTOC_FILE)
    group = ReviewGroup.objects.get(mechanism__code="untoc", number=2)

    assert [group.phase_starts_on(n) for n in (1, 2, 3, 4)] == [
        datetime.date(2021, 11, 1),
        datetime.date(2023, 11, 1),
        datetime.date(2025, 11, 1),
        datetime.date(2027, 11, 1),
    ]


@pytest.mark.django_db
def test_a_group_starting_on_the_31st_starts_its_phases_on_the_last_day_of_short_months(
    instruments,
):
    load_mechanism(UNTOC_FILE)
    group = ReviewGroup.objects.get(mechanism__code="untoc", number=1)
    group.mechanism.phase_length_months = 1
    group.starts_on = datetime.date(2021, 1, 31)

    assert group.phase_starts_on(2) == datetime.date(2021, 2, 28)


@pytest.mark.django_db
def test_the_steps_of_a_mechanism_follow_each_other_from_the_first_to_the_completing_one(
    instruments,
):
    load_mechanism(UNTOC_FILE)
    step = StepDefinition.objects.get(mechanism__code="untoc", code="self_assessment")
    mechanism = step.mechanism

    assert mechanism.first_step().code == "nominations"
    assert mechanism.completion_step().code == "completed"
    assert step.next_step().code == "written_feedback"
    assert step.previous_step().code == "preliminary_consultations"
    assert mechanism.first_step().previous_step() is None
    assert mechanism.completion_step().next_step() is None
    assert mechanism.first_step().is_before(step)
    assert not step.is_before(mechanism.first_step())
    assert mechanism.phase(3).cluster.number == 3
    assert mechanism.phase(5) is None


@pytest.mark.django_db
def test_a_mechanism_without_steps_has_no_first_step(instruments):
    assert MechanismFactory().first_step() is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cleared_by_focal_point", "submitted_by"),
    [
        (True, StepDefinition.SubmittedBy.SECRETARIAT),
        (False, StepDefinition.SubmittedBy.REVIEWING_STATES),
    ],
)
def test_an_admin_edit_that_gives_a_focal_point_the_secretariat_s_step_or_the_reverse_is_refused(
    instruments, cleared_by_focal_point, submitted_by
):
    load_mechanism(UNTOC_FILE)
    step = StepDefinition.objects.get(mechanism__code="untoc", code="written_feedback")
    step.cleared_by_focal_point, step.submitted_by = cleared_by_focal_point, submitted_by

    with pytest.raises(ValidationError) as refused:
        step.full_clean()

    assert "submitted_by" in refused.value.message_dict


@pytest.mark.django_db
def test_a_step_the_reviewing_states_clear_passes_the_admin_checks(instruments):
    load_mechanism(UNTOC_FILE)
    step = StepDefinition.objects.get(mechanism__code="untoc", code="written_feedback")

    step.full_clean()

    assert step.submitted_by == StepDefinition.SubmittedBy.REVIEWING_STATES
