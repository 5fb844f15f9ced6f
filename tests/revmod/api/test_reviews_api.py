"""The review API: the same permission checks and scopes as the pages, the step actions through
the domain functions, refusals as JSON with a reason, and query counts that do not grow."""

import datetime

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from reviews.helpers import Cast, make_cast, moment

from factories import CountryReviewFactory, NominationFactory, StateFactory
from revmod.core import audit
from revmod.core.models import AuditEvent
from revmod.draws.models import Assignment, Draw
from revmod.mechanisms.definitions import DEFINITIONS_DIR
from revmod.mechanisms.models import Mechanism
from revmod.mechanisms.services import load_mechanism
from revmod.parties.models import Instrument
from revmod.people.models import Nomination
from revmod.reviews import services
from revmod.reviews.models import DueDate, Extension, ReviewStep

pytestmark = pytest.mark.django_db

D = datetime.date
Status = ReviewStep.Status


@pytest.fixture
def untoc(db) -> Mechanism:
    rows = [("UNTOC", None), ("TIP", "UNTOC"), ("SOM", "UNTOC"), ("FIR", "UNTOC")]
    for order, (code, parent) in enumerate(rows, start=1):
        Instrument.objects.get_or_create(
            code=code,
            defaults={"name": code, "short_name": code, "parent_id": parent, "order": order},
        )
    load_mechanism(DEFINITIONS_DIR / "untoc.yaml")
    return Mechanism.objects.get(code="untoc")


@pytest.fixture
def cast(untoc) -> Cast:
    return make_cast(untoc)


@pytest.fixture
def launched(cast):
    """Phase 1 launched on 1 November 2020: its nominations step is open."""
    services.launch_phase(
        actor=cast.secretariat, review=cast.review, phase_number=1, at=moment(D(2020, 11, 1))
    )
    return cast


def client_of(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def step_of(cast: Cast, code: str) -> ReviewStep:
    return ReviewStep.objects.get(phase__review=cast.review, definition__code=code)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- Reviews: who sees what -------------------------------------------------------------------


def test_an_official_sees_only_the_reviews_they_take_part_in(cast):
    other = CountryReviewFactory(group=cast.review.group, state=StateFactory(name="Chile"))

    assert ids(client_of(cast.expert).get("/api/v1/reviews/")) == [cast.review.pk]
    assert ids(client_of(cast.reviewer_expert).get("/api/v1/reviews/")) == [cast.review.pk]
    assert sorted(ids(client_of(cast.secretariat).get("/api/v1/reviews/"))) == sorted(
        [cast.review.pk, other.pk]
    )


def test_an_expert_of_an_unrelated_state_gets_404_and_an_empty_list(cast):
    unrelated = StateFactory(name="Norway")
    other_review = CountryReviewFactory(group=cast.review.group, state=unrelated)
    expert = NominationFactory(review=other_review, person__state=unrelated).person
    client = client_of(expert)

    response = client.get(f"/api/v1/reviews/{cast.review.pk}/")

    assert response.status_code == 404
    assert "reason" in response.json()
    assert cast.review.pk not in ids(client.get("/api/v1/reviews/"))
    assert ids(client_of(cast.outsider).get("/api/v1/reviews/")) == []


def test_an_official_whose_nomination_ended_no_longer_sees_the_review(cast):
    nomination = Nomination.objects.get(person=cast.expert)
    nomination.ends_on = D(2021, 1, 1)
    nomination.save(update_fields=["ends_on"])

    assert client_of(cast.expert).get(f"/api/v1/reviews/{cast.review.pk}/").status_code == 404


def test_an_anonymous_caller_gets_a_json_reason(cast):
    response = client_of(None).get("/api/v1/reviews/")

    assert response.status_code in (401, 403)
    assert response.json() == {"reason": "Authentication credentials were not provided."}


def test_the_review_detail_lists_phases_steps_and_due_dates(launched):
    response = client_of(launched.focal_point).get(f"/api/v1/reviews/{launched.review.pk}/")

    assert response.status_code == 200
    review = response.json()
    assert (review["mechanism"], review["group"], review["state"]["name"]) == ("untoc", 1, "Ghana")
    assert review["progress"] == "progressing"
    (phase,) = review["phases"]
    assert phase["number"] == 1 and phase["status"] == "in_progress"
    nominations = phase["steps"][0]
    assert (nominations["code"], nominations["status"]) == ("nominations", "open")
    due = {due["code"]: due["due_on"] for due in nominations["due_dates"]}
    # 1 November 2020 + 2 weeks and + 4 weeks, from the definition.
    assert due == {"focal_point": "2020-11-15", "experts": "2020-11-29"}


def test_the_review_list_filters_by_mechanism_group_and_progress(launched):
    other = CountryReviewFactory(
        group=launched.review.group.mechanism.groups.get(number=2), state=StateFactory()
    )
    client = client_of(launched.secretariat)

    assert ids(client.get("/api/v1/reviews/", {"progress": "progressing"})) == [launched.review.pk]
    assert ids(client.get("/api/v1/reviews/", {"progress": "not_started"})) == [other.pk]
    assert ids(client.get("/api/v1/reviews/", {"group": 2, "mechanism": "untoc"})) == [other.pk]
    assert ids(client.get("/api/v1/reviews/", {"group": 3})) == []


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"progress": "stuck"}, "Unknown progress stuck"),
        ({"group": "two"}, "group must be a whole number of at least 1."),
        ({"mechanism": "nope"}, "Unknown mechanism nope."),
    ],
)
def test_bad_filters_are_refused_with_a_reason(cast, params, reason):
    response = client_of(cast.secretariat).get("/api/v1/reviews/", params)

    assert response.status_code == 400
    assert reason in response.json()["reason"]


