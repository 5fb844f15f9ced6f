"""set_draw_group: the group a party in no regional group is drawn with, set by the secretariat."""

import pytest
from django.urls import reverse

from factories import SecretariatFactory, UserFactory
from revmod.core.domain import DomainError, NotAllowed
from revmod.core.models import AuditEvent
from revmod.parties.models import RegionalGroup, State
from revmod.parties.services import set_draw_group

pytestmark = pytest.mark.django_db


def test_the_secretariat_gives_the_european_union_a_group_for_the_draw_and_it_is_audited(
    reference_data,
):
    secretariat = SecretariatFactory()
    weog = RegionalGroup.objects.get(code="WEOG")

    set_draw_group(actor=secretariat, state=State.objects.get(code="EUU"), group=weog)

    assert State.objects.get(code="EUU").group_for_draw == weog
    event = AuditEvent.objects.get(action="parties.draw_group_set")
    assert (event.actor, event.state_code, event.data) == (
        secretariat,
        "EUU",
        {"before": None, "after": "WEOG"},
    )


def test_an_official_cannot_set_the_group_for_the_draw_and_nothing_changes(reference_data):
    with pytest.raises(NotAllowed, match="Only the secretariat can set the group for the draw"):
        set_draw_group(
            actor=UserFactory(),
            state=State.objects.get(code="EUU"),
            group=RegionalGroup.objects.get(code="WEOG"),
        )

    assert State.objects.get(code="EUU").draw_group is None
    assert not AuditEvent.objects.filter(action="parties.draw_group_set").exists()


def test_a_state_in_a_regional_group_is_always_drawn_with_it(reference_data):
    with pytest.raises(DomainError, match="it is drawn with that group"):
        set_draw_group(
            actor=SecretariatFactory(),
            state=State.objects.get(code="FRA"),
            group=RegionalGroup.objects.get(code="AFR"),
        )

    assert State.objects.get(code="FRA").draw_group is None


def test_the_admin_sets_the_group_for_the_draw_through_the_domain_function(
    client, django_user_model, reference_data
):
    admin = django_user_model.objects.create_superuser("admin@example.org", "a long passphrase")
    client.force_login(admin)
    url = reverse("admin:parties_state_change", args=["EUU"])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["draw_group"] = "WEOG"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert State.objects.get(code="EUU").draw_group_id == "WEOG"
    assert AuditEvent.objects.get(action="parties.draw_group_set").actor == admin
