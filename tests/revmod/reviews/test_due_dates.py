"""Due dates: counted from the mechanism definition and the actual dates, moved by extensions,
flagged when passed, never blocking."""

import datetime

import pytest

from factories import CountryReviewFactory
from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.reviews import services
from revmod.reviews.models import DueDate, Extension

from .helpers import Cast, assert_refused, moment, step

pytestmark = pytest.mark.django_db

D = datetime.date


def due(review, step_code: str, deadline_code: str) -> DueDate:
    return DueDate.objects.select_related("step").get(
        step__phase__review=review, step__definition__code=step_code, deadline__code=deadline_code
    )


def _launch(cast: Cast, **kwargs):
    return services.launch_phase(
        actor=cast.secretariat,
        review=cast.review,
        phase_number=1,
        at=moment(D(2020, 11, 1)),
        **kwargs,
    )


def _reach_self_assessment(cast: Cast) -> None:
    _launch(cast)
    services.complete_step(
        actor=cast.secretariat, step=step(cast.review, "nominations"), at=moment(D(2020, 11, 20))
    )
    services.complete_step(
        actor=cast.secretariat,
        step=step(cast.review, "preliminary_consultations"),
        at=moment(D(2020, 12, 1)),
    )


def test_nominations_and_questionnaire_are_due_two_weeks_four_weeks_and_six_months_after_the_start(
    cast,
):
    _launch(cast)

    assert due(cast.review, "nominations", "focal_point").due_on == D(2020, 11, 15)
    assert due(cast.review, "nominations", "experts").due_on == D(2020, 11, 29)
    assert due(cast.review, "self_assessment", "responses").due_on == D(2021, 5, 1)
    assert due(cast.review, "self_assessment", "responses").original_due_on == D(2021, 5, 1)


def test_a_phase_launched_on_another_day_counts_its_due_dates_from_that_day(cast):
    phase = _launch(cast, starts_on=D(2021, 1, 31))

    assert phase.starts_on == D(2021, 1, 31)
    assert due(cast.review, "nominations", "focal_point").due_on == D(2021, 2, 14)
    assert due(cast.review, "self_assessment", "responses").due_on == D(2021, 7, 31)


def test_feedback_is_due_six_months_after_the_questionnaire_actually_ends_and_not_before(cast):
    _reach_self_assessment(cast)
    assert due(cast.review, "written_feedback", "feedback").due_on is None

    saq = step(cast.review, "self_assessment")
    services.clear_and_submit(actor=cast.focal_point, step=saq, at=moment(D(2021, 6, 20)))

    feedback = due(cast.review, "written_feedback", "feedback")
    assert (feedback.original_due_on, feedback.due_on) == (D(2021, 12, 20), D(2021, 12, 20))


def test_an_extension_moves_the_due_date_keeps_the_original_and_is_audited(cast):
    _launch(cast)
    responses = due(cast.review, "self_assessment", "responses")

    extension = services.grant_extension(
        actor=cast.secretariat,
        due_date=responses,
        new_due_on=D(2021, 7, 1),
        reason="Translation of the legislation takes longer.",
        at=moment(D(2021, 4, 20)),
    )

    responses.refresh_from_db()
    assert (responses.original_due_on, responses.due_on) == (D(2021, 5, 1), D(2021, 7, 1))
    assert (extension.previous_due_on, extension.new_due_on, extension.granted_by) == (
        D(2021, 5, 1),
        D(2021, 7, 1),
        cast.secretariat,
    )
    event = AuditEvent.objects.get(action="review.due_date_extended")
    assert event.occurred_at == moment(D(2021, 4, 20))
    assert (event.review_id, event.state_code) == (cast.review.pk, cast.state.code)
    assert event.data == {
        "step": "self_assessment",
        "deadline": "responses",
        "from": "2021-05-01",
        "to": "2021-07-01",
        "reason": "Translation of the legislation takes longer.",
    }


def test_extending_the_questionnaire_leaves_the_feedback_counted_from_its_actual_end(cast):
    _reach_self_assessment(cast)
    services.grant_extension(
        actor=cast.secretariat,
        due_date=due(cast.review, "self_assessment", "responses"),
        new_due_on=D(2021, 8, 1),
        reason="Elections.",
    )
    assert due(cast.review, "written_feedback", "feedback").due_on is None

    services.clear_and_submit(
        actor=cast.focal_point,
        step=step(cast.review, "self_assessment"),
        at=moment(D(2021, 4, 2)),
    )

    assert due(cast.review, "written_feedback", "feedback").due_on == D(2021, 10, 2)


def test_an_extension_without_a_reason_is_refused_and_changes_nothing(cast):
    _launch(cast)
    for reason in ("", "   "):
        assert_refused(
            DomainError,
            "Give a reason: it is recorded in the review's history.",
            services.grant_extension,
            actor=cast.secretariat,
            due_date=due(cast.review, "self_assessment", "responses"),
            new_due_on=D(2021, 7, 1),
            reason=reason,
        )
    assert due(cast.review, "self_assessment", "responses").due_on == D(2021, 5, 1)


