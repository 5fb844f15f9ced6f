"""The secretariat's review list: who sees it, its filters, its export and its bulk actions."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from factories import SecretariatFactory, UserFactory
from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.people.models import Nomination, User
from revmod.reviews import services
from revmod.reviews.models import DueDate, Extension, ReviewStep

from .helpers import step
from .views_helpers import TODAY, World, build_review, build_world, launch, names, today_is

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # A request in another language leaves that language active in the test's thread.
    with translation.override("en"):
        yield


D = datetime.date
LIST = "reviews:list"


@pytest.fixture
def world(untoc) -> World:
    return build_world(untoc)


@pytest.fixture
def outsider(db) -> User:
    """An official of a State that takes part in no review."""
    return UserFactory(full_name="Olga Outsider")


def list_page(client, user, **filters):
    client.force_login(user)
    with today_is(TODAY):
        return client.get(reverse(LIST), filters)


# --- Who sees what ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_from_every_review_page(client, world):
    pages = [
        reverse(LIST),
        reverse("reviews:audit"),
        reverse("reviews:review", args=[world.brazil.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("people:login") + "?next="), url


def test_an_official_of_another_state_gets_403_on_the_secretariat_pages_and_an_empty_list(
    client, world, outsider
):
    client.force_login(outsider)
    assert client.get(reverse("reviews:audit")).status_code == 403
    response = client.get(reverse(LIST))
    assert response.status_code == 200
    assert names(response) == []
    bulk = client.post(
        reverse(LIST), {"action": "remind", "reviews": [world.brazil.pk]}, follow=False
    )
    assert bulk.status_code == 403


def test_an_official_lists_only_the_reviews_they_hold_a_current_nomination_in(client, world):
    expert = Nomination.objects.get(review=world.brazil, role=Nomination.Role.EXPERT).person
    # A nomination that has ended no longer shows the review.
    former = Nomination.objects.get(review=world.denmark, role=Nomination.Role.EXPERT)
    Nomination.objects.filter(pk=former.pk).update(ends_on=D(2021, 11, 20))
    Nomination.objects.create(
        person=expert,
        state=expert.state,
        review=world.denmark,
        role=Nomination.Role.OBSERVER,
        starts_on=D(2021, 11, 1),
        ends_on=D(2021, 11, 20),
    )

    response = list_page(client, expert)

    assert names(response) == ["Brazil"]
    assert "Apply to the selected reviews" not in response.content.decode()
    assert names(list_page(client, former.person)) == []


def test_the_secretariat_sees_every_review_by_group_then_state_name_without_ranking(client, world):
    response = list_page(client, world.secretariat)

    assert response.status_code == 200
    assert names(response) == ["Albania", "Brazil", "Chile", "Egypt", "Denmark"]
    assert "Apply to the selected reviews" in response.content.decode()


def test_an_invited_secretariat_account_cannot_open_the_audit_trail(client, world):
    invited = SecretariatFactory(status=User.Status.INVITED)
    client.force_login(invited)

    assert client.get(reverse("reviews:audit")).status_code == 403


# --- What a row shows ---------------------------------------------------------------------------


def test_each_row_shows_the_current_step_its_status_next_due_date_and_days_overdue(client, world):
    response = list_page(client, world.secretariat)
    rows = {row.review.state.name: row for row in response.context["rows"]}

    brazil, chile, albania = rows["Brazil"], rows["Chile"], rows["Albania"]
    assert brazil.step_name == "Nomination of focal points and governmental experts"
    assert brazil.step_status == ReviewStep.Status.OPEN.label
    assert brazil.review.next_due_on == D(2020, 11, 15)
    assert brazil.overdue_days == 381
    assert chile.step_name == "Self-assessment questionnaire"
    assert chile.review.next_due_on == D(2021, 5, 1)
    assert chile.overdue_days == 214
    assert (albania.step_name, albania.review.next_due_on, albania.overdue_days) == ("", None, 0)
    assert albania.review.has_focal_point is False
    assert [language.code for language in rows["Denmark"].languages] == ["en", "fr"]
    assert rows["Egypt"].overdue_days == 0  # a closed review is late for nothing
    assert "overdue by 381 days" in response.content.decode()


def test_the_current_step_is_named_in_the_readers_language(client, world):
    client.force_login(world.secretariat)
    with today_is(TODAY), translation.override("fr"):
        response = client.get(reverse(LIST))
        french = step(world.chile, "self_assessment").definition.name

    rows = {row.review.pk: row for row in response.context["rows"]}
    assert rows[world.chile.pk].step_name == french
    assert french != "Self-assessment questionnaire"


def test_a_completed_phase_shows_its_closing_step_as_the_current_one(client, world, untoc):
    review = world.brazil
    for code in ("nominations", "preliminary_consultations"):
        services.complete_step(actor=world.secretariat, step=step(review, code))
    fp = Nomination.objects.get(review=review, role=Nomination.Role.FOCAL_POINT).person
    services.clear_and_submit(actor=fp, step=step(review, "self_assessment"))
    reviewer = build_review(untoc, "Reviewer").state
    reviewer_fp = UserFactory(state=reviewer)
    Nomination.objects.create(
        person=reviewer_fp,
        state=reviewer,
        review=review,
        role=Nomination.Role.FOCAL_POINT,
        starts_on=D(2020, 11, 1),
    )
    services.clear_and_submit(actor=reviewer_fp, step=step(review, "written_feedback"))
    services.complete_step(actor=world.secretariat, step=step(review, "dialogue"))
    services.clear_and_submit(actor=reviewer_fp, step=step(review, "list_of_observations"))
    services.complete_step(actor=world.secretariat, step=step(review, "summary"))

    response = list_page(client, world.secretariat, progress="completed")

    (row,) = response.context["rows"]
    assert row.review == review
    assert row.step_name == "Review completed"
    assert row.step_status == ReviewStep.Status.COMPLETED.label
    assert row.review.next_due_on is None


# --- Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"group": 2}, ["Denmark"]),
        ({"group": 1}, ["Albania", "Brazil", "Chile", "Egypt"]),
        ({"progress": "not_started"}, ["Albania"]),
        ({"progress": "progressing"}, ["Brazil", "Chile", "Denmark"]),
        ({"progress": "closed"}, ["Egypt"]),
        ({"step_status": "open"}, ["Brazil", "Chile", "Egypt", "Denmark"]),
        ({"overdue_days": 0}, ["Brazil", "Chile", "Denmark"]),
        ({"overdue_days": 16}, ["Brazil", "Chile", "Denmark"]),
        ({"overdue_days": 17}, ["Brazil", "Chile"]),
        ({"overdue_days": 300}, ["Brazil"]),
        ({"overdue_days": 400}, []),
        ({"language": "fr"}, ["Denmark"]),
        ({"language": "es"}, ["Chile"]),
        ({"missing": "focal_point"}, ["Albania"]),
        ({"missing": "experts"}, ["Chile"]),
        ({"group": 1, "progress": "progressing", "overdue_days": 300}, ["Brazil"]),
    ],
)
def test_each_filter_returns_the_right_reviews(client, world, filters, expected):
    assert names(list_page(client, world.secretariat, **filters)) == expected


def test_the_regional_group_and_mechanism_filters(client, world, untoc):
    by_region = list_page(client, world.secretariat, regional_group=world.latin_america.pk)
    by_mechanism = list_page(client, world.secretariat, mechanism=untoc.pk)

    assert names(by_region) == ["Brazil", "Chile"]
    assert len(names(by_mechanism)) == 5


def test_the_step_filter_finds_the_reviews_whose_current_step_it_is(client, world, untoc):
    questionnaire = untoc.steps.get(code="self_assessment")
    nominations = untoc.steps.get(code="nominations")

    assert names(list_page(client, world.secretariat, step=questionnaire.pk)) == ["Chile"]
    assert names(list_page(client, world.secretariat, step=nominations.pk)) == [
        "Brazil",
        "Egypt",
        "Denmark",
    ]


def test_the_overdue_filter_looks_from_today(client, world):
    client.force_login(world.secretariat)
    with today_is(D(2021, 5, 2)):
        response = client.get(reverse(LIST), {"overdue_days": 1})

    assert names(response) == ["Brazil", "Chile"]
    rows = {row.review.state.name: row.overdue_days for row in response.context["rows"]}
    assert rows == {"Brazil": 168, "Chile": 1}


def test_an_invalid_filter_is_reported_and_the_valid_ones_still_apply(client, world):
    response = list_page(client, world.secretariat, group=1, overdue_days="soon")

    assert response.status_code == 200
    assert response.context["filter_form"].errors["overdue_days"]
    assert names(response) == ["Albania", "Brazil", "Chile", "Egypt"]
    assert "Some filters are not valid" in response.content.decode()


def test_the_list_is_paginated_by_fifty_and_the_pages_keep_the_filters(client, untoc):
    secretariat = SecretariatFactory()
    for number in range(55):
        build_review(untoc, f"State {number:02}", focal_point=False, experts=False)

    first = list_page(client, secretariat, missing="focal_point")
    second = list_page(client, secretariat, missing="focal_point", page=2)

    assert len(names(first)) == 50
    assert names(second) == ["State 50", "State 51", "State 52", "State 53", "State 54"]
    assert "missing=focal_point&amp;page=2" in first.content.decode()


# --- Export -------------------------------------------------------------------------------------


def test_the_csv_export_holds_exactly_the_rows_of_the_filtered_list(client, world):
    shown = list_page(client, world.secretariat, group=1, progress="progressing")
    exported = list_page(client, world.secretariat, group=1, progress="progressing", format="csv")

    assert exported["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["State under review", "Group", "Regional group"]
    assert [line[0] for line in table[1:]] == names(shown) == ["Brazil", "Chile"]
    brazil = dict(zip(table[0], table[1], strict=True))
    assert brazil["Current step"] == "Nomination of focal points and governmental experts"
    assert brazil["Next due date"] == "2020-11-15"
    assert brazil["Overdue by (days)"] == "381"
    assert brazil["Focal point"] == "Yes"


def test_the_xlsx_export_holds_the_same_rows_and_reads_right_to_left_in_arabic(client, world):
    client.force_login(world.secretariat)
    with today_is(TODAY), translation.override("ar"):
        response = client.get(reverse(LIST), {"missing": "experts", "format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == "Chile"
    assert sheet.sheet_view.rightToLeft is True


def test_every_export_is_recorded_in_the_audit_trail_with_its_filters(client, world):
    list_page(client, world.secretariat, group=1, overdue_days=10, format="xlsx")

    event = AuditEvent.objects.get(action="export.downloaded")
    assert event.actor == world.secretariat
    assert event.data == {
        "export": "reviews",
        "format": "xlsx",
        "filters": {"group": "1", "overdue_days": "10"},
        "rows": 2,
    }


def test_an_official_exports_only_the_reviews_they_take_part_in(client, world):
    expert = Nomination.objects.get(review=world.chile, role=Nomination.Role.FOCAL_POINT).person

    response = list_page(client, expert, format="csv")

    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [line[0] for line in table[1:]] == ["Chile"]


# --- Bulk actions -------------------------------------------------------------------------------


def bulk(client, world, data, **filters):
    client.force_login(world.secretariat)
    url = reverse(LIST) + (
        "?" + "&".join(f"{k}={v}" for k, v in filters.items()) if filters else ""
    )
    with today_is(TODAY):
        return client.post(url, data)


def test_bulk_extend_moves_the_open_deadlines_of_the_current_steps_with_the_reason(client, world):
    response = bulk(
        client,
        world,
        {
            "action": "extend",
            "reviews": [world.brazil.pk, world.chile.pk, world.albania.pk, world.egypt.pk],
            "days": 30,
            "reason": "Elections delayed the nominations.",
        },
        group=1,
    )

    assert response.status_code == 302
    assert response.url == reverse(LIST) + "?group=1"
    extensions = Extension.objects.select_related("due_date__deadline").order_by("pk")
    assert sorted((e.due_date.deadline.code, e.new_due_on) for e in extensions) == [
        ("experts", D(2020, 12, 29)),
        ("focal_point", D(2020, 12, 15)),
        ("responses", D(2021, 5, 31)),
    ]
    assert {e.reason for e in extensions} == {"Elections delayed the nominations."}
    assert {e.granted_by for e in extensions} == {world.secretariat}
    assert AuditEvent.objects.filter(action="review.due_date_extended").count() == 3
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "3 deadlines extended." in messages
    # Not started, or closed: nothing to extend, and the others are extended all the same.
    assert "These reviews have no open deadline in their current step: Albania, Egypt." in messages


def test_bulk_extend_to_a_date_sets_that_date_on_every_open_deadline(client, world):
    bulk(
        client,
        world,
        {
            "action": "extend",
            "reviews": [world.denmark.pk],
            "new_due_on": "2022-01-31",
            "reason": "Translation of the Note Verbale.",
        },
    )

    assert set(
        DueDate.objects.filter(step__phase__review=world.denmark, step__status="open")
        .exclude(due_on=None)
        .values_list("due_on", flat=True)
    ) == {D(2022, 1, 31)}


def test_bulk_extend_without_a_reason_is_refused_keeps_the_selection_and_writes_nothing(
    client, world
):
    selected = [world.brazil.pk, world.chile.pk]
    response = bulk(
        client, world, {"action": "extend", "reviews": selected, "days": 30, "reason": "  "}
    )

    assert response.status_code == 200
    assert not Extension.objects.exists()
    form = response.context["bulk_form"]
    assert form.errors["reason"] == ["Give a reason: it is recorded in each review's history."]
    page = response.content.decode()
    for pk in selected:
        assert f'value="{pk}" id="select-{pk}" checked' in page
    assert f'value="{world.denmark.pk}" id="select-{world.denmark.pk}">' in page
    assert 'value="30"' in page


def test_bulk_extend_refused_by_the_domain_names_the_review_and_changes_nothing(client, world):
    # 1 May 2021 is before the date Brazil's deadlines already moved to: all or nothing.
    response = bulk(
        client,
        world,
        {
            "action": "extend",
            "reviews": [world.chile.pk, world.denmark.pk],
            "new_due_on": "2021-06-30",
            "reason": "Catch-up plan.",
        },
    )

    assert response.status_code == 200
    assert not Extension.objects.exists()
    (error,) = response.context["bulk_form"].non_field_errors()
    assert "Denmark" in error
    assert "The new due date must be later than the current one" in error


def test_bulk_extend_with_no_open_deadline_says_so(client, world):
    response = bulk(
        client,
        world,
        {"action": "extend", "reviews": [world.albania.pk], "days": 5, "reason": "Why not."},
    )

    assert response.status_code == 200
    assert response.context["bulk_form"].non_field_errors() == [
        "None of the selected reviews has an open deadline in its current step."
    ]


def test_a_bulk_action_without_any_review_selected_is_refused(client, world):
    response = bulk(client, world, {"action": "remind"})

    assert response.status_code == 200
    assert response.context["bulk_form"].errors["reviews"] == ["Select at least one review."]


@pytest.fixture
def tasks_run_now(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_remind_sends_one_email_per_focal_point_in_the_language_they_read(
    client, untoc, tasks_run_now, django_capture_on_commit_callbacks
):
    world = build_world(untoc)
    focal_point = {
        review.pk: Nomination.objects.get(review=review, role=Nomination.Role.FOCAL_POINT).person
        for review in (world.brazil, world.chile)
    }
    User.objects.filter(pk=focal_point[world.chile.pk].pk).update(preferred_language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(
            client,
            world,
            {"action": "remind", "reviews": [world.brazil.pk, world.chile.pk, world.albania.pk]},
        )

    assert response.status_code == 302
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        person.email for person in focal_point.values()
    )
    by_recipient = {message.to[0]: message for message in mail.outbox}
    french = by_recipient[focal_point[world.chile.pk].email]
    with translation.override("fr"):
        french_step = step(world.chile, "self_assessment").definition.name
    assert french.extra_headers["Content-Language"] == "fr"
    assert french_step in french.subject
    assert "/fr/reviews/" in french.body
    english = by_recipient[focal_point[world.brazil.pk].email]
    assert english.extra_headers["Content-Language"] == "en"
    assert "Nomination of focal points and governmental experts" in english.body
    assert "This step was due on 15 November 2020." in english.body
    assert english.alternatives[0].mimetype == "text/html"
    events = AuditEvent.objects.filter(action="review.reminder_sent").order_by("review_id")
    assert [(e.review_id, e.data["to"]) for e in events] == sorted(
        (pk, person.email) for pk, person in focal_point.items()
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Reminders are on their way to 2 focal points." in messages
    assert any("Albania" in m for m in messages)


def test_no_reminder_leaves_before_the_transaction_commits(client, world, tasks_run_now):
    with translation.override("en"):
        bulk(client, world, {"action": "remind", "reviews": [world.brazil.pk]})

    # The test's transaction never commits: the task was never enqueued.
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="review.reminder_sent").count() == 1


def test_bulk_assign_makes_an_officer_follow_the_selected_reviews_and_my_filter_finds_them(
    client, world
):
    officer = SecretariatFactory(full_name="Olivia Officer")
    reviews = [world.brazil.pk, world.chile.pk]

    response = bulk(client, world, {"action": "assign", "reviews": reviews, "officer": officer.pk})

    assert response.status_code == 302
    events = AuditEvent.objects.filter(action="review.officer_assigned").order_by("review_id")
    assert [(e.review_id, e.actor, e.data["after"]) for e in events] == [
        (pk, world.secretariat, officer.pk) for pk in sorted(reviews)
    ]
    client.force_login(officer)
    with today_is(TODAY):
        mine = client.get(reverse(LIST), {"officer": "me"})
        nobody = client.get(reverse(LIST), {"officer": "nobody"})
    assert names(mine) == ["Brazil", "Chile"]
    assert "Olivia Officer" in mine.content.decode()
    assert "Brazil" not in names(nobody) and "Albania" in names(nobody)


def test_an_official_cannot_be_chosen_to_follow_a_review_and_nothing_changes(client, world):
    official = UserFactory()

    response = bulk(
        client, world, {"action": "assign", "reviews": [world.brazil.pk], "officer": official.pk}
    )

    assert response.status_code == 200
    assert "officer" in response.context["bulk_form"].errors
    world.brazil.refresh_from_db()
    assert world.brazil.officer is None
    assert not AuditEvent.objects.filter(action="review.officer_assigned").exists()


def test_only_the_secretariat_assigns_officers_through_the_domain_function(world):
    with pytest.raises(NotAllowed, match="Only the secretariat can choose who follows a review"):
        services.assign_officer(
            actor=UserFactory(), reviews=[world.brazil], officer=world.secretariat
        )
    with pytest.raises(DomainError, match="Only an active member of the secretariat"):
        services.assign_officer(
            actor=world.secretariat, reviews=[world.brazil], officer=UserFactory()
        )
    assert services.assign_officer(
        actor=world.secretariat, reviews=[world.brazil], officer=world.secretariat
    ) == [world.brazil]
    # Assigning again changes nothing and writes nothing more.
    assert (
        services.assign_officer(
            actor=world.secretariat, reviews=[world.brazil], officer=world.secretariat
        )
        == []
    )
    assert AuditEvent.objects.filter(action="review.officer_assigned").count() == 1


# --- Cost ---------------------------------------------------------------------------------------


def test_the_list_costs_the_same_number_of_queries_for_3_or_30_reviews(
    client, untoc, django_assert_max_num_queries
):
    secretariat = SecretariatFactory()
    client.force_login(secretariat)

    def count() -> int:
        with django_assert_max_num_queries(20) as captured:
            response = client.get(reverse(LIST), {"group": 1})
        assert response.status_code == 200
        return len(captured)

    for number in range(3):
        launch(build_review(untoc, f"Small {number}", languages=["en"]), secretariat)
    small = count()
    for number in range(27):
        launch(build_review(untoc, f"Large {number}", languages=["fr"]), secretariat)
    large = count()

    assert small == large


def test_the_export_costs_the_same_number_of_queries_for_3_or_30_reviews(
    client, untoc, django_assert_max_num_queries
):
    secretariat = SecretariatFactory()
    client.force_login(secretariat)

    def count() -> int:
        with django_assert_max_num_queries(20) as captured:
            client.get(reverse(LIST), {"format": "csv"})
        return len(captured)

    for number in range(3):
        build_review(untoc, f"Small {number}")
    small = count()
    for number in range(27):
        build_review(untoc, f"Large {number}")

    assert count() == small
