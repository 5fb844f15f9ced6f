import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _media_and_outbox_in_tmp(settings, tmp_path):
    # Tests never write into ./var: uploads go to a per-test folder (mail goes to locmem).
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # A request activates its language in the test's thread and leaves it active afterwards; without
    # this, the next test on the same worker would read its messages in that language.
    with translation.override("en"):
        yield


@pytest.fixture
def reference_data(db):
    """The shipped reference data (languages, regional groups, instruments, States, party
    statuses), loaded inside the test's own transaction so that it never outlives the test and
    never collides with the States other tests create."""
    from revmod.parties.services import load_reference_data

    return load_reference_data()
