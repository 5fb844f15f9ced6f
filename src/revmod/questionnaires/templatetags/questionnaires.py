"""The link from a review's page to the questionnaire responses its reader may open."""

from django import template

from revmod.questionnaires.models import Response
from revmod.questionnaires.rules import role_to_start

register = template.Library()


@register.simple_tag
def questionnaire_links(user, review) -> list[dict]:
    """One entry per launched phase whose response `user` may read (or, as one of the State
    under review's writers, start): the phase number and its label."""
    visible = set(
        Response.objects.visible_to(user)
        .filter(review=review)
        .values_list("phase__definition__number", flat=True)
    )
    may_start = bool(role_to_start(user, review))
    links = []
    for phase in review.phases.filter(launched_at__isnull=False).select_related("definition"):
        number = phase.definition.number
        if number in visible or (may_start and not Response.objects.filter(phase=phase).exists()):
            links.append({"number": number, "phase": phase})
    return links
