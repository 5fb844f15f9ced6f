"""Reviews spread across the steps, built through the domain functions, for the tests of the
review pages."""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from factories import (
    CountryReviewFactory,
    LanguageFactory,
    NominationFactory,
    RegionalGroupFactory,
    SecretariatFactory,
    StateFactory,
    UserFactory,
)
from revmod.mechanisms.models import Mechanism
from revmod.parties.models import RegionalGroup
from revmod.people.models import Nomination, User
from revmod.reviews import services
from revmod.reviews.models import CountryReview

from .helpers import moment, step

D = datetime.date
# The day the tests of the list look from: group 1 started on 1 November 2020, group 2 on
# 1 November 2021.
TODAY = D(2021, 12, 1)


@contextmanager
def today_is(day: datetime.date):
    """Freeze the clock of the pages (and of anything they write) at noon on `day`."""
    frozen = moment(day, hour=12)
    with mock.patch("django.utils.timezone.now", return_value=frozen):
        yield


def build_review(
    mechanism: Mechanism,
    name: str,
    *,
    group: int = 1,
    region: RegionalGroup | None = None,
    focal_point: bool = True,
    experts: bool = True,
    languages=(),
    focal_point_language: str = "en",
) -> CountryReview:
    """A review of a new State called `name`, with a focal point and an expert of that State
    unless told otherwise; the phase is not launched."""
    review_group = mechanism.groups.get(number=group)
    review = CountryReviewFactory(
        group=review_group,
        state=StateFactory(name=name, regional_group=region or RegionalGroupFactory()),
        created_at=moment(review_group.starts_on - datetime.timedelta(days=30)),
    )
    if languages:
        review.working_languages.set([LanguageFactory(code=code) for code in languages])
    if focal_point:
        nominate(review, Nomination.Role.FOCAL_POINT, preferred_language=focal_point_language)
    if experts:
        nominate(review, Nomination.Role.EXPERT)
    return review


def nominate(review: CountryReview, role: str, state=None, **person) -> User:
    state = state or review.state
    official = UserFactory(state=state, **person)
    NominationFactory(
        person=official, state=state, review=review, role=role, starts_on=review.group.starts_on
    )
    return official


def launch(review: CountryReview, secretariat: User, on: datetime.date | None = None) -> None:
    services.launch_phase(
        actor=secretariat,
        review=review,
        phase_number=1,
        at=moment(on or review.group.starts_on),
    )


def reach_self_assessment(review: CountryReview, secretariat: User, on: datetime.date) -> None:
    """Launch, complete the nominations and skip the consultations on `on`."""
    launch(review, secretariat)
    services.complete_step(actor=secretariat, step=step(review, "nominations"), at=moment(on))
    services.skip_step(
        actor=secretariat,
        step=step(review, "preliminary_consultations"),
        reason="Timeline agreed by email.",
        at=moment(on, hour=11),
    )


@dataclass
class World:
    """Reviews in different places, seen on TODAY (1 December 2021):

    - Albania (group 1, Africa): not started, no focal point;
    - Brazil (group 1, Latin America): nominations open, due 15 November 2020 (381 days late);
    - Chile (group 1, Latin America): questionnaire open, due 1 May 2021 (214 days late), no
      governmental expert, works in Spanish;
    - Denmark (group 2, Western Europe): nominations open, due 15 November 2021 (16 days late),
      works in English and French;
    - Egypt (group 1, Africa): closed.
    """

    secretariat: User
    africa: RegionalGroup
    latin_america: RegionalGroup
    western_europe: RegionalGroup
    albania: CountryReview
    brazil: CountryReview
    chile: CountryReview
    denmark: CountryReview
    egypt: CountryReview


def build_world(mechanism: Mechanism) -> World:
    secretariat = SecretariatFactory()
    africa = RegionalGroupFactory(name="African States")
    latin_america = RegionalGroupFactory(name="Latin American and Caribbean States")
    western_europe = RegionalGroupFactory(name="Western European and other States")
    albania = build_review(mechanism, "Albania", region=africa, focal_point=False)
    brazil = build_review(mechanism, "Brazil", region=latin_america)
    chile = build_review(mechanism, "Chile", region=latin_america, experts=False, languages=["es"])
    denmark = build_review(
        mechanism, "Denmark", group=2, region=western_europe, languages=["en", "fr"]
    )
    egypt = build_review(mechanism, "Egypt", region=africa)
    launch(brazil, secretariat)
    reach_self_assessment(chile, secretariat, D(2020, 11, 10))
    launch(denmark, secretariat)
    launch(egypt, secretariat)
    services.close_review(
        actor=secretariat, review=egypt, reason="The State withdrew.", at=moment(D(2021, 1, 5))
    )
    return World(
        secretariat=secretariat,
        africa=africa,
        latin_america=latin_america,
        western_europe=western_europe,
        albania=albania,
        brazil=brazil,
        chile=chile,
        denmark=denmark,
        egypt=egypt,
    )


def names(response) -> list[str]:
    """The States under review of the list's rows, in the order shown."""
    return [row.review.state.name for row in response.context["rows"]]
