"""The shipped UNTOC definition and cluster I questionnaire, the people of one review (Ghana,
party to the Convention and the Trafficking in Persons Protocol) and its phase 1 launched with
the questionnaire step open."""

import pytest
from reviews.helpers import Cast, make_cast, moment, step

from factories import PartyStatusFactory
from revmod.mechanisms.definitions import DEFINITIONS_DIR
from revmod.mechanisms.models import Mechanism
from revmod.mechanisms.services import load_mechanism
from revmod.parties.models import Instrument
from revmod.questionnaires import services
from revmod.questionnaires.models import QuestionnaireTemplate, Response
from revmod.questionnaires.spreadsheets import shipped_workbook
from revmod.reviews import services as reviews
from revmod.reviews.models import ReviewStep


@pytest.fixture
def untoc(db) -> Mechanism:
    rows = [("UNTOC", None), ("TIP", "UNTOC"), ("SOM", "UNTOC"), ("FIR", "UNTOC"), ("UNCAC", None)]
    for order, (code, parent) in enumerate(rows, start=1):
        Instrument.objects.get_or_create(
            code=code,
            defaults={"name": code, "short_name": code, "parent_id": parent, "order": order},
        )
    load_mechanism(DEFINITIONS_DIR / "untoc.yaml")
    return Mechanism.objects.get(code="untoc")


@pytest.fixture
def party_to() -> list[str]:
    """The instruments the State under review is party to; a test overrides it."""
    return ["UNTOC", "TIP"]


@pytest.fixture
def cast(untoc, party_to) -> Cast:
    cast = make_cast(untoc)
    for code in party_to:
        PartyStatusFactory(state=cast.state, instrument_id=code)
    return cast


@pytest.fixture
def template(cast) -> QuestionnaireTemplate:
    return services.import_template(
        actor=cast.secretariat,
        file=shipped_workbook("untoc_cluster1"),
        file_name="untoc_cluster1.xlsx",
        publish=True,
    )


def open_questionnaire_step(cast: Cast) -> ReviewStep:
    """Launch phase 1 and finish the steps before the questionnaire, which opens."""
    at = moment(cast.review.group.starts_on)
    reviews.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1, at=at)
    reviews.complete_step(actor=cast.secretariat, step=step(cast.review, "nominations"), at=at)
    reviews.skip_step(
        actor=cast.secretariat,
        step=step(cast.review, "preliminary_consultations"),
        reason="Agreed by email.",
        at=at,
    )
    questionnaire = step(cast.review, "self_assessment")
    assert questionnaire.status == ReviewStep.Status.OPEN
    return questionnaire


@pytest.fixture
def response(cast, template) -> Response:
    open_questionnaire_step(cast)
    phase = cast.review.phases.get(definition__number=1)
    return services.start_response(actor=cast.expert, review=cast.review, phase=phase)
