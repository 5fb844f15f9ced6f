"""Factories shared by every test suite. Minimal rows that satisfy the constraints; a test sets
what it asserts on."""

import datetime
import string
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from revmod.mechanisms.models import Mechanism, ReviewGroup
from revmod.parties.models import Language, RegionalGroup, State
from revmod.people.models import Nomination, NoteVerbale, User
from revmod.reviews.models import CountryReview


def _letters(n: int) -> str:
    """XAA, XAB, … : ISO 3166-1 keeps X-codes for private use, so a generated State never takes
    the code a test chose for its own (AAA, FRA, …), whatever the sequence has reached."""
    letters = string.ascii_uppercase
    return "X" + "".join(letters[(n // 26**power) % 26] for power in (1, 0))


class LanguageFactory(DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ["code"]

    code = "en"
    name = factory.LazyAttribute(lambda o: o.code)
    native_name = factory.LazyAttribute(lambda o: o.code)


class RegionalGroupFactory(DjangoModelFactory):
    class Meta:
        model = RegionalGroup

    code = factory.Sequence(lambda n: f"RG{n}")
    name = factory.Sequence(lambda n: f"Regional group {n}")


class StateFactory(DjangoModelFactory):
    class Meta:
        model = State

    code = factory.Sequence(_letters)
    name = factory.Sequence(lambda n: f"State {n}")
    regional_group = factory.SubFactory(RegionalGroupFactory)


class MechanismFactory(DjangoModelFactory):
    class Meta:
        model = Mechanism

    code = factory.Sequence(lambda n: f"mechanism-{n}")
    name = factory.Sequence(lambda n: f"Review mechanism {n}")
    short_name = factory.Sequence(lambda n: f"RM{n}")
    phase_length_months = 24
    gate_threshold_percent = Decimal(70)
    activation_link_days = 10


class ReviewGroupFactory(DjangoModelFactory):
    class Meta:
        model = ReviewGroup

    mechanism = factory.SubFactory(MechanismFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = datetime.date(2020, 10, 1)
    foreseen_reviews = 10


class CountryReviewFactory(DjangoModelFactory):
    class Meta:
        model = CountryReview

    group = factory.SubFactory(ReviewGroupFactory)
    mechanism = factory.SelfAttribute("group.mechanism")
    state = factory.SubFactory(StateFactory)


class UserFactory(DjangoModelFactory):
    """An approved official of a State. No usable password unless given: tests sign in with
    `client.force_login`, and hashing is slow."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    state = factory.SubFactory(StateFactory)
    status = User.Status.ACTIVE
    password = factory.django.Password(None)


class SecretariatFactory(UserFactory):
    email = factory.Sequence(lambda n: f"secretariat{n}@example.org")
    state = None
    is_secretariat = True


class NoteVerbaleFactory(DjangoModelFactory):
    class Meta:
        model = NoteVerbale

    state = factory.SubFactory(StateFactory)
    reference = factory.Sequence(lambda n: f"NV/{n}")
    dated_on = datetime.date(2022, 3, 1)
    received_on = datetime.date(2022, 3, 2)


class NominationFactory(DjangoModelFactory):
    """An expert nomination; the State is the person's own. To nominate an official of a given
    State, pass `person__state=…`."""

    class Meta:
        model = Nomination

    person = factory.SubFactory(UserFactory)
    state = factory.SelfAttribute("person.state")
    review = factory.SubFactory(CountryReviewFactory)
    role = Nomination.Role.EXPERT
    starts_on = datetime.date(2022, 3, 3)


# --- Questionnaires (revmod.questionnaires) ---------------------------------------------------


class PartyStatusFactory(DjangoModelFactory):
    """A State party to an instrument since 2003 (the instrument row must exist)."""

    class Meta:
        model = "parties.PartyStatus"

    state = factory.SubFactory(StateFactory)
    instrument_id = "UNTOC"
    became_party_on = datetime.date(2003, 9, 29)
    action = "ratification"
