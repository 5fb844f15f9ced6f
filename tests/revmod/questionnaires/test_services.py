import pytest
from reviews.helpers import step

from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.questionnaires import answering, services
from revmod.questionnaires.models import Answer, Response, ResponseVersion
from revmod.reviews import services as reviews
from revmod.reviews.models import ReviewStep


def _save(actor, response, language="en", **answers):
    """Save {code: (value, version it started from)}."""
    return services.save_answers(actor=actor, response=response, answers=answers, language=language)


def _codes(response) -> list[str]:
    values = answering.answer_values(answering.current_answers(response).values())
    return [q.code for s in answering.sections(response, values) for q in s.questions]


def test_starting_a_response_uses_the_published_template_and_is_audited(cast, response):
    assert response.template.version == 1
    assert response.status == Response.Status.DRAFT
    assert response.submitted_version == 0
    again = services.start_response(
        actor=cast.focal_point, review=cast.review, phase=response.phase
    )
    assert again.pk == response.pk
    assert AuditEvent.objects.filter(action="questionnaire.response_started").count() == 1


def test_only_the_state_under_review_starts_its_response(cast, template):
    from .conftest import open_questionnaire_step

    open_questionnaire_step(cast)
    phase = cast.review.phases.get(definition__number=1)
    with pytest.raises(NotAllowed, match="Only the governmental experts and the focal point"):
        services.start_response(actor=cast.reviewer_focal_point, review=cast.review, phase=phase)
    assert not Response.objects.exists()


def test_an_expert_saves_an_answer_with_its_language_and_a_new_version(cast, response):
    (answer,) = _save(cast.expert, response, language="ar", art2_definitions=("yes", 0))

    assert answer.value == "yes"
    assert answer.language == "ar"
    assert answer.version == 1
    assert answer.updated_by == cast.expert
    event = AuditEvent.objects.get(action="questionnaire.answers_saved")
    assert event.data["questions"] == ["art2_definitions"]
    assert "yes" not in str(event.data)  # the audit trail never copies confidential answers


def test_the_second_of_two_experts_editing_one_answer_gets_a_conflict_and_nothing_is_lost(
    cast, response
):
    second_expert = type(cast.expert).objects.create(email="second@example.org", state=cast.state)
    from factories import NominationFactory

    NominationFactory(
        person=second_expert, review=cast.review, starts_on=cast.review.group.starts_on
    )
    _save(cast.expert, response, art2_definitions=("yes", 0))
    # Both opened the form on version 1.
    _save(cast.expert, response, art2_serious_crime=("First expert's text", 0))

    with pytest.raises(services.AnswerConflict) as caught:
        _save(second_expert, response, art2_serious_crime=("Second expert's text", 0))

    (conflict,) = caught.value.conflicts
    assert conflict.yours == "Second expert's text"
    assert conflict.saved.value == "First expert's text"
    assert conflict.saved.updated_by == cast.expert
    saved = Answer.objects.get(response=response, question__code="art2_serious_crime")
    assert (saved.value, saved.version) == ("First expert's text", 1)
    # Having seen both texts, the second expert saves on the version shown to them.
    _save(second_expert, response, art2_serious_crime=("Second expert's text", 1))
    saved.refresh_from_db()
    assert (saved.value, saved.version) == ("Second expert's text", 2)


def test_a_conflict_on_one_answer_writes_none_of_the_answers_sent_with_it(cast, response):
    _save(cast.expert, response, art2_definitions=("yes", 0))

    with pytest.raises(services.AnswerConflict):
        _save(
            cast.focal_point,
            response,
            art2_definitions=("no", 0),
            art2_serious_crime=("Four years or more.", 0),
        )

    assert not Answer.objects.filter(question__code="art2_serious_crime").exists()


def test_an_unchanged_answer_is_no_conflict(cast, response):
    _save(cast.expert, response, art2_definitions=("yes", 0))

    assert _save(cast.focal_point, response, art2_definitions=("yes", 0)) == []


def test_protocol_questions_are_hidden_from_a_state_not_party_to_the_protocol(cast, response):
    # Ghana is party to the Convention and the Trafficking in Persons Protocol here.
    assert "tip5_trafficking" in _codes(response)


