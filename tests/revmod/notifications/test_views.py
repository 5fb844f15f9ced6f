import pytest

from revmod.notifications import services
from revmod.notifications.events import EVENTS
from revmod.notifications.models import Frequency, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def notify(cast, person, count: int = 1) -> list[Notification]:
    questionnaire = cast.review.mechanism.steps.get(code="self_assessment")
    return [
        services.notify(
            "step_opened",
            review=cast.review,
            recipients=[person.pk],
            params={"state": cast.state.code, "step": questionnaire.pk},
            link_name="reviews:review",
            link_args={"pk": cast.review.pk},
        )[0]
        for _ in range(count)
    ]


def test_the_centre_lists_only_my_notifications_newest_first_with_links_in_my_language(
    client, cast
):
    mine = notify(cast, cast.expert, 2)
    notify(cast, cast.focal_point)
    client.force_login(cast.expert)

    html = client.get("/fr/notifications/").content.decode()

    assert html.count('class="notification notification-unread"') == 2
    assert html.count(f'href="/fr/reviews/{cast.review.pk}/"') == 2
    # The step's name is written in the reader's language when the page is shown.
    assert "Questionnaire d&#x27;auto-évaluation" in html
    assert html.index(f"/notifications/{mine[1].pk}/read/") < html.index(
        f"/notifications/{mine[0].pk}/read/"
    )


def test_the_centre_is_paginated(client, cast):
    notify(cast, cast.expert, 30)
    client.force_login(cast.expert)
    first = client.get("/en/notifications/").content.decode()
    second = client.get("/en/notifications/?page=2").content.decode()
    assert first.count('<li class="notification') == 25
    assert second.count('<li class="notification') == 5


def test_the_unread_count_shows_in_the_navigation_and_mark_read_lowers_it(client, cast):
    first, _second = notify(cast, cast.expert, 2)
    client.force_login(cast.expert)
    assert '<span class="notification-count">2 unread</span>' in client.get("/en/").content.decode()

    response = client.post(f"/en/notifications/{first.pk}/read/")

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert '<span class="notification-count">1 unread</span>' in client.get("/en/").content.decode()
    client.post("/en/notifications/read/")
    html = client.get("/en/").content.decode()
    assert 'href="/en/notifications/">Notifications</a>' in html
    assert Notification.objects.filter(recipient=cast.expert, read_at=None).count() == 0


def test_someone_elses_notification_cannot_be_marked_read_nor_seen(client, cast):
    (theirs,) = notify(cast, cast.focal_point)
    client.force_login(cast.expert)

    assert client.post(f"/en/notifications/{theirs.pk}/read/").status_code == 404
    client.post("/en/notifications/read/")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert f"/notifications/{theirs.pk}/" not in client.get("/en/notifications/").content.decode()


def test_marking_read_needs_a_post_and_a_signed_in_user(client, cast):
    (mine,) = notify(cast, cast.expert)
    assert client.post(f"/en/notifications/{mine.pk}/read/").status_code == 302  # to sign in
    client.force_login(cast.expert)
    assert client.get(f"/en/notifications/{mine.pk}/read/").status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_preferences_page_saves_choices_and_shows_mandatory_events_as_fixed(client, cast):
    client.force_login(cast.expert)
    html = client.get("/en/notifications/preferences/").content.decode()
    assert 'name="step_opened"' in html
    assert 'name="overdue"' not in html and "A due date has come or passed" in html

    # The page sends every choice; a mandatory event slipped in is ignored.
    sent = {code: "instant" for code, event in EVENTS.items() if not event.mandatory}
    response = client.post(
        "/en/notifications/preferences/", {**sent, "step_opened": "daily", "overdue": "off"}
    )

    assert response.status_code == 302
    chosen = NotificationPreference.objects.filter(user=cast.expert)
    assert dict(chosen.values_list("event", "frequency")) == {"step_opened": Frequency.DAILY}


def test_a_bad_frequency_keeps_the_form_with_its_error(client, cast):
    client.force_login(cast.expert)
    sent = {code: "instant" for code, event in EVENTS.items() if not event.mandatory}
    response = client.post("/en/notifications/preferences/", {**sent, "step_opened": "hourly"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert '<option value="instant" selected>' in html  # the other choices are kept
    assert NotificationPreference.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/en/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
