import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from revmod.parties.models import PartyStatus
from revmod.people.models import Nomination, User

pytestmark = pytest.mark.django_db

FOCAL_POINT, EXPERT, OBSERVER = (
    Nomination.Role.FOCAL_POINT,
    Nomination.Role.EXPERT,
    Nomination.Role.OBSERVER,
)
SECRETARIAT_ONLY = ["Secretariat overview", "Accounts awaiting approval", "Reviews per group"]


def page(client, path="/en/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_an_anonymous_visitor_sees_what_the_mechanism_is_and_where_to_sign_in(client):
    html = page(client)
    assert "peer review" in html
    assert 'href="/en/accounts/login/"' in html
    for text in [*SECRETARIAT_ONLY, "My reviews", "Sign out"]:
        assert text not in html


def test_the_secretariat_sees_parties_per_instrument_in_force_today_only(
    client, secretariat, instruments, make_state
):
    _untoc, tip = instruments
    today = timezone.localdate()
    for code, became, withdrawn in [
        ("AAA", datetime.date(2003, 9, 29), None),
        ("BBB", datetime.date(2010, 1, 1), None),
        ("CCC", datetime.date(2010, 1, 1), today - datetime.timedelta(days=1)),  # withdrew
        ("DDD", today + datetime.timedelta(days=30), None),  # not yet in force
    ]:
        PartyStatus.objects.create(
            state=make_state(code),
            instrument=tip,
            became_party_on=became,
            withdrawn_on=withdrawn,
            action=PartyStatus.Action.RATIFICATION,
        )
    client.force_login(secretariat)
    response = client.get("/en/")
    counts = {row.code: row.parties for row in response.context["instruments"]}
    assert counts == {"UNTOC": 0, "TIP": 2}
    assert "Trafficking in Persons Protocol" in response.content.decode()


def test_the_secretariat_sees_reviews_per_group_and_accounts_awaiting_approval(
    client, secretariat, make_review, make_user
):
    make_review("AAA", group=1)
    make_review("BBB", group=1)
    make_review("CCC", group=2)
    make_user("waiting1@example.org", status=User.Status.SUBMITTED)
    make_user("waiting2@example.org", status=User.Status.SUBMITTED)
    make_user("clarify@example.org", status=User.Status.CLARIFICATION)
    client.force_login(secretariat)
    response = client.get("/en/")
    per_group = {group.number: group.review_count for group in response.context["groups"]}
    assert per_group == {1: 2, 2: 1}
    assert response.context["awaiting_approval"] == 2
    html = response.content.decode()
    assert 'href="/en/accounts/people/?status=submitted"' in html
    assert "Secretariat overview" in html and "My reviews" not in html


def test_the_secretariat_sees_the_reviews_whose_state_has_no_current_focal_point(
    client, secretariat, make_review, make_user, nominate
):
    covered = make_review("AAA", "Arcadia")
    reviewer_only = make_review("BBB", "Borduria")
    ended = make_review("CCC", "Carpania")
    make_review("DDD", "Dystopia")
    closed = make_review("EEE", "Elbonia")
    closed.closed_at = timezone.now()
    closed.save()
    focal = make_user("focal@example.org")
    nominate(focal, covered, FOCAL_POINT)
    # A focal point of a reviewing State does not count for the State under review.
    nominate(focal, reviewer_only, FOCAL_POINT, state=covered.state)
    old = nominate(make_user("old@example.org"), ended, FOCAL_POINT)
    old.ends_on = datetime.date(2024, 6, 1)
    old.save()
    client.force_login(secretariat)
    response = client.get("/en/")
    assert response.context["without_focal_point_count"] == 3
    listed = {review.state.name for review in response.context["without_focal_point"]}
    assert listed == {"Borduria", "Carpania", "Dystopia"}
    html = response.content.decode()
    assert "Dystopia" in html and "Arcadia" not in html
    dystopia = next(r for r in response.context["without_focal_point"] if r.state.code == "DDD")
    assert f'href="/en/accounts/reviews/{dystopia.pk}/nominations/"' in html


def test_an_expert_sees_their_own_current_nominations_and_no_secretariat_summary(
    client, make_review, make_user, nominate
):
    review = make_review("AAA", "Arcadia")
    other = make_review("BBB", "Borduria")
    expert = make_user("expert@example.org")
    nominate(expert, review, EXPERT)
    nominate(make_user("someone@example.org"), other, FOCAL_POINT)
    make_user("waiting@example.org", status=User.Status.SUBMITTED)
    client.force_login(expert)
    response = client.get("/en/")
    html = response.content.decode()
    assert "My reviews" in html
    assert "Arcadia" in html and "Governmental expert" in html
    assert "Borduria" not in html
    for text in SECRETARIAT_ONLY:
        assert text not in html
    assert 'href="/en/admin/"' not in html


def test_an_official_does_not_see_nominations_that_have_ended(
    client, make_review, make_user, nominate
):
    observer = make_user("observer@example.org")
    current = nominate(observer, make_review("AAA", "Arcadia"), OBSERVER)
    ended = nominate(observer, make_review("BBB", "Borduria"), OBSERVER)
    ended.ends_on = datetime.date(2024, 3, 1)
    ended.save()
    client.force_login(observer)
    response = client.get("/en/")
    assert list(response.context["nominations"]) == [current]
    assert "Borduria" not in response.content.decode()


def test_a_focal_point_sees_the_state_they_act_for_when_it_is_a_reviewer(
    client, make_review, make_user, nominate
):
    review = make_review("AAA", "Arcadia")
    reviewer = make_review("BBB", "Borduria").state
    focal = make_user("focal@example.org")
    nominate(focal, review, FOCAL_POINT, state=reviewer)
    client.force_login(focal)
    html = page(client)
    assert "Arcadia" in html and "Borduria" in html and "Focal point" in html


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (User.Status.ACTIVATED, "Complete your profile"),
        (User.Status.SUBMITTED, "Your profile is with the secretariat"),
        (User.Status.CLARIFICATION, "The secretariat asks you to clarify your profile"),
    ],
)
def test_an_official_whose_account_is_not_active_is_told_what_comes_next(
    client, make_user, status, expected
):
    official = make_user(
        "new@example.org", status=status, clarification_request="Please give your ministry."
    )
    client.force_login(official)
    html = page(client)
    assert expected in html
    assert ("Please give your ministry." in html) == (status == User.Status.CLARIFICATION)


