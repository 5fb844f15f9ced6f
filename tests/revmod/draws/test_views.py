import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from factories import ReviewGroupFactory
from revmod.core.models import AuditEvent
from revmod.draws import services
from revmod.draws.models import Assignment, Draw, Redraw

from .conftest import moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def draw(world) -> Draw:
    return services.preview_draw(
        actor=world.secretariat,
        mechanism=world.mechanism,
        group=world.group,
        phase_number=1,
        seed=3,
        at=moment(),
    )


@pytest.fixture
def confirmed(world, draw) -> Draw:
    services.confirm_draw(actor=world.secretariat, draw=draw)
    return draw


def pages(draw: Draw) -> list[tuple[str, str]]:
    assignment = draw.assignments.first()
    return [
        ("get", reverse("draws:list")),
        ("get", reverse("draws:new")),
        ("post", reverse("draws:new")),
        ("get", reverse("draws:detail", args=[draw.pk])),
        ("post", reverse("draws:confirm", args=[draw.pk])),
        ("post", reverse("draws:discard", args=[draw.pk])),
        ("post", reverse("draws:redraw", args=[assignment.pk])),
        ("get", reverse("draws:export", args=[draw.pk, "csv"])),
        ("get", reverse("draws:export", args=[draw.pk, "xlsx"])),
    ]


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Draw, Assignment, Redraw, AuditEvent)}


def test_anonymous_visitors_are_sent_to_sign_in_from_every_draw_page(client, draw):
    for method, url in pages(draw):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("people:login") + "?next="), url


def test_an_official_gets_403_on_every_draw_page_and_changes_nothing(client, world, draw):
    client.force_login(world.official)
    before = counts()

    for method, url in pages(draw):
        assert getattr(client, method)(url).status_code == 403, url

    assert counts() == before
    assert Draw.objects.get().status == Draw.Status.PREVIEW


def test_the_secretariat_lists_the_draws(client, world, draw):
    client.force_login(world.secretariat)

    page = client.get(reverse("draws:list"))

    assert page.status_code == 200
    assert str(draw) in page.content.decode() and "3" in page.content.decode()


def test_drawing_lots_shows_the_preview_with_reviewers_instruments_and_pools(client, world):
    client.force_login(world.secretariat)
    form = {
        "mechanism": world.mechanism.pk,
        "group": world.group.pk,
        "phase_number": 1,
        "seed": 11,
    }

    response = client.post(reverse("draws:new"), form)

    draw = Draw.objects.get()
    assert response.status_code == 302 and response.url == reverse("draws:detail", args=[draw.pk])
    assert draw.seed == 11 and draw.status == Draw.Status.PREVIEW
    page = client.get(response.url).content.decode()
    for assignment in draw.assignments.select_related("reviewer", "review__state"):
        assert assignment.reviewer.name in page and assignment.review.state.name in page
    assert "Candidate pools" in page and "Confirm this draw" in page


