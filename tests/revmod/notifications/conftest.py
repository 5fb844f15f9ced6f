"""The shipped UNTOC definition, the people of one review and background tasks run at once."""

import pytest
from reviews.helpers import Cast, make_cast

from revmod.mechanisms.definitions import DEFINITIONS_DIR
from revmod.mechanisms.models import Mechanism
from revmod.mechanisms.services import load_mechanism
from revmod.parties.models import Instrument


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
def cast(untoc) -> Cast:
    return make_cast(untoc)


@pytest.fixture
def tasks_run_now(settings):
    """Background tasks run as soon as they are enqueued (after the commit): emails land in
    mail.outbox, or on the SMTP server a test sets."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
