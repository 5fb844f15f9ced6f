"""The derived status of a review, its current phase, and who sees which phases and steps."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from factories import CountryReviewFactory, NominationFactory, UserFactory
from revmod.reviews import services
from revmod.reviews.models import CountryReview, ReviewPhase, ReviewStep

from .helpers import make_cast, step

pytestmark = pytest.mark.django_db

Progress = CountryReview.Progress


def test_a_review_is_not_started_before_launch_progressing_after_and_completed_at_the_end(untoc):
    cast = make_cast(untoc)
    assert cast.review.progress == Progress.NOT_STARTED
    assert cast.review.current_phase is None

    phase = services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)

    assert cast.review.progress == Progress.PROGRESSING
    assert cast.review.current_phase == phase
    for code in ("nominations", "preliminary_consultations", "dialogue", "summary"):
        if step(cast.review, code).status == ReviewStep.Status.PENDING:
            services.open_step(actor=cast.secretariat, step=step(cast.review, code))
        services.complete_step(actor=cast.secretariat, step=step(cast.review, code))
    for code in ("self_assessment", "written_feedback", "list_of_observations"):
        focal_point = cast.focal_point if code == "self_assessment" else cast.reviewer_focal_point
        services.clear_and_submit(actor=focal_point, step=step(cast.review, code))

    assert cast.review.progress == Progress.COMPLETED


def test_the_progress_of_many_reviews_is_counted_in_one_query(untoc, django_assert_num_queries):
    casts = [make_cast(untoc) for _ in range(2)]
    untouched = CountryReviewFactory(group=casts[0].review.group)
    for cast in casts:
        services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    services.close_review(actor=casts[1].secretariat, review=casts[1].review, reason="Withdrew.")

    with django_assert_num_queries(1):
        progress = {
            review.pk: (review.progress, review.current_phase_number)
            for review in CountryReview.objects.with_progress()
        }

    assert progress == {
        casts[0].review.pk: (Progress.PROGRESSING, 1),
        casts[1].review.pk: (Progress.CLOSED, 1),
        untouched.pk: (Progress.NOT_STARTED, None),
    }


def test_officials_see_the_phases_and_steps_of_the_reviews_they_are_nominated_in_only(untoc):
    cast = make_cast(untoc)
    other = make_cast(untoc)
    for each in (cast, other):
        services.launch_phase(actor=each.secretariat, review=each.review, phase_number=1)
    former = UserFactory()
    NominationFactory(
        person=former,
        review=cast.review,
        starts_on=datetime.date(2020, 11, 1),
        ends_on=datetime.date(2021, 1, 1),
    )

    own_steps = set(ReviewStep.objects.filter(phase__review=cast.review))
    assert set(ReviewStep.objects.visible_to(cast.reviewer_expert)) == own_steps
    assert set(ReviewPhase.objects.visible_to(cast.observer)) == {cast.review.current_phase}
    assert ReviewStep.objects.visible_to(cast.secretariat).count() == 2 * len(own_steps)
    for nobody in (cast.outsider, former, AnonymousUser()):
        assert not ReviewStep.objects.visible_to(nobody).exists()
        assert not ReviewPhase.objects.visible_to(nobody).exists()
