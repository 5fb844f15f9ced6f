"""The demo data set is built through the domain functions, so building it exercises them."""

import pytest
from django.contrib.auth import authenticate
from django.db import transaction

from revmod.core.models import AuditEvent
from revmod.demo.builder import DEMO_ACCOUNTS, DEMO_PASSPHRASE, build_demo
from revmod.draws.services import has_confirmed_draw, reviewing_states
from revmod.people.models import Nomination, User
from revmod.reviews.models import CountryReview, ReviewStep

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Built once for the module, in a transaction rolled back at its end: each test runs in a
    # savepoint inside it (`make test` keeps a file's tests on one worker).
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo()
        transaction.set_rollback(True)


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
        nomination = Nomination.objects.current().get(
            person__email=account.email, review__state="MAR"
        )
        assert (nomination.role, nomination.review.state.code) == (account.role, "MAR")


def test_the_demo_writes_an_audit_event_for_every_review_and_nomination(demo):
    assert AuditEvent.objects.filter(action="review.created").count() == 189
    assert AuditEvent.objects.filter(action="people.nominated").count() == (
        Nomination.objects.filter(replaces__isnull=True).count()
    )


def test_every_demo_review_has_its_reviewing_states_drawn_for_the_first_phase(demo):
    assert demo.draws == 3
    for review in CountryReview.objects.select_related("state"):
        assert has_confirmed_draw(review, 1), review
        reviewers = reviewing_states(review, 1)
        assert review.state not in reviewers
        assert reviewers.count() >= 2, review


def test_the_demo_reviews_are_spread_across_the_steps_like_the_october_2023_update(demo):
    per_step = demo.reviews_per_step
    assert per_step["not_started"] >= 120
    started = sum(count for step, count in per_step.items() if step != "not_started")
    assert 40 <= started <= 80
    # At least five different steps are current somewhere, and some reviews are completed.
    assert len(set(per_step) - {"not_started", "completed"}) >= 5
    assert per_step["completed"] > 0
    assert ReviewStep.objects.filter(status=ReviewStep.Status.COMPLETED).exists()


def test_the_demo_focal_point_has_the_self_assessment_of_morocco_open(demo):
    saq = ReviewStep.objects.get(phase__review__state="MAR", definition__code="self_assessment")
    assert saq.status == ReviewStep.Status.OPEN


def test_every_started_demo_review_has_a_focal_point_for_each_reviewing_state(demo):
    started = CountryReview.objects.filter(phases__launched_at__isnull=False).distinct()
    for review in started:
        for reviewer in reviewing_states(review, 1):
            assert Nomination.objects.filter(
                review=review, state=reviewer, role=Nomination.Role.FOCAL_POINT
            ).exists(), (review, reviewer)
