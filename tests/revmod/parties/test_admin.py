import pytest
from django.urls import reverse

from revmod.parties.models import Instrument, Language, PartyStatus, RegionalGroup, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model, reference_data):
    admin = django_user_model.objects.create_superuser("admin@example.org", "a long passphrase")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "model", [Language, RegionalGroup, Instrument, State, PartyStatus], ids=lambda m: m.__name__
)
def test_the_admin_lists_and_opens_every_reference_model(admin_client, model):
    opts = model._meta
    obj = model.objects.first()

    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    change = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )

    assert changelist.status_code == 200
    assert change.status_code == 200


def test_the_state_list_filters_by_regional_group(admin_client):
    response = admin_client.get(
        reverse("admin:parties_state_changelist"), {"regional_group__code__exact": "EEG"}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 23


def test_the_secretariat_sets_the_group_for_the_draw_of_the_european_union(admin_client):
    eu = State.objects.get(code="EUU")
    data = {
        f"name_{code}": getattr(eu, f"name_{code}")
        for code in ["ar", "zh_hans", "en", "fr", "ru", "es"]
    }
    data.update(code="EUU", kind=eu.kind, regional_group="", draw_group="WEOG")

    response = admin_client.post(reverse("admin:parties_state_change", args=["EUU"]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert State.objects.get(code="EUU").draw_group_id == "WEOG"
