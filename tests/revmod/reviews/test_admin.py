"""The admin shows reviews, phases, steps and extensions, and changes none of them."""

import pytest

from revmod.reviews import services

from .helpers import step

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_shows_review_rows_but_offers_no_way_to_change_them(admin_client, cast):
    phase = services.launch_phase(actor=cast.secretariat, review=cast.review, phase_number=1)
    nominations = step(cast.review, "nominations")
    services.grant_extension(
        actor=cast.secretariat,
        due_date=nominations.due_dates.first(),
        new_due_on=phase.starts_on.replace(year=phase.starts_on.year + 1),
        reason="Mission closed.",
    )

    for model in ("countryreview", "reviewphase", "reviewstep", "extension"):
        assert admin_client.get(f"/en/admin/reviews/{model}/").status_code == 200
        assert admin_client.get(f"/en/admin/reviews/{model}/add/").status_code == 403
    page = admin_client.get(f"/en/admin/reviews/reviewstep/{nominations.pk}/change/")
    assert page.status_code == 200
    assert str(cast.secretariat) in page.content.decode()  # who opened it, from its history
    assert (
        admin_client.post(f"/en/admin/reviews/reviewstep/{nominations.pk}/delete/").status_code
        == 403
    )
    nominations.refresh_from_db()
    assert nominations.status == "open"
