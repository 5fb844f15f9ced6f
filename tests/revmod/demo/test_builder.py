"""The demo data set is built through the domain functions, so building it exercises them."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from revmod.core.models import AuditEvent
from revmod.demo.builder import DEMO_ACCOUNTS, DEMO_PASSPHRASE, build_demo
from revmod.people.models import Nomination, User
from revmod.reviews.models import CountryReview

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def demo():
    return build_demo()


def test_the_demo_has_the_three_groups_with_62_63_and_64_reviews(demo):
    assert demo.reviews_per_group == {1: 62, 2: 63, 3: 64}
    counts = {
        number: CountryReview.objects.filter(mechanism__code="untoc", group__number=number).count()
        for number in (1, 2, 3)
    }
    assert counts == {1: 62, 2: 63, 3: 64}


def test_every_state_under_review_has_exactly_one_current_focal_point(demo):
    reviews = CountryReview.objects.filter(mechanism__code="untoc")
    for review in reviews:
        current = Nomination.objects.current().filter(
            review=review, state=review.state, role=Nomination.Role.FOCAL_POINT
        )
        assert current.count() == 1, review


def test_the_demo_contains_replaced_focal_points_with_their_history(demo):
    replaced = Nomination.objects.filter(
        role=Nomination.Role.FOCAL_POINT, replaced_by__isnull=False
    )
    assert replaced.count() == demo.replaced_focal_points > 0
    for old in replaced:
        assert old.ends_on == old.replaced_by.starts_on


def test_each_demo_account_signs_in_with_the_printed_passphrase(demo):
    for account in DEMO_ACCOUNTS:
        user = authenticate(email=account.email, password=DEMO_PASSPHRASE)
        assert user is not None and user.status == User.Status.ACTIVE, account.email
        assert user.preferred_language == account.language


def test_the_demo_officials_hold_their_roles_in_the_review_of_morocco(demo):
    for account in DEMO_ACCOUNTS[1:]:
        nomination = Nomination.objects.current().get(person__email=account.email)
        assert (nomination.role, nomination.review.state.code) == (account.role, "MAR")


def test_the_demo_writes_an_audit_event_for_every_review_and_nomination(demo):
    assert AuditEvent.objects.filter(action="review.created").count() == 189
    assert AuditEvent.objects.filter(action="people.nominated").count() == (
        Nomination.objects.filter(replaces__isnull=True).count()
    )


def test_setup_demo_if_empty_builds_once_and_then_only_prints_the_accounts(capsys):
    call_command("setup_demo", "--if-empty")
    first = capsys.readouterr().out
    call_command("setup_demo", "--if-empty")
    second = capsys.readouterr().out
    assert "Reviews per group: group 1: 62, group 2: 63, group 3: 64" in first
    assert "Reviews per group" not in second and DEMO_ACCOUNTS[0].email in second
    assert CountryReview.objects.filter(mechanism__code="untoc").count() == 189
