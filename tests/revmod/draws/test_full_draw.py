"""A full draw on the shipped reference data: every party to UNTOC, all four instruments."""

import datetime
from collections import Counter

import pytest

from factories import SecretariatFactory
from revmod.draws import services
from revmod.draws.models import Assignment
from revmod.mechanisms.definitions import DEFINITIONS_DIR
from revmod.mechanisms.models import Mechanism
from revmod.mechanisms.services import load_mechanism
from revmod.parties.models import PartyStatus, RegionalGroup, State
from revmod.parties.services import load_reference_data
from revmod.reviews.models import CountryReview

from .conftest import moment

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 1, 10)


def test_a_full_draw_for_every_untoc_party_and_instrument_meets_every_rule():
    # How long this takes is measured by `make bench`, not here.
    load_reference_data()
    load_mechanism(DEFINITIONS_DIR / "untoc.yaml")
    untoc = Mechanism.objects.get(code="untoc")
    # The parties in no regional group (the EU, the Holy See, …) need a group for the draw; the
    # secretariat sets it, here the Western European and Others Group (assumed).
    State.objects.filter(regional_group__isnull=True).update(
        draw_group=RegionalGroup.objects.get(code="WEOG")
    )
    parties = State.objects.parties_to("UNTOC", on=DAY).order_by("code")
    groups = list(untoc.groups.order_by("number"))
    for index, state in enumerate(parties):
        CountryReview.objects.create(mechanism=untoc, group=groups[index % 3], state=state)
    secretariat = SecretariatFactory()

    for group in groups:
        draw = services.preview_draw(
            actor=secretariat,
            mechanism=untoc,
            group=group,
            phase_number=1,
            seed=2023,
            at=moment(DAY),
        )
        services.confirm_draw(actor=secretariat, draw=draw, at=moment(DAY))

    assert parties.count() >= 189
    held: dict[str, set[str]] = {}
    for state_id, instrument in PartyStatus.objects.on(DAY).values_list("state", "instrument"):
        held.setdefault(state_id, set()).add(instrument)
    coverage = Counter()
    for a in Assignment.objects.in_force().select_related("review"):
        assert a.reviewer_id != a.review.state_id
        assert set(a.instruments) <= held[a.reviewer_id] & held[a.review.state_id]
        for instrument in a.instruments:
            coverage[a.review.state_id, instrument, a.slot] += 1
    for state in parties:
        for instrument in held[state.pk] & {"UNTOC", "TIP", "SOM", "FIR"}:
            for slot in ("same_group", "other_group"):
                assert coverage[state.pk, instrument, slot] == 1, (state, instrument, slot)
    loads = Counter(Assignment.objects.in_force().values_list("reviewer", "review"))
    assert max(loads.values()) == 1
    cap = untoc.draw_rules.max_reviews_per_state
    per_state = Counter(r for r, _review in loads)
    assert max(per_state.values()) <= cap
