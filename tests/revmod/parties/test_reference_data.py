"""Properties of the shipped reference data that other apps rely on."""

import datetime

import pytest
from django.conf import settings
from modeltranslation.utils import build_localized_fieldname

from revmod.parties.models import Instrument, Language, PartyStatus, RegionalGroup, State

pytestmark = pytest.mark.django_db


def test_the_european_union_is_an_organization_in_no_regional_group(reference_data):
    eu = State.objects.get(code="EUU")

    assert eu.kind == State.Kind.ORGANIZATION
    assert eu.regional_group is None
    assert PartyStatus.objects.filter(state=eu, instrument_id="UNTOC").exists()


def test_every_state_has_a_name_in_each_of_the_six_languages(reference_data):
    fields = [build_localized_fieldname("name", c) for c in settings.MODELTRANSLATION_LANGUAGES]

    assert len(fields) == 6
    for state in State.objects.all():
        missing = [field for field in fields if not getattr(state, field)]
        assert not missing, f"{state.code} has no {', '.join(missing)}"


def test_every_party_to_a_protocol_was_party_to_the_convention_on_that_date(reference_data):
    for status in PartyStatus.objects.filter(instrument__parent__isnull=False):
        parent = status.instrument.parent
        assert (
            State.objects.parties_to(parent.code, on=status.became_party_on)
            .filter(code=status.state_id)
            .exists()
        ), f"{status.state_id} is party to {status.instrument_id} before {parent.code}"


def test_the_six_un_languages_are_shipped_and_only_arabic_is_right_to_left(reference_data):
    languages = {language.code: language for language in Language.objects.all()}

    assert set(languages) == {"ar", "zh-hans", "en", "fr", "ru", "es"}
    assert [c for c, language in languages.items() if language.right_to_left] == ["ar"]


def test_the_protocols_name_the_convention_as_parent_and_uncac_stands_alone(reference_data):
    parents = dict(Instrument.objects.values_list("code", "parent_id"))

    assert parents == {"UNTOC": None, "TIP": "UNTOC", "SOM": "UNTOC", "FIR": "UNTOC", "UNCAC": None}


def test_the_regional_groups_follow_un_electoral_practice(reference_data):
    def group(code):
        return State.objects.get(code=code).regional_group_id

    assert set(RegionalGroup.objects.values_list("code", flat=True)) == {
        "AFR",
        "APG",
        "EEG",
        "GRULAC",
        "WEOG",
    }
    assert (group("USA"), group("ISR"), group("TUR"), group("KIR")) == (
        "WEOG",
        "WEOG",
        "WEOG",
        "APG",
    )


def test_parties_to_leaves_out_a_state_before_its_deposit_date(reference_data):
    palau = State.objects.get(code="PLW")

    assert palau not in State.objects.parties_to("UNTOC", on=datetime.date(2018, 10, 19))
    assert palau in State.objects.parties_to("UNTOC", on=datetime.date(2021, 11, 1))
