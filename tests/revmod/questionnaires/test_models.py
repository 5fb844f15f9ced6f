from django.contrib.auth.models import AnonymousUser

from revmod.questionnaires import services
from revmod.questionnaires.models import Answer, Response, ResponseVersion


def _save(cast, response):
    services.save_answers(
        actor=cast.expert, response=response, answers={"art8_foreign": ("no", 0)}, language="fr"
    )


def test_a_draft_is_visible_only_to_the_state_under_review_and_the_secretariat(cast, response):
    _save(cast, response)
    readers = [cast.secretariat, cast.focal_point, cast.expert, cast.observer]
    for person in readers:
        assert list(Response.objects.visible_to(person)) == [response], person
        assert Answer.objects.visible_to(person).count() == 1, person
    for person in [cast.reviewer_focal_point, cast.reviewer_expert, cast.outsider, AnonymousUser()]:
        assert not Response.objects.visible_to(person).exists(), person
        assert not Answer.objects.visible_to(person).exists(), person


def test_a_submitted_response_is_visible_to_every_state_of_the_review_and_nobody_else(
    cast, response
):
    _save(cast, response)
    services.submit_response(actor=cast.focal_point, response=response)
    for person in [
        cast.reviewer_focal_point,
        cast.reviewer_expert,
        cast.second_reviewer_focal_point,
    ]:
        assert list(Response.objects.visible_to(person)) == [response], person
        assert ResponseVersion.objects.visible_to(person).count() == 1, person
    for person in [cast.outsider, AnonymousUser()]:
        assert not Response.objects.visible_to(person).exists()
        assert not ResponseVersion.objects.visible_to(person).exists()