def test_an_extension_must_move_the_date_later_and_only_the_secretariat_grants_it(cast):
    _launch(cast)
    responses = due(cast.review, "self_assessment", "responses")
    assert_refused(
        DomainError,
        "The new due date must be later than the current one",
        services.grant_extension,
        actor=cast.secretariat,
        due_date=responses,
        new_due_on=D(2021, 5, 1),
        reason="Shorter.",
    )
    assert_refused(
        NotAllowed,
        "Only the secretariat can grant extensions.",
        services.grant_extension,
        actor=cast.focal_point,
        due_date=responses,
        new_due_on=D(2021, 9, 1),
        reason="We need more time.",
    )


def test_no_extension_of_a_finished_step_nor_of_a_due_date_not_set_yet(cast):
    _launch(cast)
    assert_refused(
        DomainError,
        "This due date is not set yet",
        services.grant_extension,
        actor=cast.secretariat,
        due_date=due(cast.review, "written_feedback", "feedback"),
        new_due_on=D(2022, 1, 1),
        reason="Ahead of time.",
    )
    services.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"))
    assert_refused(
        DomainError,
        "This step is already finished; its due dates can no longer move.",
        services.grant_extension,
        actor=cast.secretariat,
        due_date=due(cast.review, "nominations", "experts"),
        new_due_on=D(2021, 1, 1),
        reason="Late.",
    )


def test_a_recount_after_a_reopened_step_ends_again_keeps_a_later_extension(cast):
    _reach_self_assessment(cast)
    saq = step(cast.review, "self_assessment")
    services.clear_and_submit(actor=cast.focal_point, step=saq, at=moment(D(2021, 4, 1)))
    feedback = due(cast.review, "written_feedback", "feedback")
    assert feedback.due_on == D(2021, 10, 1)
    services.grant_extension(
        actor=cast.secretariat, due_date=feedback, new_due_on=D(2022, 1, 31), reason="Holidays."
    )

    services.reopen_step(actor=cast.secretariat, step=saq, reason="Annex missing.")
    services.clear_and_submit(actor=cast.focal_point, step=saq, at=moment(D(2021, 5, 10)))

    feedback.refresh_from_db()
    assert (feedback.original_due_on, feedback.due_on) == (D(2021, 11, 10), D(2022, 1, 31))


def test_bulk_extension_by_days_moves_each_due_date_from_its_own_date(untoc, cast):
    other = CountryReviewFactory(group=cast.review.group)
    _launch(cast)
    services.launch_phase(
        actor=cast.secretariat, review=other, phase_number=1, starts_on=D(2020, 12, 1)
    )
    due_dates = [
        due(cast.review, "self_assessment", "responses"),
        due(other, "self_assessment", "responses"),
    ]

    extensions = services.grant_extensions(
        actor=cast.secretariat, due_dates=due_dates, days=30, reason="Pandemic."
    )

    assert [(e.previous_due_on, e.new_due_on) for e in extensions] == [
        (D(2021, 5, 1), D(2021, 5, 31)),
        (D(2021, 6, 1), D(2021, 7, 1)),
    ]
    assert AuditEvent.objects.filter(action="review.due_date_extended").count() == 2


def test_bulk_extension_to_a_date_is_all_or_nothing_and_names_the_due_date_it_refuses(cast):
    _launch(cast)
    services.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"))
    due_dates = [
        due(cast.review, "self_assessment", "responses"),
        due(cast.review, "nominations", "experts"),
    ]

    assert_refused(
        DomainError,
        "Review of Ghana, Nomination of the governmental experts: This step is already finished",
        services.grant_extensions,
        actor=cast.secretariat,
        due_dates=due_dates,
        new_due_on=D(2021, 9, 1),
        reason="Pandemic.",
    )
    assert not Extension.objects.exists()
    assert_refused(
        DomainError,
        "Give either a new due date or a number of days, not both.",
        services.grant_extensions,
        actor=cast.secretariat,
        due_dates=due_dates[:1],
        new_due_on=D(2021, 9, 1),
        days=10,
        reason="Pandemic.",
    )


def test_a_passed_due_date_is_flagged_overdue_until_the_step_is_finished_and_never_blocks(cast):
    _reach_self_assessment(cast)
    responses = due(cast.review, "self_assessment", "responses")

    assert not responses.is_overdue(D(2021, 5, 1))
    assert responses.is_overdue(D(2021, 5, 2))
    assert list(DueDate.objects.overdue(D(2021, 5, 2))) == [responses]

    # Late, but the focal point still clears the questionnaire.
    services.clear_and_submit(
        actor=cast.focal_point,
        step=step(cast.review, "self_assessment"),
        at=moment(D(2021, 6, 15)),
    )

    responses.refresh_from_db()
    assert not responses.is_overdue(D(2021, 6, 16))
    assert responses not in DueDate.objects.overdue(D(2021, 6, 16))
