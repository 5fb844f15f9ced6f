import pytest
from django.urls import reverse

from factories import SecretariatFactory
from revmod.draws import services
from revmod.draws.models import Draw

from .conftest import moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def draw(world) -> Draw:
    draw = services.preview_draw(
        actor=world.secretariat,
        mechanism=world.mechanism,
        group=world.group,
        phase_number=1,
        seed=8,
        at=moment(),
    )
    services.confirm_draw(actor=world.secretariat, draw=draw)
    return draw


def test_secretariat_staff_see_draws_and_assignments_in_the_admin_but_cannot_change_them(
    client, draw
):
    client.force_login(SecretariatFactory(is_staff=True))
    assignment = draw.assignments.first()

    assert client.get(reverse("admin:draws_draw_changelist")).status_code == 200
    page = client.get(reverse("admin:draws_draw_change", args=[draw.pk]))
    assert page.status_code == 200 and assignment.reviewer.name in page.content.decode()
    assert client.get(reverse("admin:draws_assignment_changelist")).status_code == 200
    assert client.get(reverse("admin:draws_redraw_changelist")).status_code == 200
    assert client.get(reverse("admin:draws_draw_add")).status_code == 403
    response = client.post(reverse("admin:draws_draw_delete", args=[draw.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Draw.objects.filter(pk=draw.pk, status=Draw.Status.CONFIRMED).exists()


def test_staff_outside_the_secretariat_cannot_see_the_draws_in_the_admin(client, world, draw):
    world.official.is_staff = True
    world.official.save()
    client.force_login(world.official)

    assert client.get(reverse("admin:draws_draw_changelist")).status_code == 403
