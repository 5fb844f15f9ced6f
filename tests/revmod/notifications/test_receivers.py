import datetime

import pytest
from reviews.helpers import assign_reviewers, make_cast, moment, step

from factories import NominationFactory, SecretariatFactory, StateFactory, UserFactory
from revmod.notifications.models import Notification
from revmod.people.models import Nomination
from revmod.reviews import services as reviews

from .helpers import open_self_assessment

pytestmark = pytest.mark.django_db


def recipients(event: str) -> set[int]:
    return set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))


def test_launching_a_phase_tells_everyone_nominated_in_the_review_but_not_the_launcher(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviews.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)

    assert recipients("phase_launched") == {
        cast.focal_point.pk,
        cast.expert.pk,
        cast.observer.pk,
        cast.reviewer_focal_point.pk,
        cast.reviewer_expert.pk,
        cast.second_reviewer_focal_point.pk,
    }
    notification = Notification.objects.filter(event="phase_launched").first()
    assert notification.params == {"state": cast.state.code, "phase": 1}
    assert notification.link_name == "reviews:review"


def test_the_questionnaire_opening_tells_only_the_state_under_review_drafters(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_self_assessment(cast)

    assert recipients("step_opened") >= {cast.focal_point.pk, cast.expert.pk}
    opened = Notification.objects.filter(
        event="step_opened", params__step=step(cast.review, "self_assessment").definition_id
    )
    assert set(opened.values_list("recipient_id", flat=True)) == {
        cast.focal_point.pk,
        cast.expert.pk,
    }


def test_submission_clearance_and_return_go_to_the_focal_point_then_the_experts_and_officer(
    cast, django_capture_on_commit_callbacks
):
    due_date = open_self_assessment(cast)
    officer = SecretariatFactory()
    reviews.assign_officer(actor=cast.secretariat, reviews=[cast.review], officer=officer)
    questionnaire = due_date.step
    with django_capture_on_commit_callbacks(execute=True):
        reviews.submit_for_clearance(actor=cast.expert, step=questionnaire)
    assert recipients("submitted_for_clearance") == {cast.focal_point.pk}

    with django_capture_on_commit_callbacks(execute=True):
        reviews.return_to_experts(actor=cast.focal_point, step=questionnaire, reason="Annex 2.")
    assert recipients("returned") == {cast.expert.pk}

    with django_capture_on_commit_callbacks(execute=True):
        reviews.submit_for_clearance(actor=cast.expert, step=questionnaire)
        reviews.clear_and_submit(actor=cast.focal_point, step=questionnaire)
    assert recipients("cleared") == {cast.expert.pk, officer.pk}


def test_a_reviewing_states_clearance_tells_that_state_only(
    cast, django_capture_on_commit_callbacks
):
    due_date = open_self_assessment(cast)
    assign_reviewers(cast.review, cast.reviewer, cast.second_reviewer)
    reviews.submit_for_clearance(actor=cast.expert, step=due_date.step)
    reviews.clear_and_submit(actor=cast.focal_point, step=due_date.step)
    feedback = step(cast.review, "written_feedback")
    with django_capture_on_commit_callbacks(execute=True):
        reviews.submit_for_clearance(actor=cast.reviewer_expert, step=feedback)
    assert recipients("submitted_for_clearance") == {cast.reviewer_focal_point.pk}


def test_an_extension_tells_the_drafters_of_the_step(cast, django_capture_on_commit_callbacks):
    due_date = open_self_assessment(cast)
    new_due_on = due_date.due_on + datetime.timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.grant_extension(
            actor=cast.secretariat, due_date=due_date, new_due_on=new_due_on, reason="Elections."
        )
    notification = Notification.objects.filter(event="extension_granted").first()
    assert recipients("extension_granted") == {cast.focal_point.pk, cast.expert.pk}
    assert notification.params["due_on"] == new_due_on.isoformat()


def test_a_notification_about_review_a_never_reaches_someone_nominated_only_in_review_b(
    cast, untoc, django_capture_on_commit_callbacks
):
    other = make_cast(untoc, group_number=2)
    # An official of the same State, nominated only in the other review.
    elsewhere = UserFactory(state=cast.state)
    NominationFactory(
        person=elsewhere,
        review=other.review,
        role=Nomination.Role.FOCAL_POINT,
        starts_on=other.review.group.starts_on,
        state=StateFactory(),
    )
    # And a former expert of review A whose nomination has ended.
    former = UserFactory(state=cast.state)
    NominationFactory(
        person=former,
        review=cast.review,
        starts_on=cast.review.group.starts_on,
        ends_on=cast.review.group.starts_on,
    )

    with django_capture_on_commit_callbacks(execute=True):
        open_self_assessment(cast)
        reviews.launch_phase(
            actor=other.secretariat,
            review=other.review,
            phase_number=1,
            at=moment(other.review.group.starts_on),
        )

    about_a = Notification.objects.filter(review=cast.review)
    assert about_a.exists()
    people_of_b = {other.focal_point.pk, other.expert.pk, other.observer.pk, elsewhere.pk}
    assert not about_a.filter(recipient_id__in=people_of_b | {former.pk, cast.outsider.pk})
    assert not Notification.objects.filter(
        review=other.review, recipient_id__in=[cast.focal_point.pk, cast.expert.pk]
    )