def test_an_unsatisfiable_draw_shows_each_failure_keeps_the_form_and_stores_nothing(client, world):
    world.rules.max_reviews_per_state = 0
    world.rules.save()
    client.force_login(world.secretariat)
    before = counts()

    response = client.post(
        reverse("draws:new"),
        {"mechanism": world.mechanism.pk, "group": world.group.pk, "phase_number": 1, "seed": 4},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Every State eligible to review Angola for TCONV already takes part in 0" in page
    assert 'value="4"' in page
    assert counts() == before


def test_a_group_of_another_mechanism_is_refused_by_the_form(client, world):
    client.force_login(world.secretariat)

    response = client.post(
        reverse("draws:new"),
        {"mechanism": world.mechanism.pk, "group": ReviewGroupFactory().pk, "phase_number": 1},
    )

    assert response.status_code == 400
    assert "This group belongs to another mechanism." in response.content.decode()
    assert not Draw.objects.exists()


def test_the_secretariat_confirms_then_cannot_discard_a_confirmed_draw(client, world, draw):
    client.force_login(world.secretariat)

    response = client.post(reverse("draws:confirm", args=[draw.pk]), follow=True)

    assert "The draw is confirmed." in response.content.decode()
    draw.refresh_from_db()
    assert draw.status == Draw.Status.CONFIRMED
    response = client.post(reverse("draws:discard", args=[draw.pk]), follow=True)
    assert "Only a preview can be discarded" in response.content.decode()
    draw.refresh_from_db()
    assert draw.status == Draw.Status.CONFIRMED


def test_the_secretariat_discards_a_preview(client, world, draw):
    client.force_login(world.secretariat)

    client.post(reverse("draws:discard", args=[draw.pk]))

    draw.refresh_from_db()
    assert draw.status == Draw.Status.DISCARDED


def test_a_confirmed_draw_offers_a_redraw_form_per_reviewer(client, world, confirmed):
    client.force_login(world.secretariat)

    page = client.get(reverse("draws:detail", args=[confirmed.pk])).content.decode()

    for assignment in confirmed.assignments.all():
        assert reverse("draws:redraw", args=[assignment.pk]) in page
    assert "Confirm this draw" not in page


def test_a_redraw_without_a_reason_is_refused_on_the_page_and_changes_nothing(
    client, world, confirmed
):
    client.force_login(world.secretariat)
    assignment = confirmed.assignments.filter(review=world.reviews["Benin"]).first()
    prefix = f"redraw-{assignment.pk}"
    before = counts()

    response = client.post(
        reverse("draws:redraw", args=[assignment.pk]),
        {f"{prefix}-requested_by": assignment.reviewer_id, f"{prefix}-reason": ""},
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert counts() == before


def test_a_redraw_with_a_reason_replaces_the_reviewer(client, world, confirmed):
    client.force_login(world.secretariat)
    assignment = confirmed.assignments.filter(review=world.reviews["Benin"]).first()
    prefix = f"redraw-{assignment.pk}"

    response = client.post(
        reverse("draws:redraw", args=[assignment.pk]),
        {
            f"{prefix}-requested_by": world.reviews["Benin"].state_id,
            f"{prefix}-reason": "The State asked for another reviewer.",
        },
        follow=True,
    )

    redraw = Redraw.objects.get()
    assert redraw.replaced == assignment
    assert redraw.requested_by == world.reviews["Benin"].state
    page = response.content.decode()
    assert "The State asked for another reviewer." in page
    assert f"{redraw.new_assignment.reviewer.name} replaces {assignment.reviewer.name}" in page


def test_the_csv_export_parses_and_holds_one_row_per_assignment(client, world, confirmed):
    client.force_login(world.secretariat)

    response = client.get(reverse("draws:export", args=[confirmed.pk, "csv"]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="draw-test-draws')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["State under review", rows[0][1], "Slot", "Reviewing State"]
    assert len(rows) == 1 + confirmed.assignments.count()
    expected = {
        (a.review.state.name, a.reviewer.name)
        for a in confirmed.assignments.select_related("review__state", "reviewer")
    }
    assert {(row[0], row[3]) for row in rows[1:]} == expected
    assert AuditEvent.objects.filter(action="draw.exported", data__format="csv").exists()


def test_the_excel_export_opens_with_reviewer_names_in_the_reader_s_language(
    client, world, confirmed
):
    client.force_login(world.secretariat)

    # The override also puts back the language the /fr/ request leaves active in the thread.
    with translation.override("fr"):
        url = reverse("draws:export", args=[confirmed.pk, "xlsx"])
        response = client.get(url)

    assert url.startswith("/fr/")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 1 + confirmed.assignments.count()
    reviewers = {row[3] for row in rows[1:]}
    assert reviewers and all(name.endswith("(fr)") for name in reviewers), reviewers


def test_an_unknown_export_format_is_not_found(client, world, draw):
    client.force_login(world.secretariat)

    assert client.get(reverse("draws:export", args=[draw.pk, "pdf"])).status_code == 404
    assert not AuditEvent.objects.filter(action="draw.exported").exists()
