"""The verdicts the pages show agree with what the domain functions do."""

from types import SimpleNamespace

import pytest

from revmod.core.domain import DomainError, NotAllowed
from revmod.reviews import rules, services

from .helpers import step

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


@pytest.mark.parametrize(
    ("fields", "owner"),
    [
        ({"code": "self_assessment", "cleared_by_focal_point": True}, rules.STATE_UNDER_REVIEW),
        ({"code": "written_feedback", "cleared_by_focal_point": True}, rules.REVIEWING_STATES),
        ({"code": "list_of_observations", "cleared_by_focal_point": True}, rules.REVIEWING_STATES),
        ({"code": "country_report", "cleared_by_focal_point": True}, rules.STATE_UNDER_REVIEW),
        ({"code": "dialogue", "cleared_by_focal_point": False}, rules.SECRETARIAT),
        (
            {"code": "self_assessment", "cleared_by_focal_point": True, "submitted_by": "x"},
            "x",
        ),
    ],
)
def test_the_owner_of_a_step_output_follows_its_definition_and_a_declared_submitter_wins(
    fields, owner
):
    assert rules.output_owner(SimpleNamespace(**fields)) == owner
