"""The verdicts the pages show agree with what the domain functions do."""

import pytest

from revmod.core.domain import DomainError, NotAllowed
from revmod.mechanisms.models import StepDefinition
from revmod.reviews import rules, services

from .helpers import assign_reviewers, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def saq(cast):
    services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    services.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"))
    services.complete_step(
        actor=cast.secretariat, step=step(cast.review, "preliminary_consultations")
    )
    return step(cast.review, "self_assessment")


def test_the_page_verdict_gives_the_reason_the_service_refuses_with(cast, saq):
    verdict = rules.can_clear(cast.expert, saq)

    assert not verdict
    with pytest.raises(NotAllowed) as refusal:
        services.clear_and_submit(actor=cast.expert, step=saq)
    assert (
        refusal.value.reason
        == verdict.reason
        == ("Only the focal point of Ghana can clear this submission.")
    )


def test_the_page_verdict_names_the_impossible_transition_for_the_right_person(cast, saq):
    verdict = rules.can_return_to_experts(cast.focal_point, saq)

    assert verdict.reason == "This step is open: the draft is with the experts."
    with pytest.raises(DomainError, match="This step is open"):
        services.return_to_experts(actor=cast.focal_point, step=saq, reason="Redo.")


def test_the_verdicts_allow_each_role_its_own_actions_only(cast, saq):
    assert rules.can_submit_for_clearance(cast.expert, saq)
    assert rules.can_clear(cast.focal_point, saq)
    assert not rules.can_submit_for_clearance(cast.reviewer_expert, saq)
    assert (
        rules.can_reopen(cast.secretariat, saq).reason
        == "This step is open: the draft is with the experts."
    )
    assert not rules.can_reopen(cast.focal_point, saq)
    assert rules.can_extend(cast.secretariat, saq.due_dates.get())
    assert rules.can_close(cast.secretariat, cast.review)
    assert not rules.can_close(cast.focal_point, cast.review)


def test_a_secretariat_account_that_is_not_active_acts_for_no_one(cast, saq):
    cast.secretariat.status = cast.secretariat.Status.DEACTIVATED

    assert rules.can_skip(cast.secretariat, saq).reason == "Only the secretariat can skip a step."


def test_the_owner_of_a_step_output_is_the_submitter_its_definition_declares(untoc, uncac):
    owners = {
        (step.mechanism.code, step.code): rules.output_owner(step)
        for step in StepDefinition.objects.select_related("mechanism")
    }

    assert owners[("untoc", "self_assessment")] == rules.STATE_UNDER_REVIEW
    assert owners[("untoc", "written_feedback")] == rules.REVIEWING_STATES
    assert owners[("untoc", "list_of_observations")] == rules.REVIEWING_STATES
    assert owners[("untoc", "dialogue")] == rules.SECRETARIAT
    assert owners[("uncac", "country_report")] == rules.STATE_UNDER_REVIEW


def test_the_owner_of_a_step_output_follows_an_edit_of_its_definition_whatever_its_code(
    untoc,
):
    step = untoc.steps.get(code="self_assessment")
    step.submitted_by = StepDefinition.SubmittedBy.REVIEWING_STATES

    assert rules.output_owner(step) == rules.REVIEWING_STATES


@pytest.fixture
def feedback(cast, saq):
    services.submit_for_clearance(actor=cast.expert, step=saq)
    services.clear_and_submit(actor=cast.focal_point, step=saq)
    return step(cast.review, "written_feedback")


def test_before_any_draw_every_state_nominated_besides_the_one_under_review_acts_as_reviewer(
    cast, feedback
):
    assert rules.can_clear(cast.reviewer_focal_point, feedback)
    assert rules.can_clear(cast.second_reviewer_focal_point, feedback)
    assert not rules.can_clear(cast.focal_point, feedback)


def test_once_reviewers_are_drawn_only_their_focal_points_clear_the_reviewing_states_steps(
    cast, feedback
):
    assign_reviewers(cast.review, cast.reviewer)

    assert rules.can_clear(cast.reviewer_focal_point, feedback)
    assert rules.can_submit_for_clearance(cast.reviewer_expert, feedback)
    verdict = rules.can_clear(cast.second_reviewer_focal_point, feedback)
    assert verdict.reason == "Only the focal point of a reviewing State can clear this submission."
    with pytest.raises(NotAllowed, match="Only the focal point of a reviewing State"):
        services.clear_and_submit(actor=cast.second_reviewer_focal_point, step=feedback)


def test_reviewers_drawn_for_another_phase_do_not_act_in_this_one(cast, feedback):
    assign_reviewers(cast.review, cast.second_reviewer, phase_number=2)

    assert rules.can_clear(cast.reviewer_focal_point, feedback)
    assert not rules.submissions_per_state(feedback)


def test_the_page_says_when_a_state_already_cleared_its_own_submission(cast, feedback):
    assign_reviewers(cast.review, cast.reviewer, cast.second_reviewer)
    services.clear_and_submit(actor=cast.reviewer_focal_point, step=feedback)

    verdict = rules.can_clear(cast.reviewer_focal_point, feedback)

    assert verdict.reason == (
        "France has cleared its submission; the step is completed once every reviewing State "
        "has cleared its own."
    )
    assert rules.can_clear(cast.second_reviewer_focal_point, feedback)
    assert rules.submission_progress(feedback) == {
        cast.reviewer.code: "cleared",
        cast.second_reviewer.code: "open",
    }
