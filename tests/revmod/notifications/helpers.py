"""Bringing a review of the cast to its self-assessment step, the first step its State drafts."""

from reviews.helpers import Cast, moment, step

from revmod.reviews import services as reviews
from revmod.reviews.models import DueDate, ReviewStep


def open_self_assessment(cast: Cast) -> DueDate:
    """Launch phase 1, finish the steps before the questionnaire and return its due date."""
    start = cast.review.group.starts_on
    at = moment(start)
    reviews.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1, at=at)
    reviews.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"), at=at)
    reviews.skip_step(
        actor=cast.secretariat,
        step=step(cast.review, "preliminary_consultations"),
        reason="Agreed by email.",
        at=at,
    )
    questionnaire = step(cast.review, "self_assessment")
    assert questionnaire.status == ReviewStep.Status.OPEN
    return DueDate.objects.select_related("step").get(step=questionnaire)