def _reviews_in_phase_one(mechanism, secretariat, count: int, official=None) -> None:
    group = mechanism.groups.get(number=1)
    for _ in range(count):
        review = CountryReviewFactory(group=group)
        if official is not None:
            NominationFactory(review=review, person=official, state=official.state)
        services.launch_phase(
            actor=secretariat, review=review, phase_number=1, at=moment(group.starts_on)
        )


@pytest.mark.parametrize("path", ["/api/v1/reviews/", "/api/v1/steps/", "/api/v1/audit/"])
def test_a_list_of_thirty_reviews_costs_the_queries_of_three(cast, untoc, path):
    client = client_of(cast.secretariat)
    _reviews_in_phase_one(untoc, cast.secretariat, 3)
    with CaptureQueriesContext(connection) as three:
        assert client.get(path).status_code == 200
    _reviews_in_phase_one(untoc, cast.secretariat, 27)
    with CaptureQueriesContext(connection) as thirty:
        assert client.get(path).status_code == 200

    assert len(thirty) == len(three)


def test_an_officials_review_list_costs_the_same_for_three_and_thirty_reviews(cast, untoc):
    client = client_of(cast.outsider)
    _reviews_in_phase_one(untoc, cast.secretariat, 3, official=cast.outsider)
    with CaptureQueriesContext(connection) as three:
        assert len(ids(client.get("/api/v1/reviews/"))) == 3
    _reviews_in_phase_one(untoc, cast.secretariat, 27, official=cast.outsider)
    with CaptureQueriesContext(connection) as thirty:
        assert len(ids(client.get("/api/v1/reviews/"))) == 30

    assert len(thirty) == len(three)


# --- Steps and their actions ------------------------------------------------------------------


def test_the_steps_of_a_review_are_listed_for_its_participants_only(launched):
    review = launched.review

    listed = client_of(launched.expert).get("/api/v1/steps/", {"review": review.pk})
    hidden = client_of(launched.outsider).get("/api/v1/steps/", {"review": review.pk})

    assert len(ids(listed)) == 8
    assert listed.json()["results"][0]["review"] == review.pk
    assert ids(hidden) == []
    step = step_of(launched, "nominations")
    assert client_of(launched.outsider).get(f"/api/v1/steps/{step.pk}/").status_code == 404


