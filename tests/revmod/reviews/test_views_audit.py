"""The audit trail page: the secretariat's only, filterable, exportable, never editable."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from factories import CountryReviewFactory, NominationFactory, SecretariatFactory, UserFactory
from revmod.core import audit
from revmod.core.models import AuditEvent

from .helpers import moment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # A request in another language leaves that language active in the test's thread.
    with translation.override("en"):
        yield


D = datetime.date
AUDIT = "reviews:audit"


@pytest.fixture
def trail(db):
    """Five events: two reviews, two people, four days."""
    secretariat = SecretariatFactory(email="sam@unodc.example")
    official = UserFactory(email="fatima@mfa.example")
    ghana = CountryReviewFactory(state__name="Ghana")
    peru = CountryReviewFactory(state__name="Peru", group=ghana.group)
    events = {
        "created": audit.record(
            "review.created",
            actor=secretariat,
            target=ghana,
            review_id=ghana.pk,
            at=moment(D(2021, 1, 10)),
        ),
        "launched": audit.record(
            "review.phase_launched",
            actor=secretariat,
            review_id=ghana.pk,
            at=moment(D(2021, 2, 1)),
        ),
        "cleared": audit.record(
            "review.step_cleared",
            actor=official,
            review_id=ghana.pk,
            state_code="GHA",
            data={"step": "self_assessment", "from": "awaiting_clearance", "to": "completed"},
            at=moment(D(2021, 3, 1)),
        ),
        "peru": audit.record(
            "review.created",
            actor=secretariat,
            target=peru,
            review_id=peru.pk,
            at=moment(D(2021, 3, 15)),
        ),
        "loaded": audit.record("mechanism.loaded", data={"created": 3}, at=moment(D(2021, 4, 1))),
    }
    return {
        "secretariat": secretariat,
        "official": official,
        "ghana": ghana,
        "peru": peru,
        "events": events,
    }


def get(client, user, **filters):
    client.force_login(user)
    return client.get(reverse(AUDIT), filters)


def shown(response, trail) -> list[int]:
    """The events of `trail` the page lists, in its order (the session's reference data may
    have written events of its own)."""
    ours = {event.pk for event in trail["events"].values()}
    return [row["event"].pk for row in response.context["rows"] if row["event"].pk in ours]


def test_only_the_secretariat_opens_the_audit_trail(client, trail):
    expert = NominationFactory(review=trail["ghana"]).person

    assert get(client, trail["secretariat"]).status_code == 200
    assert get(client, expert).status_code == 403
    assert get(client, trail["official"]).status_code == 403
    client.logout()
    assert client.get(reverse(AUDIT)).status_code == 302


def test_the_trail_shows_every_event_newest_first_with_the_review_and_the_person(client, trail):
    events = trail["events"]
    response = get(client, trail["secretariat"])

    assert shown(response, trail) == [
        events[name].pk for name in ("loaded", "peru", "cleared", "launched", "created")
    ]
    content = response.content.decode()
    assert "fatima@mfa.example" in content
    assert "Cleared and submitted" in content
    assert reverse("reviews:review", args=[trail["peru"].pk]) in content


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"person": "fatima"}, ["cleared"]),
        ({"person": "SAM@UNODC"}, ["peru", "launched", "created"]),
        ({"action": "review.created"}, ["peru", "created"]),
        ({"date_from": "2021-02-01", "date_to": "2021-03-01"}, ["cleared", "launched"]),
        ({"date_from": "2021-03-02"}, ["loaded", "peru"]),
    ],
)
def test_each_filter_of_the_trail_returns_the_right_events(client, trail, filters, expected):
    response = get(client, trail["secretariat"], **filters)

    assert shown(response, trail) == [trail["events"][name].pk for name in expected]


def test_the_review_filter_keeps_the_events_of_that_review_only(client, trail):
    response = get(client, trail["secretariat"], review=trail["ghana"].pk)

    assert shown(response, trail) == [
        trail["events"][name].pk for name in ("cleared", "launched", "created")
    ]


def test_a_period_that_ends_before_it_starts_is_reported(client, trail):
    response = get(client, trail["secretariat"], date_from="2021-03-01", date_to="2021-02-01")

    assert response.context["form"].errors["date_to"] == [
        "The end of the period comes before its start."
    ]
    assert len(shown(response, trail)) == 3  # the start of the period still applies


def test_the_trail_offers_no_way_to_change_it(client, trail):
    client.force_login(trail["secretariat"])
    count = AuditEvent.objects.count()

    response = client.post(reverse(AUDIT), {"action": "review.created"})
    page = client.get(reverse(AUDIT)).content.decode()

    assert response.status_code == 405
    assert AuditEvent.objects.count() == count
    assert 'method="post"' not in page.split('<main id="main"', 1)[1].split("</main>")[0]


def test_the_export_of_the_trail_holds_the_filtered_events_and_is_itself_recorded(client, trail):
    response = get(client, trail["secretariat"], review=trail["ghana"].pk, format="csv")

    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == [
        "When",
        "Person",
        "Email address",
        "Action",
        "Object",
        "Review",
        "State",
        "Details",
    ]
    assert [line[3] for line in table[1:]] == [
        "Cleared and submitted",
        "Phase launched",
        "Review created",
    ]
    assert table[1][2] == "fatima@mfa.example"
    assert table[1][5] == "Review of Ghana"
    assert '"step": "self_assessment"' in table[1][7]
    export = AuditEvent.objects.get(action="export.downloaded")
    assert export.data["export"] == "audit-trail"
    assert export.data["filters"] == {"review": str(trail["ghana"].pk)}
    assert export.data["rows"] == 3


def test_the_excel_export_of_the_trail_keeps_times_as_dates(client, trail):
    response = get(client, trail["secretariat"], person="fatima", format="xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == datetime.datetime(2021, 3, 1, 10, 0)
    assert rows[1][3] == "Cleared and submitted"
    # The action filter also offers the actions that no label names, by their code.
    assert shown(get(client, trail["secretariat"], action="mechanism.loaded"), trail) == [
        trail["events"]["loaded"].pk
    ]


def test_the_trail_costs_the_same_number_of_queries_for_5_or_50_events(
    client, trail, django_assert_max_num_queries
):
    client.force_login(trail["secretariat"])

    def count() -> int:
        with django_assert_max_num_queries(15) as captured:
            assert client.get(reverse(AUDIT)).status_code == 200
        return len(captured)

    small = count()
    for number in range(45):
        review = CountryReviewFactory(group=trail["ghana"].group)
        audit.record(
            "review.created",
            actor=UserFactory(),
            target=review,
            review_id=review.pk,
            at=moment(D(2021, 5, 1) + datetime.timedelta(days=number)),
        )

    assert count() == small
