"""A small world for the drawing of lots: a mechanism with its own convention and two protocols
(so the shipped reference data, when another test loaded it, never joins the candidates), three
regional groups of five or six States, and the reviews of group 1."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from factories import (
    CountryReviewFactory,
    MechanismFactory,
    RegionalGroupFactory,
    ReviewGroupFactory,
    SecretariatFactory,
    StateFactory,
    UserFactory,
)
from revmod.mechanisms.models import (
    Cluster,
    DrawRules,
    Mechanism,
    MechanismInstrument,
    PhaseDefinition,
    ReviewGroup,
)
from revmod.parties.models import Instrument, PartyStatus, State
from revmod.people.models import User
from revmod.reviews.models import CountryReview

CONVENTION, PROTOCOL_A, PROTOCOL_B = "TCONV", "TPROT-A", "TPROT-B"
DRAWN_ON = datetime.date(2023, 3, 1)

# Who is party to what: every State to the convention; the protocols unevenly, so that some
# same-group reviewers need an additional draw.
PARTIES = {
    "AFR": {
        "Angola": [PROTOCOL_A, PROTOCOL_B],
        "Benin": [],
        "Chad": [PROTOCOL_A],
        "Kenya": [PROTOCOL_A, PROTOCOL_B],
        "Mali": [PROTOCOL_A],
    },
    # No WEOG State but Austria is party to both protocols.
    "WEOG": {
        "Austria": [PROTOCOL_A, PROTOCOL_B],
        "Belgium": [PROTOCOL_A],
        "Canada": [],
        "Denmark": [PROTOCOL_B],
        "France": [PROTOCOL_A],
        "Greece": [PROTOCOL_B],
    },
    "GRULAC": {
        "Brazil": [PROTOCOL_A],
        "Chile": [PROTOCOL_A, PROTOCOL_B],
        "Cuba": [],
        "Peru": [PROTOCOL_B],
        "Uruguay": [PROTOCOL_A, PROTOCOL_B],
    },
}
UNDER_REVIEW = ["Angola", "Austria", "Chile", "Benin", "Belgium"]


def moment(day: datetime.date = DRAWN_ON, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass
class World:
    mechanism: Mechanism
    group: ReviewGroup
    other_group: ReviewGroup
    states: dict[str, State]
    reviews: dict[str, CountryReview]
    secretariat: User
    official: User

    @property
    def rules(self) -> DrawRules:
        return self.mechanism.draw_rules


def make_world() -> World:
    convention = Instrument.objects.create(code=CONVENTION, name="Convention", short_name="Conv")
    protocols = [
        Instrument.objects.create(code=code, name=code, short_name=code, parent=convention)
        for code in (PROTOCOL_A, PROTOCOL_B)
    ]
    mechanism = MechanismFactory(code="test-draws", short_name="Test mechanism")
    for order, instrument in enumerate([convention, *protocols], start=1):
        MechanismInstrument.objects.create(mechanism=mechanism, instrument=instrument, order=order)
    DrawRules.objects.create(
        mechanism=mechanism,
        same_group_reviewers=1,
        other_group_reviewers=1,
        forbid_mutual_pairs=True,
        max_reviews_per_state=None,
        max_redraws=2,
    )
    cluster = Cluster.objects.create(mechanism=mechanism, number=1, name="Cluster 1")
    PhaseDefinition.objects.create(mechanism=mechanism, number=1, cluster=cluster)
    group = ReviewGroupFactory(mechanism=mechanism, number=1)
    other_group = ReviewGroupFactory(mechanism=mechanism, number=2)
    states: dict[str, State] = {}
    for region, members in PARTIES.items():
        regional_group = RegionalGroupFactory(name=region)
        for name, held in members.items():
            state = StateFactory(name=name, name_fr=f"{name} (fr)", regional_group=regional_group)
            states[name] = state
            for code in [CONVENTION, *held]:
                PartyStatus.objects.create(
                    state=state,
                    instrument_id=code,
                    became_party_on=datetime.date(2005, 1, 1),
                    action=PartyStatus.Action.RATIFICATION,
                )
    reviews = {
        name: CountryReviewFactory(mechanism=mechanism, group=group, state=states[name])
        for name in UNDER_REVIEW
    }
    return World(
        mechanism=mechanism,
        group=group,
        other_group=other_group,
        states=states,
        reviews=reviews,
        secretariat=SecretariatFactory(),
        official=UserFactory(state=states["Benin"]),
    )


@pytest.fixture
def world(db) -> World:
    return make_world()
