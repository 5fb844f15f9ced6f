"""Nomination health: missing focal points and experts against the targets of the mechanism,
replaced and unresponsive focal points, counted over hand-built histories."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from factories import CountryReviewFactory, SecretariatFactory, StateFactory, UserFactory
from revmod.core import audit
from revmod.core.models import AuditEvent
from revmod.draws.models import Assignment, Draw
from revmod.people import services as people
from revmod.people.models import Nomination
from revmod.reviews import services
from revmod.reviews.health import (
    Problem,
    filter_health,
    nomination_health,
    review_health,
)
from revmod.reviews.models import DueDate

from .helpers import moment

pytestmark = pytest.mark.django_db

D = datetime.date
Role = Nomination.Role


@pytest.fixture
def secretariat(db):
    return SecretariatFactory()


@pytest.fixture
def group(untoc):
    return untoc.groups.get(number=1)


@pytest.fixture
def review(group):
    return CountryReviewFactory(
        group=group,
        state=StateFactory(name="Ghana"),
        created_at=moment(group.starts_on - datetime.timedelta(days=30)),
    )


def launch(review, secretariat, starts_on: D):
    return services.launch_phase(
        actor=secretariat, review=review, phase_number=1, starts_on=starts_on, at=moment(starts_on)
    )


def nominate(secretariat, review, role, starts_on: D, state=None, **person):
    state = state or review.state
    return people.nominate(
        actor=secretariat,
        person=UserFactory(state=state, **person),
        state=state,
        review=review,
        role=role,
        starts_on=starts_on,
    )


def health_of(review, state=None, **kwargs):
    state = state or review.state
    (row,) = [row for row in review_health(review, **kwargs) if row.state == state]
    return row


def test_a_state_without_focal_point_is_missing_one_since_the_phase_start_and_late_after_two_weeks(
    review, secretariat
):
    launch(review, secretariat, D(2021, 1, 4))

    row = health_of(review, today=D(2021, 2, 3))

    # 4 January + 2 weeks = 18 January: 16 days late on 3 February. Experts: + 4 weeks = 1 Feb.
    vacancy = row.missing_focal_point
    assert (vacancy.since, vacancy.due_on, vacancy.overdue_days) == (
        D(2021, 1, 4),
        D(2021, 1, 18),
        16,
    )
    experts = row.missing_experts
    assert (experts.since, experts.due_on, experts.overdue_days) == (
        D(2021, 1, 4),
        D(2021, 2, 1),
        2,
    )
    assert row.problems == [Problem.MISSING_FOCAL_POINT, Problem.MISSING_EXPERTS]
    assert row.under_review and row.focal_point is None and row.silence is None


def test_a_missing_focal_point_is_not_late_before_the_target_date(review, secretariat):
    launch(review, secretariat, D(2021, 1, 4))

    vacancy = health_of(review, today=D(2021, 1, 18)).missing_focal_point

    assert vacancy.due_on == D(2021, 1, 18)
    assert vacancy.overdue_days == 0 and not vacancy.is_overdue


def test_before_any_launch_the_vacancy_counts_from_the_groups_first_phase(review, group):
    row = health_of(review, today=group.starts_on + datetime.timedelta(days=20))

    assert row.missing_focal_point.since == group.starts_on
    assert row.missing_focal_point.overdue_days == 6


def test_the_targets_come_from_the_mechanism_definition_rows(review, secretariat, untoc):
    launch(review, secretariat, D(2021, 1, 4))
    # Three weeks instead of two for the focal point: the health follows the definition.
    untoc.steps.get(code="nominations").deadlines.filter(code="focal_point").update(amount=3)

    vacancy = health_of(review, today=D(2021, 2, 3)).missing_focal_point

    assert vacancy.due_on == D(2021, 1, 25)
    assert vacancy.overdue_days == 9


def test_an_extension_of_the_focal_point_due_date_moves_the_target(review, secretariat):
    launch(review, secretariat, D(2021, 1, 4))
    due_date = DueDate.objects.get(step__phase__review=review, deadline__code="focal_point")
    services.grant_extension(
        actor=secretariat,
        due_date=due_date,
        new_due_on=D(2021, 1, 30),
        reason="Elections in Ghana",
        at=moment(D(2021, 1, 10)),
    )

    vacancy = health_of(review, today=D(2021, 2, 3)).missing_focal_point

    assert vacancy.due_on == D(2021, 1, 30)
    assert vacancy.overdue_days == 4


def test_a_focal_point_who_left_leaves_a_vacancy_counted_from_the_day_they_left(
    review, secretariat
):
    launch(review, secretariat, D(2021, 1, 4))
    focal_point = nominate(secretariat, review, Role.FOCAL_POINT, D(2021, 1, 10))
    nominate(secretariat, review, Role.EXPERT, D(2021, 1, 10))
    people.end_nomination(
        actor=secretariat, nomination=focal_point, ends_on=D(2021, 6, 1), reason="Retired"
    )

    row = health_of(review, today=D(2021, 6, 25))

    assert row.missing_focal_point.since == D(2021, 6, 1)
    assert row.missing_focal_point.due_on == D(2021, 6, 15)
    assert row.missing_focal_point.overdue_days == 10
    assert row.missing_experts is None
    assert row.focal_point_changes == 0


def test_replaced_focal_points_are_counted_and_the_current_one_fills_the_role(review, secretariat):
    launch(review, secretariat, D(2021, 1, 4))
    nominate(secretariat, review, Role.FOCAL_POINT, D(2021, 1, 10))
    for day in (D(2021, 3, 1), D(2021, 5, 1)):
        people.replace_focal_point(
            actor=secretariat,
            review=review,
            state=review.state,
            new_person=UserFactory(state=review.state),
            starts_on=day,
        )

    row = health_of(review, today=D(2021, 5, 10))

    assert row.focal_point_changes == 2
    assert row.missing_focal_point is None
    assert row.focal_point.starts_on == D(2021, 5, 1)
    assert Problem.FOCAL_POINT_CHANGED in row.problems


def test_a_focal_point_silent_for_more_than_the_mechanisms_limit_is_unresponsive(
    review, secretariat, untoc
):
    assert untoc.unresponsive_after_days == 30
    launch(review, secretariat, D(2021, 1, 4))
    nominate(secretariat, review, Role.FOCAL_POINT, D(2021, 1, 10))

    with freeze_time("2021-02-09 12:00"):  # 30 days after the nomination: not yet
        on_the_limit = health_of(review)
    with freeze_time("2021-02-10 12:00"):  # 31 days
        past_the_limit = health_of(review)

    assert (on_the_limit.silence.days, on_the_limit.unresponsive) == (30, False)
    assert (past_the_limit.silence.days, past_the_limit.unresponsive) == (31, True)
    assert past_the_limit.silence.since == D(2021, 1, 10)
    assert Problem.UNRESPONSIVE_FOCAL_POINT in past_the_limit.problems


def test_an_audited_action_or_a_sign_in_of_the_focal_point_restarts_the_count(review, secretariat):
    launch(review, secretariat, D(2021, 1, 4))
    focal_point = nominate(secretariat, review, Role.FOCAL_POINT, D(2021, 1, 10)).person
    audit.record("review.step_cleared", actor=focal_point, at=moment(D(2021, 2, 1)))

    acted = health_of(review, today=D(2021, 3, 1))
    focal_point.last_login = moment(D(2021, 2, 20))
    focal_point.save(update_fields=["last_login"])
    signed_in = health_of(review, today=D(2021, 3, 1))

    assert (acted.silence.since, acted.silence.days, acted.unresponsive) == (
        D(2021, 2, 1),
        28,
        False,
    )
    assert (signed_in.silence.since, signed_in.silence.days) == (D(2021, 2, 20), 9)


def test_activity_before_the_nomination_does_not_count_as_a_response(review, secretariat):
    person = UserFactory(state=review.state, last_login=moment(D(2020, 6, 1)))
    audit.record("people.profile_submitted", actor=person, at=moment(D(2020, 6, 1)))
    people.nominate(
        actor=secretariat,
        person=person,
        state=review.state,
        review=review,
        role=Role.FOCAL_POINT,
        starts_on=D(2021, 1, 10),
    )

    row = health_of(review, today=D(2021, 3, 1))

    assert row.silence.since == D(2021, 1, 10)
    assert row.unresponsive


def test_the_unresponsive_limit_is_the_mechanisms_setting(review, secretariat, untoc):
    nominate(secretariat, review, Role.FOCAL_POINT, D(2021, 1, 10))
    untoc.unresponsive_after_days = 60
    untoc.save(update_fields=["unresponsive_after_days"])

    assert not health_of(review, today=D(2021, 3, 1)).unresponsive
    assert health_of(review, today=D(2021, 3, 12)).unresponsive


def test_reviewing_states_from_the_draw_and_from_nominations_take_part(review, secretariat, group):
    france, peru = StateFactory(name="France"), StateFactory(name="Peru")
    draw = Draw.objects.create(
        mechanism=group.mechanism,
        group=group,
        phase_number=1,
        seed=7,
        parties_on=group.starts_on,
        status=Draw.Status.CONFIRMED,
        created_by=secretariat,
        created_at=moment(group.starts_on),
    )
    Assignment.objects.create(draw=draw, review=review, reviewer=peru, slot="same_group")
    nominate(secretariat, review, Role.FOCAL_POINT, D(2021, 1, 10), state=france)

    rows = review_health(review, today=D(2021, 3, 1))

    assert [row.state.name for row in rows] == ["Ghana", "France", "Peru"]
    peru_row = rows[2]
    assert not peru_row.under_review
    assert peru_row.missing_focal_point is not None and peru_row.missing_experts is not None
    assert rows[1].missing_focal_point is None


def test_a_closed_review_is_left_out_of_the_list(review, secretariat):
    services.close_review(actor=secretariat, review=review, reason="Withdrawn")

    assert nomination_health(today=D(2021, 3, 1)) == []


def test_the_list_filters_by_problem_regional_group_and_delay(group, secretariat):
    late = CountryReviewFactory(group=group, state=StateFactory(name="Late"))
    fine = CountryReviewFactory(group=group, state=StateFactory(name="Fine"))
    nominate(secretariat, fine, Role.FOCAL_POINT, group.starts_on)
    nominate(secretariat, fine, Role.EXPERT, group.starts_on)
    fine_focal_point = Nomination.objects.get(review=fine, role=Role.FOCAL_POINT)
    fine_focal_point.person.last_login = moment(D(2021, 3, 1))
    fine_focal_point.person.save(update_fields=["last_login"])
    rows = nomination_health(today=D(2021, 3, 1))

    assert [row.review for row in filter_health(rows)] == [late]
    assert filter_health(rows, problem=Problem.FOCAL_POINT_CHANGED) == []
    assert [row.review for row in filter_health(rows, problem=Problem.MISSING_EXPERTS)] == [late]
    # The group started on 1 November 2020: the focal point was due on 15 November.
    assert [row.review for row in filter_health(rows, overdue_by=106)] == [late]
    assert filter_health(rows, overdue_by=107) == []
    region = late.state.regional_group_id
    assert [row.review for row in filter_health(rows, regional_group=region)] == [late]
    assert filter_health(rows, regional_group=fine.state.regional_group_id) == []


def _reviews_with_people(group, secretariat, count: int) -> None:
    for _ in range(count):
        review = CountryReviewFactory(group=group)
        nominate(secretariat, review, Role.FOCAL_POINT, group.starts_on)
        reviewer = StateFactory()
        nominate(secretariat, review, Role.EXPERT, group.starts_on, state=reviewer)
        services.launch_phase(
            actor=secretariat, review=review, phase_number=1, at=moment(group.starts_on)
        )


def test_the_health_of_thirty_reviews_costs_the_queries_of_three(group, secretariat):
    _reviews_with_people(group, secretariat, 3)
    with CaptureQueriesContext(connection) as three:
        assert len(nomination_health(today=D(2021, 3, 1))) == 6
    _reviews_with_people(group, secretariat, 27)
    with CaptureQueriesContext(connection) as thirty:
        assert len(nomination_health(today=D(2021, 3, 1))) == 60

    assert len(thirty) == len(three)


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def secretariat_client(secretariat):
    client = Client()
    client.force_login(secretariat)
    return client


def test_the_health_page_lists_the_states_with_a_problem_for_the_secretariat(
    review, secretariat_client
):
    response = secretariat_client.get(reverse("reviews_health:health"))

    assert response.status_code == 200
    assert [row.review for row in response.context["rows"]] == [review]
    assert "Ghana" in response.content.decode()


def test_the_health_page_reads_right_to_left_in_arabic(review, secretariat_client):
    # A request leaves its language active in the test's thread: give English back afterwards.
    with translation.override("en"):
        response = secretariat_client.get("/ar/reviews/health/")

    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


def test_the_health_page_filters_by_problem_from_the_address(review, secretariat_client):
    response = secretariat_client.get(
        reverse("reviews_health:health"), {"problem": Problem.UNRESPONSIVE_FOCAL_POINT}
    )

    assert response.context["rows"] == []


def test_an_official_is_refused_the_health_page_and_a_visitor_is_sent_to_sign_in(review):
    official = Client()
    official.force_login(UserFactory(state=review.state))

    assert official.get(reverse("reviews_health:health")).status_code == 403
    anonymous = Client().get(reverse("reviews_health:health"))
    assert anonymous.status_code == 302
    assert reverse("people:login") in anonymous["Location"]


def test_the_health_export_writes_a_csv_of_the_list_and_records_the_export(
    review, secretariat_client, secretariat
):
    response = secretariat_client.get(
        reverse("reviews_health:health"), {"format": "csv", "problem": "missing_focal_point"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mechanism,Group,State under review,State")
    assert len(lines) == 2 and ",Ghana,Ghana," in lines[1]
    event = AuditEvent.objects.get(action="reviews.nomination_health_exported")
    assert event.actor == secretariat
    assert event.data["filters"] == {"problem": "missing_focal_point"}
    assert event.data["rows"] == 1


def test_the_health_export_in_excel_is_an_xlsx_file(review, secretariat_client):
    response = secretariat_client.get(reverse("reviews_health:health"), {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    assert response.content[:2] == b"PK"


def test_the_review_health_panel_renders_in_a_page_context(review, secretariat):
    html = render_to_string(
        "reviews_health/_health_panel.html", {"health_rows": review_health(review)}
    )

    assert "Ghana" in html and "None since" in html
