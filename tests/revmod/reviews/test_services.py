"""The step workflow of a country review: every transition with the right roles, every refusal
of the wrong ones, and the history they leave."""

import datetime

import pytest

from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.reviews import services
from revmod.reviews.models import (
    CountryReview,
    ReviewPhase,
    ReviewStep,
    StepSubmission,
    StepTransition,
)
from revmod.reviews.rules import REVIEWING_STATES, SECRETARIAT, output_owner
from revmod.reviews.signals import review_event

from .helpers import Cast, assert_refused, assign_reviewers, make_cast, moment, step, trail

pytestmark = pytest.mark.django_db

Status = ReviewStep.Status


def day(year, month, date, hour=10):
    return moment(datetime.date(year, month, date), hour)


def test_an_untoc_review_walks_through_every_step_with_the_right_roles_and_refuses_the_wrong_ones(
    cast: Cast,
):
    review = cast.review
    assert_refused(
        NotAllowed,
        "Only the secretariat can launch a phase.",
        services.launch_phase,
        actor=cast.focal_point,
        review=review,
        phase_number=1,
    )
    phase = services.launch_phase(
        actor=cast.secretariat, review=review, phase_number=1, at=day(2020, 11, 1)
    )
    assert phase.status == ReviewPhase.Status.IN_PROGRESS
    assert [s.status for s in phase.steps.order_by("definition__order")] == [Status.OPEN] + [
        Status.PENDING
    ] * 7

    # Nominations: the secretariat completes the step; no official can, and it has no clearance.
    nominations = step(review, "nominations")
    assert_refused(
        NotAllowed,
        "Only the secretariat can complete this step.",
        services.complete_step,
        actor=cast.focal_point,
        step=nominations,
    )
    assert_refused(
        NotAllowed,
        "The secretariat completes this step; it has no clearance.",
        services.submit_for_clearance,
        actor=cast.expert,
        step=nominations,
    )
    services.complete_step(actor=cast.secretariat, step=nominations, at=day(2020, 11, 20))

    # Preliminary consultations open by themselves; the secretariat may skip them, nobody else.
    consultations = step(review, "preliminary_consultations")
    assert consultations.status == Status.OPEN
    assert_refused(
        NotAllowed,
        "Only the secretariat can skip a step.",
        services.skip_step,
        actor=cast.reviewer_focal_point,
        step=consultations,
        reason="Not needed.",
    )
    services.skip_step(
        actor=cast.secretariat,
        step=consultations,
        reason="Timeline agreed by email.",
        at=day(2020, 11, 21),
    )

    # Self-assessment: the State under review drafts and clears; the reviewing State cannot.
    saq = step(review, "self_assessment")
    assert saq.status == Status.OPEN
    for wrong in (cast.reviewer_expert, cast.reviewer_focal_point, cast.observer, cast.outsider):
        assert_refused(
            NotAllowed,
            "Only the governmental experts or the focal point of Ghana can submit this draft",
            services.submit_for_clearance,
            actor=wrong,
            step=saq,
        )
    services.submit_for_clearance(actor=cast.expert, step=saq, at=day(2021, 3, 1))
    assert saq.status == Status.AWAITING_CLEARANCE
    for wrong in (cast.expert, cast.reviewer_focal_point, cast.observer, cast.secretariat):
        assert_refused(
            NotAllowed,
            "Only the focal point of Ghana can clear this submission.",
            services.clear_and_submit,
            actor=wrong,
            step=saq,
        )
    assert_refused(
        NotAllowed,
        "Only the focal point of Ghana can clear this submission.",
        services.complete_step,
        actor=cast.secretariat,
        step=saq,
    )
    assert_refused(
        NotAllowed,
        "Only the focal point of Ghana can return this draft to the experts.",
        services.return_to_experts,
        actor=cast.expert,
        step=saq,
        reason="Please check article 5.",
    )
    assert_refused(
        DomainError,
        "Give a reason",
        services.return_to_experts,
        actor=cast.focal_point,
        step=saq,
        reason="  ",
    )
    services.return_to_experts(
        actor=cast.focal_point, step=saq, reason="Complete article 5.", at=day(2021, 3, 5)
    )
    assert saq.status == Status.OPEN
    assert_refused(
        DomainError,
        "This step is open: the draft is with the experts.",
        services.return_to_experts,
        actor=cast.focal_point,
        step=saq,
        reason="Again.",
    )
    services.submit_for_clearance(actor=cast.expert, step=saq, at=day(2021, 4, 1))
    services.clear_and_submit(actor=cast.focal_point, step=saq, at=day(2021, 4, 10))
    assert saq.status == Status.COMPLETED

    # Written feedback: a reviewing State drafts and clears; the State under review cannot.
    feedback = step(review, "written_feedback")
    assert feedback.status == Status.OPEN
    assert_refused(
        NotAllowed,
        "Only the governmental experts or the focal point of a reviewing State can submit",
        services.submit_for_clearance,
        actor=cast.expert,
        step=feedback,
    )
    services.submit_for_clearance(actor=cast.reviewer_expert, step=feedback, at=day(2021, 8, 1))
    for wrong in (cast.focal_point, cast.reviewer_expert, cast.observer):
        assert_refused(
            NotAllowed,
            "Only the focal point of a reviewing State can clear this submission.",
            services.clear_and_submit,
            actor=wrong,
            step=feedback,
        )
    services.clear_and_submit(actor=cast.reviewer_focal_point, step=feedback, at=day(2021, 8, 15))

    # Dialogue: the secretariat records its end.
    dialogue = step(review, "dialogue")
    assert_refused(
        NotAllowed,
        "Only the secretariat can complete this step.",
        services.complete_step,
        actor=cast.reviewer_focal_point,
        step=dialogue,
    )
    services.complete_step(actor=cast.secretariat, step=dialogue, at=day(2021, 10, 1))

    # List of observations: the other reviewing State's focal point clears it straight away.
    observations = step(review, "list_of_observations")
    for wrong in (cast.expert, cast.focal_point, cast.observer):
        assert_refused(
            NotAllowed,
            "Only the focal point of a reviewing State can clear this submission.",
            services.clear_and_submit,
            actor=wrong,
            step=observations,
        )
    services.clear_and_submit(
        actor=cast.second_reviewer_focal_point, step=observations, at=day(2022, 1, 15)
    )

    # Summary: the secretariat completes it, which reaches the closing step.
    summary = step(review, "summary")
    assert_refused(
        NotAllowed,
        "Only the secretariat can complete this step.",
        services.complete_step,
        actor=cast.focal_point,
        step=summary,
    )
    services.complete_step(actor=cast.secretariat, step=summary, at=day(2022, 3, 1))

    phase.refresh_from_db()
    assert phase.status == ReviewPhase.Status.COMPLETED
    assert phase.completed_at == day(2022, 3, 1)
    assert step(review, "completed").status == Status.COMPLETED
    assert review.progress == CountryReview.Progress.COMPLETED

    # Impossible transitions after the end are refused with a reason the page can show.
    assert_refused(
        DomainError,
        "This step is already completed; the secretariat can reopen it with a reason.",
        services.clear_and_submit,
        actor=cast.focal_point,
        step=saq,
    )
    assert_refused(
        DomainError,
        "This step is reached by itself once every step before it is finished.",
        services.open_step,
        actor=cast.secretariat,
        step=step(review, "completed"),
    )

    assert trail(review) == [
        ("review.phase_launched", None),
        ("review.step_opened", "nominations"),
        ("review.step_completed", "nominations"),
        ("review.step_opened", "preliminary_consultations"),
        ("review.step_skipped", "preliminary_consultations"),
        ("review.step_opened", "self_assessment"),
        ("review.step_submitted_for_clearance", "self_assessment"),
        ("review.step_returned_to_experts", "self_assessment"),
        ("review.step_submitted_for_clearance", "self_assessment"),
        ("review.step_cleared", "self_assessment"),
        ("review.step_opened", "written_feedback"),
        ("review.step_submitted_for_clearance", "written_feedback"),
        ("review.step_cleared", "written_feedback"),
        ("review.step_opened", "dialogue"),
        ("review.step_completed", "dialogue"),
        ("review.step_opened", "list_of_observations"),
        ("review.step_cleared", "list_of_observations"),
        ("review.step_opened", "summary"),
        ("review.step_completed", "summary"),
        ("review.step_completed", "completed"),
        ("review.phase_completed", None),
    ]


