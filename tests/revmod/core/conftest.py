import pytest

from factories import (
    CountryReviewFactory,
    MechanismFactory,
    NominationFactory,
    ReviewGroupFactory,
    SecretariatFactory,
    StateFactory,
    UserFactory,
)
from revmod.parties.models import Instrument, State
from revmod.people.models import User
from revmod.reviews.models import CountryReview


@pytest.fixture
def groups(db):
    mechanism = MechanismFactory(short_name="UNTOC review")
    return [
        ReviewGroupFactory(mechanism=mechanism, number=number, foreseen_reviews=60 + number)
        for number in (1, 2)
    ]


@pytest.fixture
def make_state(db):
    def make(code: str) -> State:
        return StateFactory(code=code, name=f"State {code}")

    return make


@pytest.fixture
def make_review(groups):
    def make(code: str, name: str = "", group: int = 1) -> CountryReview:
        return CountryReviewFactory(
            group=groups[group - 1], state__code=code, state__name=name or f"State {code}"
        )

    return make


@pytest.fixture
def make_user(db):
    def make(email: str, status=User.Status.ACTIVE, **fields) -> User:
        return UserFactory(email=email, status=status, **fields)

    return make


@pytest.fixture
def secretariat(db):
    return SecretariatFactory()


@pytest.fixture
def nominate(db):
    def make(person: User, review: CountryReview, role: str, state: State | None = None):
        return NominationFactory(
            person=person, review=review, state=state or review.state, role=role
        )

    return make


@pytest.fixture
def instruments(db):
    untoc = Instrument.objects.create(code="UNTOC", name="Convention", short_name="UNTOC", order=1)
    tip = Instrument.objects.create(
        code="TIP", name="Trafficking in Persons Protocol", short_name="TIP", parent=untoc, order=2
    )
    return untoc, tip
