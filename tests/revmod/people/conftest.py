import pytest

from factories import LanguageFactory, MechanismFactory, SecretariatFactory, StateFactory

UN_LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]


@pytest.fixture
def languages(db):
    return [LanguageFactory(code=code, order=order) for order, code in enumerate(UN_LANGUAGES)]


@pytest.fixture
def mechanism(db):
    return MechanismFactory(code="untoc", short_name="UNTOC review", activation_link_days=10)


@pytest.fixture
def secretariat(db):
    return SecretariatFactory(full_name="Sam Secretariat")


@pytest.fixture
def ghana(db):
    return StateFactory(code="GHA", name="Ghana")


@pytest.fixture
def send_tasks_now(settings):
    """Run background tasks at once (after the commit), so that emails land in mail.outbox."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