@pytest.mark.parametrize("party_to", [["UNTOC"]])
def test_a_state_not_party_to_the_trafficking_protocol_has_no_trafficking_questions(cast, response):
    assert "tip5_trafficking" not in _codes(response)
    assert "art5_criminalized" in _codes(response)
    with pytest.raises(DomainError, match="not part of this questionnaire: tip5_trafficking"):
        _save(cast.expert, response, tip5_trafficking=("yes", 0))


def test_a_follow_up_question_appears_only_when_its_condition_holds(cast, response):
    assert "art5_option" not in _codes(response)

    _save(cast.expert, response, art5_criminalized=("no", 0))
    assert "art5_option" not in _codes(response)

    _save(cast.expert, response, art5_criminalized=("partially", 1))
    assert "art5_option" in _codes(response)
    assert "art5_legislation" in _codes(response)


def test_completeness_counts_the_required_questions_shown_in_each_article(cast, response):
    _save(cast.expert, response, art5_criminalized=("yes", 0))
    values = answering.answer_values(answering.current_answers(response).values())
    article5 = next(s for s in answering.sections(response, values) if s.key == "UNTOC-5")

    # art5_criminalized and its required follow-up art5_option; the legislation is optional.
    assert (article5.answered_required, article5.required) == (1, 2)
    assert not article5.complete


def test_bad_values_are_refused_per_question(cast, response):
    with pytest.raises(DomainError) as caught:
        _save(
            cast.expert,
            response,
            art2_definitions=("maybe", 0),
            art5_criminalized=("yes", 0),
        )
    assert "art2_definitions" in caught.value.message_dict
    assert not Answer.objects.exists()


def test_observers_reviewers_and_the_secretariat_never_write(cast, response):
    for person in (cast.observer, cast.reviewer_focal_point, cast.secretariat, cast.outsider):
        with pytest.raises(NotAllowed, match="Only the governmental experts and the focal point"):
            _save(person, response, art2_definitions=("yes", 0))
    assert not Answer.objects.exists()


def test_the_focal_point_submits_version_one_which_locks_the_response(cast, response):
    _save(cast.expert, response, art2_definitions=("yes", 0), art8_foreign=("no", 0))

    version = services.submit_response(actor=cast.focal_point, response=response)

    assert version.number == 1
    assert version.snapshot["answers"]["art2_definitions"]["value"] == "yes"
    assert step(cast.review, "self_assessment").status == ReviewStep.Status.COMPLETED
    response.refresh_from_db()
    assert (response.status, response.submitted_version) == (Response.Status.SUBMITTED, 1)
    assert AuditEvent.objects.filter(action="questionnaire.response_submitted").exists()
    with pytest.raises(DomainError, match="submitted \\(version 1\\) and are locked"):
        _save(cast.expert, response, art2_definitions=("no", 1))


def test_an_expert_cannot_submit_but_can_hand_the_responses_to_the_focal_point(cast, response):
    with pytest.raises(NotAllowed, match="Only the focal point"):
        services.submit_response(actor=cast.expert, response=response)
    assert not ResponseVersion.objects.exists()

    services.submit_for_clearance(actor=cast.expert, response=response)

    assert step(cast.review, "self_assessment").status == ReviewStep.Status.AWAITING_CLEARANCE
    assert services.submit_response(actor=cast.focal_point, response=response).number == 1


def test_after_the_secretariat_reopens_the_step_the_next_submission_is_version_two(cast, response):
    _save(
        cast.expert,
        response,
        art2_definitions=("yes", 0),
        art8_foreign=("no", 0),
        tip5_challenges=("Few convictions.", 0),
    )
    services.submit_response(actor=cast.focal_point, response=response)
    reviews.reopen_step(
        actor=cast.secretariat,
        step=step(cast.review, "self_assessment"),
        reason="The State asked to complete its answers.",
    )

    _save(
        cast.expert,
        response,
        art8_foreign=("partially", 1),
        tip5_challenges=("", 1),
        art6_laundering=("yes", 0),
    )
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    second = services.submit_response(actor=cast.focal_point, response=response)

    assert second.number == 2
    first = ResponseVersion.objects.get(response=response, number=1)
    assert first.snapshot["answers"]["art8_foreign"]["value"] == "no"  # the first stays frozen
    changes = {c.code: c.kind for c in answering.differences(first.snapshot, second.snapshot)}
    assert changes == {
        "art8_foreign": "changed",
        "tip5_challenges": "removed",
        "art6_laundering": "added",
    }