def test_each_transition_records_who_acted_for_which_state_when_and_why(cast: Cast):
    review = cast.review
    services.launch_phase(
        actor=cast.secretariat, review=review, phase_number=1, at=day(2020, 11, 1)
    )
    services.complete_step(
        actor=cast.secretariat, step=step(review, "nominations"), at=day(2020, 11, 20)
    )
    services.skip_step(
        actor=cast.secretariat,
        step=step(review, "preliminary_consultations"),
        reason="Agreed by email.",
        at=day(2020, 11, 21),
    )
    saq = step(review, "self_assessment")
    services.submit_for_clearance(actor=cast.expert, step=saq, at=day(2021, 3, 1))
    services.clear_and_submit(actor=cast.focal_point, step=saq, at=day(2021, 4, 10))
    feedback = step(review, "written_feedback")
    services.clear_and_submit(actor=cast.reviewer_focal_point, step=feedback, at=day(2021, 8, 15))

    rows = list(
        StepTransition.objects.filter(step__in=[saq, feedback]).values_list(
            "step__definition__code", "from_status", "to_status", "actor", "at", "state_code"
        )
    )
    assert rows == [
        (
            "self_assessment",
            Status.PENDING,
            Status.OPEN,
            cast.secretariat.pk,
            day(2020, 11, 21),
            "",
        ),
        (
            "self_assessment",
            Status.OPEN,
            Status.AWAITING_CLEARANCE,
            cast.expert.pk,
            day(2021, 3, 1),
            cast.state.code,
        ),
        (
            "self_assessment",
            Status.AWAITING_CLEARANCE,
            Status.COMPLETED,
            cast.focal_point.pk,
            day(2021, 4, 10),
            cast.state.code,
        ),
        (
            "written_feedback",
            Status.PENDING,
            Status.OPEN,
            cast.focal_point.pk,
            day(2021, 4, 10),
            "",
        ),
        (
            "written_feedback",
            Status.OPEN,
            Status.COMPLETED,
            cast.reviewer_focal_point.pk,
            day(2021, 8, 15),
            cast.reviewer.code,
        ),
    ]
    skipped = StepTransition.objects.get(to_status=Status.SKIPPED)
    assert skipped.reason == "Agreed by email."
    saq.refresh_from_db()
    assert (saq.opened_at, saq.completed_at) == (day(2020, 11, 21), day(2021, 4, 10))
    cleared = AuditEvent.objects.get(action="review.step_cleared", data__step="self_assessment")
    assert (cleared.occurred_at, cleared.actor, cleared.review_id, cleared.state_code) == (
        day(2021, 4, 10),
        cast.focal_point,
        review.pk,
        cast.state.code,
    )
    assert cleared.data["on_behalf_of"] == cast.state.code


