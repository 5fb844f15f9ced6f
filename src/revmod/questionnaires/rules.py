"""Who may read, write and submit a questionnaire response, and when.

As in revmod.reviews.rules, each action has a role verdict (wrong person: NotAllowed) and a status
verdict (wrong moment: DomainError); pages show the first refusal as the reason. Submitting is
the clearance of the State under review's questionnaire step, so its verdicts are those of
revmod.reviews.rules on that step.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from revmod.core.domain import ALLOWED, Verdict, denied
from revmod.mechanisms.models import StepDefinition
from revmod.people.models import Nomination
from revmod.people.rules import is_secretariat
from revmod.questionnaires.models import Response
from revmod.reviews import rules as review_rules
from revmod.reviews.models import ReviewPhase, ReviewStep

Role = Nomination.Role
WRITERS = [Role.EXPERT, Role.FOCAL_POINT]


def questionnaire_step(phase: ReviewPhase) -> ReviewStep | None:
    """The phase's step whose output the State under review drafts and its focal point clears:
    the self-assessment, found from the mechanism definition rather than by its code."""
    return (
        phase.steps.select_related("definition", "phase__review__state", "phase__definition")
        .filter(
            definition__submitted_by=StepDefinition.SubmittedBy.STATE_UNDER_REVIEW,
            definition__cleared_by_focal_point=True,
        )
        .order_by("definition__order")
        .first()
    )


def own_state_roles(user, response: Response, day: datetime.date | None = None) -> set[str]:
    """The roles `user` holds for the State under review in the response's review on `day`."""
    if not getattr(user, "is_authenticated", False):
        return set()
    nominations = Nomination.objects.active_on(day or timezone.localdate()).filter(
        person=user, review_id=response.review_id, state_id=response.review.state_id
    )
    return set(nominations.values_list("role", flat=True))


def role_to_write(user, response: Response, day: datetime.date | None = None) -> Verdict:
    if own_state_roles(user, response, day) & set(WRITERS):
        return ALLOWED
    return denied(
        _("Only the governmental experts and the focal point of %(state)s can write its responses.")
        % {"state": response.review.state}
    )


def status_to_write(response: Response, step: ReviewStep | None = None) -> Verdict:
    if response.review.closed_at is not None:
        return denied(_("This review is closed; the secretariat can reopen it."))
    step = step if step is not None else questionnaire_step(response.phase)
    if step is not None and step.is_finished:
        return denied(
            _(
                "The responses were submitted (version %(number)s) and are locked; the "
                "secretariat can reopen the self-assessment step to change them."
            )
            % {"number": response.submitted_version}
        )
    return ALLOWED


def role_to_start(user, review) -> Verdict:
    if is_secretariat(user):
        return ALLOWED
    if getattr(user, "is_authenticated", False):
        nominations = Nomination.objects.active_on(timezone.localdate()).filter(
            person=user, review=review, state_id=review.state_id, role__in=WRITERS
        )
        if nominations.exists():
            return ALLOWED
    return denied(
        _("Only the governmental experts and the focal point of %(state)s can start its responses.")
        % {"state": review.state}
    )


def can_write(user, response: Response, step: ReviewStep | None = None) -> Verdict:
    role = role_to_write(user, response)
    return role if not role else status_to_write(response, step)


def can_submit_for_clearance(user, response: Response, step: ReviewStep | None) -> Verdict:
    if step is None:
        return denied(_("This phase has no step for the State under review to submit."))
    return review_rules.can_submit_for_clearance(user, step)


def can_submit(user, response: Response, step: ReviewStep | None) -> Verdict:
    if step is None:
        return denied(_("This phase has no step for the State under review to submit."))
    return review_rules.can_clear(user, step)


def can_import_templates(user) -> Verdict:
    if is_secretariat(user):
        return ALLOWED
    return denied(_("Only the secretariat can import or export questionnaire templates."))


def reads_drafts(user, response: Response) -> bool:
    """The secretariat and the State under review's people read the working answers; the other
    people of the review read only the submitted versions."""
    return is_secretariat(user) or bool(own_state_roles(user, response))