def test_an_active_official_is_told_nothing_about_their_account(client, make_user):
    client.force_login(make_user("active@example.org"))
    html = page(client)
    assert "Your account" not in html
    assert "You hold no current nomination" in html


def test_a_secretariat_account_not_yet_approved_does_not_see_the_summary(client, make_user):
    pending = make_user("new-staff@example.org", status=User.Status.SUBMITTED, is_secretariat=True)
    client.force_login(pending)
    html = page(client)
    assert "Secretariat overview" not in html
    assert "Your profile is with the secretariat" in html


def _queries_for_home(client, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/").status_code == 200
    return len(queries)


def test_the_secretariat_home_runs_as_many_queries_for_30_reviews_as_for_3(
    client, secretariat, make_review, make_user, nominate, django_assert_max_num_queries
):
    client.force_login(secretariat)

    def add_reviews(start: int, count: int):
        for number in range(start, start + count):
            review = make_review(f"S{number:02d}", group=1 + number % 2)
            if number % 3 == 0:
                nominate(make_user(f"fp{number}@example.org"), review, FOCAL_POINT)

    add_reviews(0, 3)
    with django_assert_max_num_queries(10):
        few = _queries_for_home(client, secretariat)
    add_reviews(3, 27)
    with django_assert_max_num_queries(10):
        many = _queries_for_home(client, secretariat)
    assert few == many


def test_an_officials_home_runs_as_many_queries_for_10_nominations_as_for_1(
    client, make_review, make_user, nominate
):
    expert = make_user("expert@example.org")
    client.force_login(expert)
    nominate(expert, make_review("S00"), EXPERT)
    few = _queries_for_home(client, expert)
    for number in range(1, 10):
        nominate(expert, make_review(f"S{number:02d}"), EXPERT)
    assert _queries_for_home(client, expert) == few
