"""The shipped mechanism definitions, loaded as they are, and the people of one review."""

import pytest

from revmod.mechanisms.definitions import DEFINITIONS_DIR
from revmod.mechanisms.models import Mechanism
from revmod.mechanisms.services import load_mechanism
from revmod.parties.models import Instrument

from .helpers import Cast, make_cast


@pytest.fixture
def instruments(db):
    """The instrument rows the shipped definitions refer to."""
    rows = [("UNTOC", None), ("TIP", "UNTOC"), ("SOM", "UNTOC"), ("FIR", "UNTOC"), ("UNCAC", None)]
    for order, (code, parent) in enumerate(rows, start=1):
        Instrument.objects.get_or_create(
            code=code,
            defaults={"name": code, "short_name": code, "parent_id": parent, "order": order},
        )


def _load(code: str) -> Mechanism:
    load_mechanism(DEFINITIONS_DIR / f"{code}.yaml")
    return Mechanism.objects.get(code=code)


@pytest.fixture
def untoc(instruments) -> Mechanism:
    return _load("untoc")


@pytest.fixture
def uncac(instruments) -> Mechanism:
    return _load("uncac")


@pytest.fixture
def cast(untoc) -> Cast:
    return make_cast(untoc)