def _walk(cast: Cast) -> list[tuple[str, str | None]]:
    """Take the review's first phase through all its steps with the roles the step definitions
    name, checking at each step that the other side is refused. Returns the audit trail the walk
    should leave."""
    review = cast.review
    at = moment(review.group.starts_on)
    services.launch_phase(actor=cast.secretariat, review=review, phase_number=1, at=at)
    expected: list[tuple[str, str | None]] = [("review.phase_launched", None)]
    steps = ReviewStep.objects.filter(phase__review=review).select_related("definition")
    for current in steps.order_by("definition__order"):
        code = current.definition.code
        current.refresh_from_db()
        if current.definition.counts_as_completed:
            assert current.status == Status.COMPLETED
            expected += [("review.step_completed", code), ("review.phase_completed", None)]
            break
        assert current.status == Status.OPEN, code
        expected.append(("review.step_opened", code))
        at += datetime.timedelta(days=10)
        owner = output_owner(current.definition)
        if owner == SECRETARIAT:
            assert_refused(
                NotAllowed,
                "Only the secretariat can complete this step.",
                services.complete_step,
                actor=cast.focal_point,
                step=current,
            )
            services.complete_step(actor=cast.secretariat, step=current, at=at)
            expected.append(("review.step_completed", code))
            continue
        if owner == REVIEWING_STATES:
            expert, focal_point, other_side = (
                cast.reviewer_expert,
                cast.reviewer_focal_point,
                cast.focal_point,
            )
        else:
            expert, focal_point, other_side = (
                cast.expert,
                cast.focal_point,
                cast.reviewer_focal_point,
            )
        for wrong in (other_side, expert, cast.observer, cast.secretariat):
            assert_refused(
                NotAllowed,
                "can clear this submission.",
                services.clear_and_submit,
                actor=wrong,
                step=current,
            )
        services.submit_for_clearance(actor=expert, step=current, at=at)
        services.clear_and_submit(actor=focal_point, step=current, at=at)
        expected += [
            ("review.step_submitted_for_clearance", code),
            ("review.step_cleared", code),
        ]
    return expected


