"""Constants and helpers shared by the tests of the mechanisms app."""

from revmod.mechanisms.definitions import DEFINITIONS_DIR
from revmod.mechanisms.models import (
    Cluster,
    ClusterArticle,
    ConferenceDecision,
    DrawRules,
    Mechanism,
    MechanismInstrument,
    PhaseDefinition,
    ReviewGroup,
    StepDeadline,
    StepDefinition,
)

UNTOC_FILE = DEFINITIONS_DIR / "untoc.yaml"
UNCAC_FILE = DEFINITIONS_DIR / "uncac.yaml"

MECHANISM_MODELS = [
    Mechanism,
    MechanismInstrument,
    DrawRules,
    Cluster,
    ClusterArticle,
    PhaseDefinition,
    ReviewGroup,
    StepDefinition,
    StepDeadline,
    ConferenceDecision,
]

# Mechanism, draw rules, 4 clusters, 4 phases, 3 groups, 8 steps, 4 deadlines.
UNTOC_OBJECTS = 25


def snapshot() -> dict[str, list[dict]]:
    """Every row of every mechanism model, to prove that a refused load changed nothing."""
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in MECHANISM_MODELS
    }


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MECHANISM_MODELS}


def line_marked(path, marker: str = "# here") -> int:
    """The line of the file carrying the marker comment that a test put where the error is."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if marker in line)
