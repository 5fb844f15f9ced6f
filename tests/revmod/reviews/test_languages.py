"""The languages of a review: its working languages against those its participants work in."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factories import (
    CountryReviewFactory,
    LanguageFactory,
    NominationFactory,
    SecretariatFactory,
    StateFactory,
    UserFactory,
)
from revmod.people.models import Nomination
from revmod.reviews.languages import Match, languages_overview, review_languages

pytestmark = pytest.mark.django_db

Role = Nomination.Role


@pytest.fixture
def languages(db):
    return {
        code: LanguageFactory(code=code, name=name, order=order)
        for order, (code, name) in enumerate(
            [("ar", "Arabic"), ("en", "English"), ("fr", "French"), ("es", "Spanish")]
        )
    }


def participant(review, state, role, *codes, ends_on=None):
    person = UserFactory(state=state)
    person.languages.set(codes)
    NominationFactory(person=person, review=review, role=role, ends_on=ends_on)
    return person


@pytest.fixture
def review(languages):
    review = CountryReviewFactory(state=StateFactory(name="Morocco"))
    review.working_languages.set([languages["fr"], languages["ar"]])
    return review


def test_a_review_whose_reviewer_speaks_none_of_its_working_languages_is_flagged(review):
    participant(review, review.state, Role.FOCAL_POINT, "fr", "ar")
    reviewer = StateFactory(name="Peru")
    participant(review, reviewer, Role.FOCAL_POINT, "es")
    participant(review, reviewer, Role.EXPERT, "es", "en")

    entry = review_languages(review)

    assert entry.flagged
    morocco, peru = entry.states
    assert (morocco.state.name, morocco.match, morocco.flagged) == ("Morocco", Match.SHARED, False)
    assert (peru.match, peru.participants) == (Match.NONE_SHARED, 2)
    # What Peru's participants speak, most speakers first.
    assert [(s.language.code, s.speakers) for s in peru.languages] == [("es", 2), ("en", 1)]
    assert [s.is_working_language for s in morocco.languages] == [True, True]


def test_one_participant_with_a_working_language_is_enough_for_the_state(review):
    participant(review, review.state, Role.FOCAL_POINT, "fr")
    reviewer = StateFactory(name="Peru")
    participant(review, reviewer, Role.FOCAL_POINT, "es")
    participant(review, reviewer, Role.EXPERT, "fr")

    entry = review_languages(review)

    assert not entry.flagged
    assert [state.match for state in entry.states] == [Match.SHARED, Match.SHARED]


def test_observers_and_former_participants_do_not_count_as_speakers(review):
    reviewer = StateFactory(name="Peru")
    participant(review, reviewer, Role.FOCAL_POINT, "es")
    participant(review, reviewer, Role.OBSERVER, "fr")
    participant(review, reviewer, Role.EXPERT, "fr", ends_on=datetime.date(2022, 5, 1))

    (_morocco, peru) = review_languages(review).states

    assert peru.match == Match.NONE_SHARED
    assert [s.language.code for s in peru.languages] == ["es"]


def test_unknown_languages_and_missing_participants_are_shown_but_not_flagged(review):
    participant(review, review.state, Role.FOCAL_POINT)  # no language in the profile

    entry = review_languages(review)
    no_participants = review_languages(CountryReviewFactory())

    assert entry.states[0].match == Match.UNKNOWN
    assert not entry.flagged
    assert no_participants.states[0].match == Match.NO_PARTICIPANTS
    assert not no_participants.flagged


def test_a_review_without_working_language_is_not_flagged_but_says_so(languages):
    review = CountryReviewFactory()
    participant(review, review.state, Role.FOCAL_POINT, "en")

    entry = review_languages(review)

    assert entry.working_languages == []
    assert entry.states[0].match == Match.NO_WORKING_LANGUAGE
    assert not entry.flagged


def test_the_overview_lists_the_flagged_reviews_first(languages):
    reviews = []
    for name in ["Angola", "Benin", "Chad"]:
        review = CountryReviewFactory(state=StateFactory(name=name))
        review.working_languages.set([languages["fr"]])
        reviews.append(review)
    participant(reviews[0], reviews[0].state, Role.FOCAL_POINT, "fr")
    participant(reviews[1], reviews[1].state, Role.FOCAL_POINT, "fr")
    participant(reviews[2], reviews[2].state, Role.FOCAL_POINT, "en")

    entries = languages_overview()

    assert [entry.review.state.name for entry in entries] == ["Chad", "Angola", "Benin"]
    assert [entry.flagged for entry in entries] == [True, False, False]


def _reviews(languages, count: int) -> None:
    for _ in range(count):
        review = CountryReviewFactory()
        review.working_languages.set([languages["fr"], languages["en"]])
        participant(review, review.state, Role.FOCAL_POINT, "fr", "ar")
        participant(review, StateFactory(), Role.EXPERT, "es")


def test_the_languages_of_thirty_reviews_cost_the_queries_of_three(languages):
    _reviews(languages, 3)
    with CaptureQueriesContext(connection) as three:
        assert len(languages_overview()) == 3
    _reviews(languages, 27)
    with CaptureQueriesContext(connection) as thirty:
        assert len(languages_overview()) == 30

    assert len(thirty) == len(three)


def test_the_languages_page_shows_what_each_states_participants_speak(review):
    reviewer = StateFactory(name="Peru")
    participant(review, reviewer, Role.FOCAL_POINT, "es")
    client = Client()
    client.force_login(SecretariatFactory())

    response = client.get(reverse("reviews_health:languages"), {"flagged_only": "on"})

    assert response.status_code == 200
    assert response.context["flagged"] == 1
    assert [entry.review for entry in response.context["entries"]] == [review]
    html = response.content.decode()
    assert "Spanish (1 person)" in html and "Shares no working language" in html


def test_an_official_is_refused_the_languages_page(review):
    client = Client()
    client.force_login(UserFactory())

    assert client.get(reverse("reviews_health:languages")).status_code == 403