def _walk_to_self_assessment(cast: Cast) -> ReviewStep:
    client = client_of(cast.secretariat)
    for code in ["nominations", "preliminary_consultations"]:
        response = client.post(f"/api/v1/steps/{step_of(cast, code).pk}/complete/")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == Status.COMPLETED
    return step_of(cast, "self_assessment")


def test_the_step_actions_walk_the_questionnaire_through_clearance(launched):
    saq = _walk_to_self_assessment(launched)
    url = f"/api/v1/steps/{saq.pk}"

    submitted = client_of(launched.expert).post(f"{url}/submit-for-clearance/")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "awaiting_clearance")
    returned = client_of(launched.focal_point).post(f"{url}/return/", {"reason": "Answer Q4"})
    assert (returned.status_code, returned.json()["status"]) == (200, "open")
    client_of(launched.expert).post(f"{url}/submit-for-clearance/")
    cleared = client_of(launched.focal_point).post(f"{url}/clear/")
    assert (cleared.status_code, cleared.json()["status"]) == (200, "completed")
    reopened = client_of(launched.secretariat).post(f"{url}/reopen/", {"reason": "Late annex"})
    assert (reopened.status_code, reopened.json()["status"]) == (200, "open")

    actions = list(
        AuditEvent.objects.for_review(launched.review.pk)
        .filter(data__step="self_assessment", actor__isnull=False)
        .values_list("action", flat=True)
    )
    assert actions == [
        "review.step_opened",  # by itself, once the steps before it ended
        "review.step_submitted_for_clearance",
        "review.step_returned_to_experts",
        "review.step_submitted_for_clearance",
        "review.step_cleared",
        "review.step_reopened",
    ]


def test_the_wrong_person_is_refused_with_403_and_the_reason(launched):
    saq = _walk_to_self_assessment(launched)
    client_of(launched.expert).post(f"/api/v1/steps/{saq.pk}/submit-for-clearance/")

    by_reviewer = client_of(launched.reviewer_focal_point).post(f"/api/v1/steps/{saq.pk}/clear/")
    by_observer = client_of(launched.observer).post(f"/api/v1/steps/{saq.pk}/clear/")
    completing = client_of(launched.focal_point).post(
        f"/api/v1/steps/{step_of(launched, 'nominations').pk}/complete/"
    )

    assert by_reviewer.status_code == 403
    assert by_reviewer.json() == {
        "reason": "Only the focal point of Ghana can clear this submission."
    }
    assert by_observer.status_code == 403
    assert completing.status_code == 403
    assert completing.json()["reason"] == "Only the secretariat can complete this step."
    saq.refresh_from_db()
    assert saq.status == Status.AWAITING_CLEARANCE


def test_the_wrong_moment_or_a_missing_reason_is_refused_with_400_and_the_reason(launched):
    saq = _walk_to_self_assessment(launched)

    too_early = client_of(launched.focal_point).post(
        f"/api/v1/steps/{saq.pk}/return/", {"reason": "x"}
    )
    no_reason = client_of(launched.secretariat).post(
        f"/api/v1/steps/{step_of(launched, 'nominations').pk}/reopen/"
    )

    assert too_early.status_code == 400
    assert too_early.json()["reason"] == "This step is open: the draft is with the experts."
    assert no_reason.status_code == 400
    assert no_reason.json()["reason"] == "Give a reason: it is recorded in the review's history."
    assert step_of(launched, "nominations").status == Status.COMPLETED


def test_an_outsider_cannot_act_on_a_step_it_cannot_see(launched):
    step = step_of(launched, "nominations")

    response = client_of(launched.outsider).post(f"/api/v1/steps/{step.pk}/complete/")

    assert response.status_code == 404
    assert step_of(launched, "nominations").status == Status.OPEN