@pytest.mark.parametrize("mechanism_code", ["untoc", "uncac"])
def test_a_review_of_each_shipped_mechanism_runs_through_all_its_steps_with_the_same_code(
    request, mechanism_code
):
    cast = make_cast(request.getfixturevalue(mechanism_code))

    expected = _walk(cast)

    assert trail(cast.review) == expected
    assert cast.review.progress == CountryReview.Progress.COMPLETED
    statuses = set(
        ReviewStep.objects.filter(phase__review=cast.review).values_list("status", flat=True)
    )
    assert statuses == {Status.COMPLETED}


def test_the_focal_point_of_the_state_under_review_may_submit_and_clear_without_an_expert(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    services.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"))
    services.complete_step(
        actor=cast.secretariat, step=step(cast.review, "preliminary_consultations")
    )
    saq = step(cast.review, "self_assessment")

    services.submit_for_clearance(actor=cast.focal_point, step=saq)
    services.clear_and_submit(actor=cast.focal_point, step=saq)

    assert saq.status == Status.COMPLETED
    assert step(cast.review, "written_feedback").status == Status.OPEN


def test_a_focal_point_whose_nomination_ended_can_no_longer_clear(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    services.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"))
    services.complete_step(
        actor=cast.secretariat, step=step(cast.review, "preliminary_consultations")
    )
    cast.focal_point.nominations.update(ends_on=datetime.date(2021, 1, 1))

    assert_refused(
        NotAllowed,
        "Only the focal point of Ghana can clear this submission.",
        services.clear_and_submit,
        actor=cast.focal_point,
        step=step(cast.review, "self_assessment"),
    )


def test_a_skipped_optional_step_lets_the_next_step_open_only_once_the_steps_before_end(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    services.skip_step(
        actor=cast.secretariat,
        step=step(cast.review, "preliminary_consultations"),
        reason="Not needed.",
    )
    assert step(cast.review, "self_assessment").status == Status.PENDING

    services.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"))

    assert step(cast.review, "self_assessment").status == Status.OPEN


def test_only_an_optional_step_can_be_skipped(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    assert_refused(
        DomainError,
        "Only an optional step can be skipped.",
        services.skip_step,
        actor=cast.secretariat,
        step=step(cast.review, "nominations"),
        reason="No.",
    )


def test_the_secretariat_can_open_a_pending_step_by_hand_but_not_twice(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    dialogue = step(cast.review, "dialogue")
    assert_refused(
        NotAllowed,
        "Only the secretariat can open a step.",
        services.open_step,
        actor=cast.focal_point,
        step=dialogue,
    )

    services.open_step(actor=cast.secretariat, step=dialogue)

    assert dialogue.status == Status.OPEN
    assert_refused(
        DomainError,
        "This step is open: the draft is with the experts.",
        services.open_step,
        actor=cast.secretariat,
        step=dialogue,
    )


def test_a_phase_cannot_be_launched_twice_nor_one_the_mechanism_does_not_define(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    assert_refused(
        DomainError,
        "Phase 1 of this review was launched on",
        services.launch_phase,
        actor=cast.secretariat,
        review=cast.review,
        phase_number=1,
    )
    assert_refused(
        DomainError,
        "has no phase 9.",
        services.launch_phase,
        actor=cast.secretariat,
        review=cast.review,
        phase_number=9,
    )


# --- Reopening --------------------------------------------------------------------------------


def _complete_phase(cast: Cast) -> None:
    _walk(cast)


def test_the_secretariat_reopens_a_completed_step_with_a_reason_and_the_review_is_progressing_again(
    cast,
):
    _complete_phase(cast)
    saq = step(cast.review, "self_assessment")

    services.reopen_step(
        actor=cast.secretariat, step=saq, reason="Annex missing.", at=day(2023, 1, 5)
    )

    saq.refresh_from_db()
    assert (saq.status, saq.completed_at) == (Status.OPEN, None)
    reopened = StepTransition.objects.filter(step=saq).last()
    assert (reopened.from_status, reopened.to_status, reopened.reason, reopened.at) == (
        Status.COMPLETED,
        Status.OPEN,
        "Annex missing.",
        day(2023, 1, 5),
    )
    phase = saq.phase
    phase.refresh_from_db()
    assert (phase.status, phase.completed_at) == (ReviewPhase.Status.IN_PROGRESS, None)
    assert step(cast.review, "completed").status == Status.PENDING
    assert cast.review.progress == CountryReview.Progress.PROGRESSING
    assert trail(cast.review)[-3:] == [
        ("review.step_reopened", "self_assessment"),
        ("review.phase_reopened", None),
        ("review.step_reset", "completed"),
    ]

    services.clear_and_submit(actor=cast.focal_point, step=saq, at=day(2023, 2, 1))

    phase.refresh_from_db()
    assert (phase.status, phase.completed_at) == (ReviewPhase.Status.COMPLETED, day(2023, 2, 1))
    assert cast.review.progress == CountryReview.Progress.COMPLETED


def test_reopening_without_a_reason_or_by_an_official_is_refused_and_changes_nothing(cast):
    _complete_phase(cast)
    saq = step(cast.review, "self_assessment")

    assert_refused(
        DomainError,
        "Give a reason",
        services.reopen_step,
        actor=cast.secretariat,
        step=saq,
        reason="",
    )
    assert_refused(
        NotAllowed,
        "Only the secretariat can reopen a step.",
        services.reopen_step,
        actor=cast.focal_point,
        step=saq,
        reason="I want to change an answer.",
    )
    assert_refused(
        DomainError,
        "This step marks the end of the review; reopen the step before it.",
        services.reopen_step,
        actor=cast.secretariat,
        step=step(cast.review, "completed"),
        reason="Mistake.",
    )


def test_only_a_completed_step_can_be_reopened(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    assert_refused(
        DomainError,
        "This step is not open yet.",
        services.reopen_step,
        actor=cast.secretariat,
        step=step(cast.review, "dialogue"),
        reason="Why not.",
    )


# --- Closing a review -------------------------------------------------------------------------


def test_a_closed_review_refuses_every_step_action_until_the_secretariat_reopens_it(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    assert_refused(
        DomainError,
        "Give a reason",
        services.close_review,
        actor=cast.secretariat,
        review=cast.review,
        reason="",
    )
    assert_refused(
        NotAllowed,
        "Only the secretariat can close or reopen a review.",
        services.close_review,
        actor=cast.focal_point,
        review=cast.review,
        reason="We withdraw.",
    )

    services.close_review(actor=cast.secretariat, review=cast.review, reason="State withdrew.")

    assert cast.review.progress == CountryReview.Progress.CLOSED
    assert_refused(
        DomainError,
        "This review is closed; the secretariat can reopen it.",
        services.complete_step,
        actor=cast.secretariat,
        step=step(cast.review, "nominations"),
    )

    services.reopen_review(actor=cast.secretariat, review=cast.review, reason="State returned.")

    services.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"))
    assert cast.review.progress == CountryReview.Progress.PROGRESSING
    assert [action for action, _step in trail(cast.review)][-4:-2] == [
        "review.closed",
        "review.reopened",
    ]


# --- Signals ----------------------------------------------------------------------------------


def test_every_transition_sends_the_review_event_signal_once_committed(
    cast, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, event, review, actor, at, **objects):
        received.append((event, review.pk, actor.pk, objects.get("step"), objects["phase"]))

    review_event.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            phase = services.launch_phase(
                actor=cast.secretariat, review=cast.review, phase_number=1
            )
        assert received == []  # nothing is announced before the commit
        for callback in callbacks:
            callback()
    finally:
        review_event.disconnect(receiver)

    nominations = step(cast.review, "nominations")
    assert received == [
        ("review.phase_launched", cast.review.pk, cast.secretariat.pk, None, phase),
        ("review.step_opened", cast.review.pk, cast.secretariat.pk, nominations, phase),
    ]


# --- Each reviewing State drawn submits its own written feedback ------------------------------


def _at_written_feedback(cast: Cast) -> ReviewStep:
    review = cast.review
    services.launch_phase(
        actor=cast.secretariat, review=review, phase_number=1, at=day(2020, 11, 1)
    )
    for code in ("nominations", "preliminary_consultations"):
        services.complete_step(actor=cast.secretariat, step=step(review, code), at=day(2020, 12, 1))
    saq = step(review, "self_assessment")
    services.submit_for_clearance(actor=cast.expert, step=saq, at=day(2021, 3, 1))
    services.clear_and_submit(actor=cast.focal_point, step=saq, at=day(2021, 4, 1))
    return step(review, "written_feedback")


def test_with_reviewers_drawn_the_feedback_completes_once_each_of_them_has_cleared_its_own(
    cast: Cast,
):
    feedback = _at_written_feedback(cast)
    assign_reviewers(cast.review, cast.reviewer, cast.second_reviewer)

    services.submit_for_clearance(actor=cast.reviewer_expert, step=feedback, at=day(2021, 8, 1))
    services.clear_and_submit(actor=cast.reviewer_focal_point, step=feedback, at=day(2021, 8, 5))

    feedback.refresh_from_db()
    assert feedback.status == Status.OPEN
    assert step(cast.review, "dialogue").status == Status.PENDING
    first = StepSubmission.objects.get(step=feedback, state=cast.reviewer)
    assert (first.status, first.cleared_by, first.cleared_at) == (
        StepSubmission.Status.CLEARED,
        cast.reviewer_focal_point,
        day(2021, 8, 5),
    )

    services.clear_and_submit(
        actor=cast.second_reviewer_focal_point, step=feedback, at=day(2021, 9, 1)
    )

    feedback.refresh_from_db()
    assert (feedback.status, feedback.completed_at) == (Status.COMPLETED, day(2021, 9, 1))
    assert step(cast.review, "dialogue").status == Status.OPEN
    assert trail(cast.review)[-5:] == [
        ("review.submission_submitted_for_clearance", "written_feedback"),
        ("review.submission_cleared", "written_feedback"),
        ("review.submission_cleared", "written_feedback"),
        ("review.step_completed", "written_feedback"),
        ("review.step_opened", "dialogue"),
    ]
    cleared = AuditEvent.objects.filter(action="review.submission_cleared").order_by("pk")
    assert [e.data["on_behalf_of"] for e in cleared] == [
        cast.reviewer.code,
        cast.second_reviewer.code,
    ]
    completion = StepTransition.objects.get(step=feedback, to_status=Status.COMPLETED)
    assert completion.state_code == cast.second_reviewer.code


def test_a_reviewing_state_returns_its_own_draft_and_the_other_state_is_not_held_up(cast: Cast):
    feedback = _at_written_feedback(cast)
    assign_reviewers(cast.review, cast.reviewer, cast.second_reviewer)
    services.submit_for_clearance(actor=cast.reviewer_expert, step=feedback)
    assert_refused(
        DomainError,
        "The submission of France is awaiting clearance by its focal point.",
        services.submit_for_clearance,
        actor=cast.reviewer_expert,
        step=feedback,
    )

    services.return_to_experts(
        actor=cast.reviewer_focal_point, step=feedback, reason="Add the article 5 examples."
    )

    returned = AuditEvent.objects.get(action="review.submission_returned_to_experts")
    assert returned.data["reason"] == "Add the article 5 examples."
    assert StepSubmission.objects.get(state=cast.reviewer).status == StepSubmission.Status.OPEN
    assert_refused(
        DomainError,
        "The submission of Peru is open: the draft is with its experts.",
        services.return_to_experts,
        actor=cast.second_reviewer_focal_point,
        step=feedback,
        reason="Nothing to return.",
    )
    services.clear_and_submit(actor=cast.second_reviewer_focal_point, step=feedback)
    assert_refused(
        DomainError,
        "Peru has cleared its submission",
        services.clear_and_submit,
        actor=cast.second_reviewer_focal_point,
        step=feedback,
    )
    feedback.refresh_from_db()
    assert feedback.status == Status.OPEN


def test_a_reviewer_replaced_by_a_redraw_no_longer_counts_its_clearance(cast: Cast):
    feedback = _at_written_feedback(cast)
    draw = assign_reviewers(cast.review, cast.reviewer, cast.second_reviewer)
    services.clear_and_submit(actor=cast.reviewer_focal_point, step=feedback)
    # France is replaced (as a redraw leaves it) by a State that has not cleared yet.
    newcomer = make_cast(cast.review.mechanism, group_number=2).reviewer
    replacement = draw.assignments.create(
        review=cast.review, reviewer=newcomer, slot="same_group", instruments=["UNTOC"]
    )
    draw.assignments.filter(reviewer=cast.reviewer).update(active=False, replaced_by=replacement)

    services.clear_and_submit(actor=cast.second_reviewer_focal_point, step=feedback)

    feedback.refresh_from_db()
    assert feedback.status == Status.OPEN


def test_reopening_the_feedback_asks_every_reviewing_state_to_clear_again(cast: Cast):
    feedback = _at_written_feedback(cast)
    assign_reviewers(cast.review, cast.reviewer, cast.second_reviewer)
    services.clear_and_submit(actor=cast.reviewer_focal_point, step=feedback)
    services.clear_and_submit(actor=cast.second_reviewer_focal_point, step=feedback)

    services.reopen_step(actor=cast.secretariat, step=feedback, reason="Feedback incomplete.")

    statuses = set(StepSubmission.objects.filter(step=feedback).values_list("status", "cleared_at"))
    assert statuses == {(StepSubmission.Status.OPEN, None)}
    services.clear_and_submit(actor=cast.reviewer_focal_point, step=feedback)
    feedback.refresh_from_db()
    assert feedback.status == Status.OPEN
