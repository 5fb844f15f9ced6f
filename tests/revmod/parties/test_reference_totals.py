"""The shipped party statuses reproduce the totals the secretariat published.

On 19 October 2018 (close of the ninth session of the Conference of the Parties, UNODC press
release) the Convention had 189 parties, the Trafficking in Persons Protocol 173, the Smuggling of
Migrants Protocol 146 and the Firearms Protocol 115; the Convention had 190 parties on 1 November
2021. The protocol totals are not yet reached by the shipped data: the tests are strict xfails, so
they turn into failures (and the marker must go) as soon as the data is completed. The gaps are
listed at the top of parties/data/party_status.csv.
"""

import datetime

import pytest

from revmod.parties.models import PartyStatus

pytestmark = pytest.mark.django_db

COP9_CLOSING = datetime.date(2018, 10, 19)
GROUP_2_START = datetime.date(2021, 11, 1)


def parties(instrument: str, day: datetime.date) -> int:
    return PartyStatus.objects.on(day).filter(instrument_id=instrument).count()


def test_the_convention_had_189_parties_at_the_close_of_the_ninth_conference(reference_data):
    assert parties("UNTOC", COP9_CLOSING) == 189


def test_the_convention_had_190_parties_when_the_second_group_started(reference_data):
    assert parties("UNTOC", GROUP_2_START) == 190


@pytest.mark.xfail(
    strict=True, reason="party_status.csv gives 172: one TIP party is missing or misdated"
)
def test_the_trafficking_in_persons_protocol_had_173_parties_in_october_2018(reference_data):
    assert parties("TIP", COP9_CLOSING) == 173


@pytest.mark.xfail(
    strict=True, reason="party_status.csv gives 147 (Sweden missing): two SOM rows are wrong"
)
def test_the_smuggling_of_migrants_protocol_had_146_parties_in_october_2018(reference_data):
    assert parties("SOM", COP9_CLOSING) == 146


@pytest.mark.xfail(
    strict=True, reason="party_status.csv gives 100: 15 FIR parties have no established date"
)
def test_the_firearms_protocol_had_115_parties_in_october_2018(reference_data):
    assert parties("FIR", COP9_CLOSING) == 115