# --- Extensions -------------------------------------------------------------------------------


def _focal_point_due_date(cast: Cast) -> DueDate:
    return DueDate.objects.get(step__phase__review=cast.review, deadline__code="focal_point")


def test_the_secretariat_extends_a_due_date_with_a_reason(launched):
    due_date = _focal_point_due_date(launched)

    response = client_of(launched.secretariat).post(
        "/api/v1/extensions/",
        {"due_date": due_date.pk, "new_due_on": "2020-12-01", "reason": "Elections"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["new_due_on"] == "2020-12-01"
    assert response.json()["deadline"] == "focal_point"
    due_date.refresh_from_db()
    assert due_date.due_on == D(2020, 12, 1)
    listed = client_of(launched.expert).get("/api/v1/extensions/")
    assert [row["reason"] for row in listed.json()["results"]] == ["Elections"]


def test_an_extension_by_a_number_of_days_moves_the_date_that_far(launched):
    due_date = _focal_point_due_date(launched)

    response = client_of(launched.secretariat).post(
        "/api/v1/extensions/", {"due_date": due_date.pk, "days": 10, "reason": "Holidays"}
    )

    assert response.status_code == 201
    assert response.json()["new_due_on"] == "2020-11-25"


@pytest.mark.parametrize(
    ("who", "body", "status", "reason"),
    [
        ("secretariat", {"new_due_on": "2020-12-01"}, 400, "Give a reason"),
        ("secretariat", {"new_due_on": "2020-12-01", "days": 3, "reason": "x"}, 400, "not both"),
        ("secretariat", {"new_due_on": "2020-11-01", "reason": "x"}, 400, "must be later"),
        ("focal_point", {"new_due_on": "2020-12-01", "reason": "x"}, 403, "Only the secretariat"),
        ("outsider", {"new_due_on": "2020-12-01", "reason": "x"}, 404, ""),
    ],
)
def test_a_refused_extension_changes_nothing_and_says_why(launched, who, body, status, reason):
    due_date = _focal_point_due_date(launched)

    response = client_of(getattr(launched, who)).post(
        "/api/v1/extensions/", {"due_date": due_date.pk, **body}
    )

    assert response.status_code == status
    assert reason in response.json()["reason"]
    assert not Extension.objects.exists()
    due_date.refresh_from_db()
    assert due_date.due_on == D(2020, 11, 15)


# --- Assignments and draws --------------------------------------------------------------------


@pytest.fixture
def drawn(cast):
    group = cast.review.group
    draw = Draw.objects.create(
        mechanism=group.mechanism,
        group=group,
        phase_number=1,
        seed=42,
        parties_on=group.starts_on,
        status=Draw.Status.CONFIRMED,
        created_by=cast.secretariat,
        created_at=moment(group.starts_on),
    )
    Assignment.objects.create(
        draw=draw, review=cast.review, reviewer=cast.reviewer, slot="same_group"
    )
    return draw


def test_a_participant_reads_the_reviewers_assigned_to_its_review(drawn, cast):
    response = client_of(cast.focal_point).get("/api/v1/assignments/")

    assert response.status_code == 200
    assert [row["reviewer"]["name"] for row in response.json()["results"]] == ["France"]
    assert client_of(cast.outsider).get("/api/v1/assignments/").json()["results"] == []


def test_only_the_secretariat_reads_the_draws(drawn, cast):
    refused = client_of(cast.focal_point).get("/api/v1/draws/")
    allowed = client_of(cast.secretariat).get(f"/api/v1/draws/{drawn.pk}/")

    assert refused.status_code == 403
    assert refused.json() == {"reason": "Only the secretariat can read this."}
    assert allowed.status_code == 200
    assert allowed.json()["seed"] == 42
    assert allowed.json()["assignments"][0]["reviewer"]["code"] == cast.reviewer.code


# --- The gate ---------------------------------------------------------------------------------


def test_the_gate_endpoint_gives_the_numbers_for_a_group_and_phase(cast):
    response = client_of(cast.expert).get(
        "/api/v1/gate/", {"mechanism": "untoc", "group": 1, "phase": 2, "as_of": "2021-06-01"}
    )

    assert response.status_code == 200
    (row,) = response.json()["results"]
    # The cast's one review existed when phase 1 started; none completed: 1 required (70 % of 1).
    assert (row["mechanism"], row["group"], row["phase"]) == ("untoc", 1, 2)
    assert (row["foreseen"], row["completed"], row["required"]) == (1, 0, 1)
    assert (row["met"], row["opens"], row["decision"]) == (False, False, None)
    assert row["threshold_percent"] == "70.00"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"as_of": "June"}, "The date June is not valid"),
        ({"phase": 1}, "phase must be a whole number of at least 2."),
        ({"mechanism": "nope"}, "Unknown mechanism nope."),
    ],
)
def test_bad_gate_parameters_are_refused_with_a_reason(cast, params, reason):
    response = client_of(cast.expert).get("/api/v1/gate/", params)

    assert response.status_code == 400
    assert reason in response.json()["reason"]


