"""The languages of a review: the working languages it records and those its participants work in.

For each State taking part, the participants are its current focal point and governmental experts
(observers only read); the languages are those their profiles record. A review is flagged when
the participants of one of its States, between them, speak none of its working languages: the
secretariat then arranges translation or asks that State for experts with such a language.
A fixed number of queries answers for any number of reviews.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from revmod.parties.models import Language, State
from revmod.people.models import Nomination
from revmod.reviews.health import states_taking_part
from revmod.reviews.models import CountryReview

WORKING_ROLES = [Nomination.Role.FOCAL_POINT, Nomination.Role.EXPERT]


class Match(models.TextChoices):
    SHARED = "shared", _("Shares a working language")
    NONE_SHARED = "none_shared", _("Shares no working language")
    UNKNOWN = "unknown", _("No language recorded by its participants")
    NO_PARTICIPANTS = "no_participants", _("No focal point or expert nominated")
    NO_WORKING_LANGUAGE = "no_working_language", _("The review records no working language")


@dataclass(frozen=True)
class SpokenLanguage:
    language: Language
    speakers: int
    is_working_language: bool


@dataclass(frozen=True)
class StateLanguages:
    state: State
    under_review: bool
    participants: int
    languages: list[SpokenLanguage]  # most speakers first
    match: str

    @property
    def flagged(self) -> bool:
        return self.match == Match.NONE_SHARED

    @property
    def match_label(self) -> str:
        return str(Match(self.match).label)


@dataclass(frozen=True)
class ReviewLanguages:
    review: CountryReview
    working_languages: list[Language]
    states: list[StateLanguages]

    @property
    def flagged(self) -> bool:
        return any(state.flagged for state in self.states)


def _match(working: set[str], participants: int, spoken: set[str]) -> str:
    if not participants:
        return Match.NO_PARTICIPANTS
    if not spoken:
        return Match.UNKNOWN
    if not working:
        return Match.NO_WORKING_LANGUAGE
    return Match.SHARED if working & spoken else Match.NONE_SHARED


def _languages(reviews) -> list[ReviewLanguages]:
    rows = list(
        reviews.select_related("state__regional_group", "mechanism", "group").prefetch_related(
            Prefetch("working_languages", queryset=Language.objects.all())
        )
    )
    ids = [review.pk for review in rows]
    people: dict[tuple[int, str], set[int]] = defaultdict(set)
    speakers: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    spoken_rows = (
        Nomination.objects.current()
        .filter(review_id__in=ids, role__in=WORKING_ROLES)
        .values_list("review_id", "state_id", "person_id", "person__languages")
        .distinct()
    )
    for review_id, state_id, person_id, language_code in spoken_rows:
        people[review_id, state_id].add(person_id)
        if language_code:
            speakers[review_id, state_id][language_code] += 1
    languages = Language.objects.in_bulk()
    taking_part = states_taking_part(rows)

    result = []
    for review in rows:
        working = list(review.working_languages.all())
        working_codes = {language.code for language in working}
        states = []
        for state in taking_part[review.pk]:
            key = (review.pk, state.pk)
            counted = speakers[key]
            order = sorted(counted, key=lambda code: (-counted[code], languages[code].order, code))
            states.append(
                StateLanguages(
                    state=state,
                    under_review=state.pk == review.state_id,
                    participants=len(people[key]),
                    languages=[
                        SpokenLanguage(languages[code], counted[code], code in working_codes)
                        for code in order
                    ],
                    match=_match(working_codes, len(people[key]), set(counted)),
                )
            )
        result.append(ReviewLanguages(review=review, working_languages=working, states=states))
    return result


def languages_overview(reviews=None) -> list[ReviewLanguages]:
    """The languages of each open review of `reviews` (default: all), flagged reviews first."""
    queryset = CountryReview.objects.all() if reviews is None else reviews
    entries = _languages(queryset.filter(closed_at__isnull=True))
    # Python's sort is stable: the reviews keep their order within each half.
    return sorted(entries, key=lambda entry: not entry.flagged)


def review_languages(review: CountryReview) -> ReviewLanguages:
    """The languages panel of one review page."""
    return _languages(CountryReview.objects.filter(pk=review.pk))[0]


def flagged_only(entries: Iterable[ReviewLanguages]) -> list[ReviewLanguages]:
    return [entry for entry in entries if entry.flagged]
