"""Every user-facing string exists in all six languages.

The shipped catalogues must be complete (no untranslated, no fuzzy entry), and they must be in
step with the source: the strings makemessages extracts today from a copy of the code must all be
translated already, so a change that adds a string without its translations fails here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import revmod

SOURCE = Path(revmod.__file__).parent
LOCALE = SOURCE / "locale"
LANGUAGES = ["ar", "zh_Hans", "fr", "ru", "es"]


def _problems(catalogue: polib.POFile) -> list[str]:
    untranslated = [f"untranslated: {entry.msgid!r}" for entry in catalogue.untranslated_entries()]
    fuzzy = [f"fuzzy: {entry.msgid!r}" for entry in catalogue.fuzzy_entries()]
    return untranslated + fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"missing catalogue {path}"
    catalogue = polib.pofile(str(path))
    assert len(catalogue) > 50
    assert _problems(catalogue) == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is installed by make test")
def test_every_string_in_the_source_is_already_translated_in_every_catalogue(tmp_path):
    copy = tmp_path / "revmod"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    command = [sys.executable, "-m", "revmod.cli", "makemessages", "--no-location", "--no-obsolete"]
    for language in LANGUAGES:
        command += ["-l", language]
    subprocess.run(command, cwd=copy, check=True, capture_output=True)
    problems = {}
    for language in LANGUAGES:
        catalogue = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        if found := _problems(catalogue):
            problems[language] = found[:20]
    assert problems == {}, "run `make messages` and translate the new strings"