# --- Audit trail and nomination health: the secretariat only ----------------------------------


def test_the_audit_trail_filters_by_review_actor_action_and_dates(launched):
    audit.record("people.follow_up_recorded", actor=launched.secretariat, at=moment(D(2021, 2, 1)))
    client = client_of(launched.secretariat)

    by_review = client.get("/api/v1/audit/", {"review": launched.review.pk})
    by_action = client.get("/api/v1/audit/", {"action": "review.phase_launched"})
    by_prefix = client.get("/api/v1/audit/", {"action": "people."})
    by_dates = client.get("/api/v1/audit/", {"since": "2021-01-01", "until": "2021-02-01"})
    by_actor = client.get("/api/v1/audit/", {"actor": launched.expert.pk})

    actions = [row["action"] for row in by_review.json()["results"]]
    assert actions[:2] == ["review.phase_launched", "review.step_opened"]
    assert [row["action"] for row in by_action.json()["results"]] == ["review.phase_launched"]
    assert {row["action"] for row in by_prefix.json()["results"]} == {"people.follow_up_recorded"}
    assert [row["action"] for row in by_dates.json()["results"]] == ["people.follow_up_recorded"]
    assert by_actor.json()["results"] == []


def test_an_official_is_refused_the_audit_trail_and_the_nomination_health(cast):
    for path in ["/api/v1/audit/", "/api/v1/nomination-health/"]:
        response = client_of(cast.focal_point).get(path)
        assert response.status_code == 403
        assert response.json() == {"reason": "Only the secretariat can read this."}


def test_the_nomination_health_endpoint_lists_the_states_with_a_problem(cast):
    peru = cast.second_reviewer
    Nomination.objects.filter(state=peru).update(ends_on=D(2021, 1, 4))

    response = client_of(cast.secretariat).get(
        "/api/v1/nomination-health/", {"problem": "missing_focal_point"}
    )

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["state"]["name"], row["under_review"]) == ("Peru", False)
    assert row["missing_focal_point"]["since"] == "2021-01-04"
    assert row["missing_focal_point"]["due_on"] == "2021-01-18"


def test_the_schema_lists_the_review_endpoints_and_the_step_actions(db):
    response = APIClient().get("/api/v1/schema/")

    paths = yaml.safe_load(response.content)["paths"]
    for path in [
        "/api/v1/reviews/{id}/",
        "/api/v1/steps/{id}/submit-for-clearance/",
        "/api/v1/steps/{id}/return/",
        "/api/v1/extensions/",
        "/api/v1/assignments/",
        "/api/v1/draws/",
        "/api/v1/gate/",
        "/api/v1/audit/",
        "/api/v1/nomination-health/",
    ]:
        assert path in paths, path
