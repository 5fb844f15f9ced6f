import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from revmod.mechanisms.models import (
    Cluster,
    ClusterArticle,
    DrawRules,
    Mechanism,
    MechanismInstrument,
    PhaseDefinition,
    ReviewGroup,
    StepDeadline,
    StepDefinition,
)
from revmod.parties.models import Instrument, PartyStatus, RegionalGroup, State
from revmod.people.models import User

PASSWORD = "a long enough passphrase"


@pytest.fixture
def official(db):
    return User.objects.create_user(
        "expert@example.org", PASSWORD, full_name="Expert", status=User.Status.ACTIVE
    )


@pytest.fixture
def api(official):
    client = APIClient()
    client.force_login(official)
    return client


@pytest.fixture
def regions(db):
    return {
        code: RegionalGroup.objects.create(code=code, name_en=name_en, name_fr=name_fr, order=n)
        for n, (code, name_en, name_fr) in enumerate(
            [
                ("AFR", "African States", "États d'Afrique"),
                ("WEOG", "Western European and other States", "États d'Europe occidentale"),
            ]
        )
    }


@pytest.fixture
def instruments(db):
    untoc = Instrument.objects.create(
        code="UNTOC",
        name_en="United Nations Convention against Transnational Organized Crime",
        name_fr="Convention des Nations Unies contre la criminalité transnationale organisée",
        short_name_en="UNTOC",
        adopted_on=datetime.date(2000, 11, 15),
        order=1,
    )
    protocols = {
        code: Instrument.objects.create(
            code=code, name_en=name, short_name_en=code, parent=untoc, order=order
        )
        for order, (code, name) in enumerate(
            [
                ("TIP", "Trafficking in Persons Protocol"),
                ("SOM", "Smuggling of Migrants Protocol"),
            ],
            start=2,
        )
    }
    return {"UNTOC": untoc, **protocols}


@pytest.fixture
def make_party(regions, instruments):
    def make(code: str, region: str | None = "AFR", **became_party: datetime.date) -> State:
        state = State.objects.create(
            code=code,
            name_en=f"State {code}",
            regional_group=regions[region] if region else None,
        )
        for instrument, day in became_party.items():
            PartyStatus.objects.create(
                state=state,
                instrument=instruments[instrument],
                became_party_on=day,
                action=PartyStatus.Action.RATIFICATION,
            )
        return state

    return make


@pytest.fixture
def mechanism(instruments):
    untoc = Mechanism.objects.create(
        code="untoc",
        name_en="Mechanism for the Review of the Implementation of the Convention",
        name_fr="Mécanisme d'examen de l'application de la Convention",
        short_name_en="UNTOC review",
        phase_length_months=24,
        gate_threshold_percent=Decimal("70.00"),
        activation_link_days=10,
    )
    for order, code in enumerate(["UNTOC", "TIP", "SOM"]):
        MechanismInstrument.objects.create(
            mechanism=untoc, instrument=instruments[code], order=order
        )
    DrawRules.objects.create(
        mechanism=untoc, same_group_reviewers=1, other_group_reviewers=1, max_redraws=2
    )
    cluster = Cluster.objects.create(
        mechanism=untoc,
        number=1,
        name_en="Criminalization and jurisdiction",
        name_fr="Incrimination et compétence",
    )
    for order, (instrument, article) in enumerate([("UNTOC", "5"), ("UNTOC", "6"), ("TIP", "5")]):
        ClusterArticle.objects.create(
            cluster=cluster, instrument=instruments[instrument], article=article, order=order
        )
    PhaseDefinition.objects.create(mechanism=untoc, number=1, cluster=cluster)
    ReviewGroup.objects.create(
        mechanism=untoc, number=1, starts_on=datetime.date(2020, 10, 1), foreseen_reviews=62
    )
    nominations = StepDefinition.objects.create(
        mechanism=untoc, order=1, code="nominations", name_en="Nominations"
    )
    StepDeadline.objects.create(
        step=nominations, code="focal-point", name_en="Focal point", amount=2, unit="weeks"
    )
    saq = StepDefinition.objects.create(
        mechanism=untoc, order=2, code="saq", name_en="Self-assessment questionnaire"
    )
    StepDeadline.objects.create(
        step=saq,
        code="answers",
        name_en="Answers",
        amount=6,
        unit="months",
        anchor_step=nominations,
        anchor_event="end",
    )
    return untoc
