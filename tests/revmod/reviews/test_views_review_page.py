"""The page of one review: who sees it, the buttons each role gets (enabled, or disabled with
the reason), the actions posted from it, its nominations and its timeline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from revmod.core import audit
from revmod.reviews import services
from revmod.reviews.models import CountryReview, DueDate, Extension, ReviewStep, StepTransition

from .helpers import Cast, assign_reviewers, moment, step
from .views_helpers import reach_self_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # A request in another language leaves that language active in the test's thread.
    with translation.override("en"):
        yield


D = datetime.date
Status = ReviewStep.Status


@pytest.fixture
def launched(cast: Cast) -> Cast:
    services.launch_phase(
        actor=cast.secretariat, review=cast.review, phase_number=1, at=moment(D(2020, 11, 1))
    )
    return cast


@pytest.fixture
def questionnaire(cast: Cast) -> Cast:
    """The review has reached its self-assessment questionnaire."""
    reach_self_assessment(cast.review, cast.secretariat, D(2020, 11, 20))
    return cast


def page(client, user, review: CountryReview):
    client.force_login(user)
    return client.get(reverse("reviews:review", args=[review.pk]))


def buttons(response, step_code: str) -> dict[str, str]:
    """The buttons of a step: label → "" when enabled, or the reason it is disabled."""
    for phase in response.context["phases"]:
        for row in phase["steps"]:
            if row["step"].definition.code == step_code:
                return {b.label: "" if b.allowed else b.verdict.reason for b in row["buttons"]}
    raise AssertionError(f"no step {step_code}")


def act(client, user, review, step_code: str, action: str, **data):
    client.force_login(user)
    target = step(review, step_code)
    url = reverse("reviews:step_action", args=[review.pk, target.pk, action])
    prefixed = {f"{action}-{target.pk}-{name}": value for name, value in data.items()}
    return client.post(url, prefixed)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Who sees the page --------------------------------------------------------------------------


def test_everyone_nominated_in_the_review_and_the_secretariat_see_its_page(client, launched):
    for user in (
        launched.secretariat,
        launched.focal_point,
        launched.expert,
        launched.observer,
        launched.reviewer_expert,
    ):
        assert page(client, user, launched.review).status_code == 200, user


def test_an_official_who_takes_no_part_gets_404_on_the_page_and_on_every_action(client, launched):
    review, target = launched.review, step(launched.review, "nominations")
    due_date = DueDate.objects.filter(step=target).first()
    client.force_login(launched.outsider)
    urls = [
        reverse("reviews:review", args=[review.pk]),
        reverse("reviews:step_action", args=[review.pk, target.pk, "complete"]),
        reverse("reviews:extend", args=[review.pk, due_date.pk]),
        reverse("reviews:launch", args=[review.pk]),
        reverse("reviews:close", args=[review.pk]),
    ]

    assert client.get(urls[0]).status_code == 404
    for url in urls[1:]:
        assert client.post(url, {}).status_code == 404, url
    # A review that does not exist answers the same.
    assert client.get(reverse("reviews:review", args=[review.pk + 1000])).status_code == 404


def test_an_official_whose_nomination_ended_no_longer_sees_the_review(client, launched):
    nomination = launched.reviewer_expert.nominations.get()
    type(nomination).objects.filter(pk=nomination.pk).update(ends_on=D(2021, 1, 1))

    assert page(client, launched.reviewer_expert, launched.review).status_code == 404


def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(client, launched):
    target = step(launched.review, "nominations")
    url = reverse("reviews:step_action", args=[launched.review.pk, target.pk, "complete"])

    response = client.post(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("people:login"))
    target.refresh_from_db()
    assert target.status == Status.OPEN


def test_the_page_answers_get_only_and_an_unknown_action_is_404(client, launched):
    client.force_login(launched.secretariat)
    target = step(launched.review, "nominations")
    url = reverse("reviews:step_action", args=[launched.review.pk, target.pk, "complete"])

    assert client.get(url).status_code == 405
    unknown = reverse("reviews:step_action", args=[launched.review.pk, target.pk, "approve"])
    assert client.post(unknown).status_code == 404


# --- The buttons of each role -------------------------------------------------------------------


def test_the_secretariat_gets_its_own_actions_and_sees_why_the_next_phase_cannot_start(
    client, launched
):
    response = page(client, launched.secretariat, launched.review)

    assert buttons(response, "nominations") == {"Complete the step": ""}
    assert buttons(response, "preliminary_consultations") == {"Skip the step": ""}
    assert buttons(response, "self_assessment") == {}
    launch = response.context["launch"]
    assert launch.label == "Launch phase 2"
    assert not launch.allowed
    assert launch.verdict.reason.startswith("Group 1 cannot start phase 2 yet: 0 of the 1")
    assert [b.label for b in response.context["review_buttons"]] == ["Close the review"]
    content = response.content.decode()
    assert content.count(">Extend</summary>") == 3  # two nomination deadlines, the questionnaire
    assert launch.verdict.reason in content


def test_the_focal_point_of_the_state_under_review_may_submit_and_clear_the_questionnaire(
    client, questionnaire
):
    response = page(client, questionnaire.focal_point, questionnaire.review)

    assert buttons(response, "self_assessment") == {
        "Submit for clearance": "",
        "Clear and submit": "",
    }
    assert buttons(response, "nominations") == {}
    assert response.context["launch"] is None
    assert response.context["review_buttons"] == []
    assert ">Extend</summary>" not in response.content.decode()


def test_an_expert_may_submit_but_sees_why_only_the_focal_point_clears(client, questionnaire):
    response = page(client, questionnaire.expert, questionnaire.review)

    assert buttons(response, "self_assessment") == {
        "Submit for clearance": "",
        "Clear and submit": "Only the focal point of Ghana can clear this submission.",
    }
    content = response.content.decode()
    assert "Only the focal point of Ghana can clear this submission." in content
    assert 'disabled aria-describedby="why-clear-' in content


def test_a_reviewing_states_expert_sees_the_questionnaire_buttons_disabled_with_the_reason(
    client, questionnaire
):
    response = page(client, questionnaire.reviewer_expert, questionnaire.review)

    assert buttons(response, "self_assessment") == {
        "Submit for clearance": "Only the governmental experts or the focal point of Ghana can "
        "submit this draft for clearance.",
        "Clear and submit": "Only the focal point of Ghana can clear this submission.",
    }


def test_the_secretariat_sees_who_must_clear_a_submission_awaiting_clearance(client, questionnaire):
    services.submit_for_clearance(
        actor=questionnaire.expert, step=step(questionnaire.review, "self_assessment")
    )

    secretariat = buttons(
        page(client, questionnaire.secretariat, questionnaire.review), "self_assessment"
    )
    focal_point = buttons(
        page(client, questionnaire.focal_point, questionnaire.review), "self_assessment"
    )

    assert secretariat == {
        "Submit for clearance": "Only the governmental experts or the focal point of Ghana can "
        "submit this draft for clearance.",
        "Clear and submit": "Only the focal point of Ghana can clear this submission.",
        "Return to the experts": "Only the focal point of Ghana can return this draft to the "
        "experts.",
    }
    assert focal_point == {
        "Submit for clearance": "This step is awaiting clearance by the focal point.",
        "Clear and submit": "",
        "Return to the experts": "",
    }


def test_an_observer_reads_the_review_but_gets_no_button_at_all(client, questionnaire):
    response = page(client, questionnaire.observer, questionnaire.review)

    assert all(
        row["buttons"] == [] for phase in response.context["phases"] for row in phase["steps"]
    )
    content = response.content.decode()
    assert "Self-assessment questionnaire" in content
    assert "Submit for clearance" not in content
    assert "disabled" not in content


def test_a_completed_step_offers_the_secretariat_to_reopen_it(client, questionnaire):
    response = page(client, questionnaire.secretariat, questionnaire.review)

    assert buttons(response, "nominations") == {"Reopen the step": ""}
    assert buttons(response, "preliminary_consultations") == {}


def test_in_a_closed_review_every_button_says_the_review_is_closed(client, questionnaire):
    services.close_review(
        actor=questionnaire.secretariat, review=questionnaire.review, reason="Withdrawn."
    )

    response = page(client, questionnaire.focal_point, questionnaire.review)
    secretariat = page(client, questionnaire.secretariat, questionnaire.review)

    closed = "This review is closed; the secretariat can reopen it."
    assert buttons(response, "self_assessment") == {
        "Submit for clearance": closed,
        "Clear and submit": closed,
    }
    assert [b.label for b in secretariat.context["review_buttons"]] == ["Reopen the review"]
    assert "Withdrawn." in secretariat.content.decode()


# --- Acting from the page -----------------------------------------------------------------------


def test_the_secretariat_completes_a_step_and_the_next_one_opens(client, launched):
    response = act(client, launched.secretariat, launched.review, "nominations", "complete")

    assert response.status_code == 302
    assert response.url == reverse("reviews:review", args=[launched.review.pk])
    assert step(launched.review, "nominations").status == Status.COMPLETED
    assert step(launched.review, "preliminary_consultations").status == Status.OPEN


def test_a_post_by_the_wrong_role_is_refused_with_the_reason_and_changes_nothing(
    client, questionnaire
):
    transitions = StepTransition.objects.count()

    response = act(client, questionnaire.expert, questionnaire.review, "self_assessment", "clear")
    by_focal_point = act(
        client,
        questionnaire.focal_point,
        questionnaire.review,
        "nominations",
        "reopen",
        reason="Let me in.",
    )

    assert response.status_code == 200
    assert messages_of(response) == ["Only the focal point of Ghana can clear this submission."]
    assert messages_of(by_focal_point) == ["Only the secretariat can reopen a step."]
    assert step(questionnaire.review, "self_assessment").status == Status.OPEN
    assert step(questionnaire.review, "nominations").status == Status.COMPLETED
    assert StepTransition.objects.count() == transitions


def test_returning_to_the_experts_needs_a_reason_which_the_history_keeps(client, questionnaire):
    review = questionnaire.review
    services.submit_for_clearance(actor=questionnaire.expert, step=step(review, "self_assessment"))

    empty = act(client, questionnaire.focal_point, review, "self_assessment", "return", reason="")
    assert empty.status_code == 200
    assert step(review, "self_assessment").status == Status.AWAITING_CLEARANCE
    target = step(review, "self_assessment")
    assert empty.context["phases"][0]["steps"][2]["buttons"][2].form.errors["reason"]

    done = act(
        client,
        questionnaire.focal_point,
        review,
        "self_assessment",
        "return",
        reason="Article 5 answers are missing.",
    )
    assert done.status_code == 302
    assert step(review, "self_assessment").status == Status.OPEN
    last = StepTransition.objects.filter(step=target).latest("at", "pk")
    assert (last.reason, last.actor) == (
        "Article 5 answers are missing.",
        questionnaire.focal_point,
    )


def test_a_refused_action_keeps_the_reason_that_was_typed(client, questionnaire):
    # The questionnaire is open, so it cannot be reopened: the domain refuses.
    response = act(
        client,
        questionnaire.secretariat,
        questionnaire.review,
        "self_assessment",
        "reopen",
        reason="A typo in the answers.",
    )

    assert response.status_code == 200
    assert messages_of(response) == ["This step is open: the draft is with the experts."]
    assert "A typo in the answers.</textarea>" in response.content.decode()


def test_the_secretariat_extends_a_due_date_from_the_page_with_a_reason(client, launched):
    due_date = DueDate.objects.get(
        step__phase__review=launched.review, deadline__code="focal_point"
    )
    url = reverse("reviews:extend", args=[launched.review.pk, due_date.pk])
    client.force_login(launched.secretariat)
    key = f"extend-{due_date.pk}"

    without_reason = client.post(url, {f"{key}-new_due_on": "2020-12-15", f"{key}-reason": ""})
    too_early = client.post(
        url, {f"{key}-new_due_on": "2020-11-10", f"{key}-reason": "Mission closed."}
    )
    assert without_reason.status_code == too_early.status_code == 200
    assert not Extension.objects.exists()
    assert messages_of(too_early) == [
        "The new due date must be later than the current one (2020-11-15)."
    ]
    assert "Mission closed.</textarea>" in too_early.content.decode()

    done = client.post(url, {f"{key}-new_due_on": "2020-12-15", f"{key}-reason": "Mission closed."})
    assert done.status_code == 302
    extension = Extension.objects.get()
    assert (extension.new_due_on, extension.reason) == (D(2020, 12, 15), "Mission closed.")
    shown = page(client, launched.secretariat, launched.review).content.decode()
    assert "Mission closed." in shown


def test_an_official_cannot_extend_a_due_date_even_by_posting(client, launched):
    due_date = DueDate.objects.get(
        step__phase__review=launched.review, deadline__code="focal_point"
    )
    client.force_login(launched.focal_point)
    key = f"extend-{due_date.pk}"

    response = client.post(
        reverse("reviews:extend", args=[launched.review.pk, due_date.pk]),
        {f"{key}-new_due_on": "2020-12-15", f"{key}-reason": "We need time."},
    )

    assert messages_of(response) == ["Only the secretariat can grant extensions."]
    assert not Extension.objects.exists()


def test_the_secretariat_launches_the_first_phase_and_is_told_why_the_second_waits(client, cast):
    client.force_login(cast.secretariat)
    url = reverse("reviews:launch", args=[cast.review.pk])

    first = client.post(url, {"launch-phase_number": 1})
    second = client.post(url, {"launch-phase_number": 2})

    assert first.status_code == 302
    assert cast.review.phases.get().definition.number == 1
    assert second.status_code == 200
    assert messages_of(second)[-1].startswith("Group 1 cannot start phase 2 yet")
    assert cast.review.phases.count() == 1


def test_closing_a_review_needs_a_reason_and_reopening_it_too(client, launched):
    client.force_login(launched.secretariat)
    review = launched.review

    refused = client.post(reverse("reviews:close", args=[review.pk]), {"close-reason": ""})
    closed = client.post(reverse("reviews:close", args=[review.pk]), {"close-reason": "Withdrew."})
    review.refresh_from_db()
    assert refused.status_code == 200 and closed.status_code == 302
    assert review.closed_reason == "Withdrew."

    client.post(reverse("reviews:reopen", args=[review.pk]), {"reopen-reason": "Came back."})
    review.refresh_from_db()
    assert review.closed_at is None


# --- Nominations and timeline -------------------------------------------------------------------


def test_the_nominations_are_grouped_by_state_with_the_state_under_review_first(client, launched):
    response = page(client, launched.secretariat, launched.review)
    expert_view = page(client, launched.expert, launched.review)

    groups = response.context["nomination_groups"]
    assert [group["state"].name for group in groups] == ["Ghana", "France", "Peru"]
    assert {n.person for n in groups[0]["current"]} == {
        launched.focal_point,
        launched.expert,
        launched.observer,
    }
    people_page = reverse("people:review_nominations", args=[launched.review.pk])
    assert people_page in response.content.decode()
    assert people_page not in expert_view.content.decode()


def test_the_timeline_lists_every_action_in_order_with_its_actor_and_reason(client, questionnaire):
    review = questionnaire.review
    at = moment(D(2021, 2, 1))
    services.submit_for_clearance(
        actor=questionnaire.expert, step=step(review, "self_assessment"), at=at
    )
    services.return_to_experts(
        actor=questionnaire.focal_point,
        step=step(review, "self_assessment"),
        reason="Please add the statistics.",
        at=at + datetime.timedelta(days=1),
    )
    services.grant_extension(
        actor=questionnaire.secretariat,
        due_date=DueDate.objects.get(step=step(review, "self_assessment")),
        new_due_on=D(2021, 7, 1),
        reason="Statistics take time.",
        at=at + datetime.timedelta(days=2),
    )
    services.clear_and_submit(
        actor=questionnaire.focal_point,
        step=step(review, "self_assessment"),
        at=at + datetime.timedelta(days=3),
    )
    audit.record("people.nominated", actor=questionnaire.secretariat, review_id=review.pk, at=at)

    timeline = page(client, questionnaire.secretariat, review).context["timeline"]
    expert_timeline = page(client, questionnaire.expert, review).context["timeline"]

    steps_and_actors = [(entry.action, entry.actor, entry.reason) for entry in timeline]
    assert steps_and_actors == [
        ("Phase launched", questionnaire.secretariat, ""),
        ("Pending → Open: experts drafting", questionnaire.secretariat, ""),
        ("Open: experts drafting → Completed", questionnaire.secretariat, ""),
        ("Pending → Open: experts drafting", questionnaire.secretariat, ""),
        (
            "Open: experts drafting → Skipped",
            questionnaire.secretariat,
            "Timeline agreed by email.",
        ),
        ("Pending → Open: experts drafting", questionnaire.secretariat, ""),
        (
            "Open: experts drafting → Awaiting clearance by the focal point",
            questionnaire.expert,
            "",
        ),
        ("Nomination recorded", questionnaire.secretariat, ""),
        (
            "Awaiting clearance by the focal point → Open: experts drafting",
            questionnaire.focal_point,
            "Please add the statistics.",
        ),
        ("Due date extended", questionnaire.secretariat, "Statistics take time."),
        ("Open: experts drafting → Completed", questionnaire.focal_point, ""),
        ("Pending → Open: experts drafting", questionnaire.focal_point, ""),
    ]
    assert [entry.automatic for entry in timeline[:3]] == [False, True, False]
    assert timeline[6].details == "Phase 1, Self-assessment questionnaire"
    assert timeline[6].on_behalf_of == questionnaire.state.code
    # Officials see the review's workflow, not the secretariat's other records.
    assert "Nomination recorded" not in [entry.action for entry in expert_timeline]
    assert len(expert_timeline) == len(timeline) - 1


def test_with_reviewers_drawn_each_reviewing_state_acts_on_its_own_feedback_from_the_page(
    client, questionnaire
):
    review = questionnaire.review
    services.clear_and_submit(actor=questionnaire.focal_point, step=step(review, "self_assessment"))
    assign_reviewers(review, questionnaire.reviewer, questionnaire.second_reviewer)
    services.submit_for_clearance(
        actor=questionnaire.reviewer_expert, step=step(review, "written_feedback")
    )

    france = page(client, questionnaire.reviewer_focal_point, review)
    peru = page(client, questionnaire.second_reviewer_focal_point, review)

    assert buttons(france, "written_feedback") == {
        "Submit for clearance": "The submission of France is awaiting clearance by its focal "
        "point.",
        "Clear and submit": "",
        "Return to the experts": "",
    }
    assert buttons(peru, "written_feedback")["Return to the experts"] == (
        "The submission of Peru is open: the draft is with its experts."
    )
    (row,) = [
        row
        for row in france.context["phases"][0]["steps"]
        if row["step"].definition.code == "written_feedback"
    ]
    assert [(state.name, str(label)) for state, label in row["submissions"]] == [
        ("France", "Awaiting clearance by the focal point"),
        ("Peru", "Open: experts drafting"),
    ]

    returned = act(
        client,
        questionnaire.reviewer_focal_point,
        review,
        "written_feedback",
        "return",
        reason="Cite the case law.",
    )

    assert returned.status_code == 302
    timeline = page(client, questionnaire.secretariat, review).context["timeline"]
    assert [(e.action, e.on_behalf_of, e.reason) for e in timeline[-2:]] == [
        ("A reviewing State submitted its draft for clearance", questionnaire.reviewer.code, ""),
        (
            "A reviewing State returned its draft to its experts",
            questionnaire.reviewer.code,
            "Cite the case law.",
        ),
    ]


def test_the_secretariat_sees_the_nomination_health_and_everyone_the_languages_of_the_review(
    client, launched
):
    secretariat = page(client, launched.secretariat, launched.review)
    expert = page(client, launched.expert, launched.review)

    assert secretariat.context["health_rows"] is not None
    assert 'id="health-heading"' in secretariat.content.decode()
    assert expert.context["health_rows"] is None
    assert 'id="health-heading"' not in expert.content.decode()
    for response in (secretariat, expert):
        assert response.context["languages"].review == launched.review
        assert "Languages they work in" in response.content.decode()
