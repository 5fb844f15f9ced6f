from pathlib import Path

import pytest

from revmod.parties.models import Instrument

from .helpers import UNTOC_FILE


@pytest.fixture
def instruments(db):
    """The instrument rows the shipped definitions refer to (the parties loader ships them)."""
    rows = [("UNTOC", None), ("TIP", "UNTOC"), ("SOM", "UNTOC"), ("FIR", "UNTOC"), ("UNCAC", None)]
    for order, (code, parent) in enumerate(rows, start=1):
        Instrument.objects.get_or_create(
            code=code,
            defaults={"name": code, "short_name": code, "parent_id": parent, "order": order},
        )
    return Instrument.objects.all()


@pytest.fixture
def definition_copy(tmp_path):
    """Write an edited copy of a shipped definition: each (old, new) pair replaces text once."""

    def copy(*edits: tuple[str, str], source: Path = UNTOC_FILE) -> Path:
        text = source.read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, f"the shipped file no longer contains {old!r}"
            text = text.replace(old, new, 1)
        path = tmp_path / source.name
        path.write_text(text, encoding="utf-8")
        return path

    return copy
