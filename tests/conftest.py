import pytest


@pytest.fixture(autouse=True)
def _media_and_outbox_in_tmp(settings, tmp_path):
    # Tests never write into ./var: uploads go to a per-test folder (mail goes to locmem).
    settings.MEDIA_ROOT = tmp_path / "media"
