import pytest
from django.conf import settings
from django.urls import reverse
from reviews.helpers import step

from factories import NominationFactory, UserFactory
from revmod.questionnaires import services
from revmod.questionnaires.models import Answer, Response, ResponseVersion
from revmod.reviews import services as reviews

ROLES = [
    "secretariat",
    "focal_point",
    "expert",
    "observer",
    "reviewer_focal_point",
    "outsider",
    "anonymous",
]
LOGIN = "login"
# Para 40, per role: (read, write, submit) on a draft and on a submitted response. A number is
# the HTTP status of the page; LOGIN is the way to the sign-in page.
EXPECTED = {
    "draft": {
        "secretariat": (200, 403, 403),
        "focal_point": (200, 302, 302),
        "expert": (200, 302, 403),
        "observer": (200, 403, 403),
        "reviewer_focal_point": (404, 404, 404),
        "outsider": (404, 404, 404),
        "anonymous": (LOGIN, LOGIN, LOGIN),
    },
    "submitted": {
        "secretariat": (200, 403, 403),
        "focal_point": (200, 400, 400),
        "expert": (200, 400, 403),
        "observer": (200, 403, 403),
        "reviewer_focal_point": (200, 403, 403),
        "outsider": (404, 404, 404),
        "anonymous": (LOGIN, LOGIN, LOGIN),
    },
}


def _answer(response, code):
    return Answer.objects.filter(response=response, question__code=code).first()


def _save_url(response, section):
    return reverse("questionnaires:save_section", args=[response.pk, section])


def _post_art8(client, response, value, version):
    return client.post(
        _save_url(response, "UNTOC-8"), {"q-art8_foreign": value, "v-art8_foreign": version}
    )


def _prepare(cast, response, state: str) -> None:
    services.save_answers(
        actor=cast.expert, response=response, answers={"art8_foreign": ("no", 0)}, language="en"
    )
    if state == "submitted":
        services.submit_response(actor=cast.focal_point, response=response)


def _act(client, response, action):
    if action == "read":
        return client.get(reverse("questionnaires:response", args=[response.pk]))
    if action == "write":
        return _post_art8(client, response, "partially", 1)
    return client.post(reverse("questionnaires:submit", args=[response.pk]))


@pytest.mark.parametrize("state", ["draft", "submitted"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["read", "write", "submit"])
def test_permission_matrix_of_questionnaire_responses_through_the_pages(
    client, cast, response, state, role, action
):
    _prepare(cast, response, state)
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    versions_before = ResponseVersion.objects.count()

    page = _act(client, response, action)

    expected = EXPECTED[state][role][("read", "write", "submit").index(action)]
    if expected == LOGIN:
        assert page.status_code == 302
        assert page["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert page.status_code == expected
    written = action == "write" and expected == 302
    assert _answer(response, "art8_foreign").value == ("partially" if written else "no")
    submitted = action == "submit" and expected == 302
    assert ResponseVersion.objects.count() == versions_before + (1 if submitted else 0)
    if action == "read" and expected == 200:
        assert "Has your State established as a criminal offence the bribery of foreign" in (
            page.content.decode()
        )


def test_a_reviewing_state_reads_the_submitted_version_not_the_reopened_draft(
    client, cast, response
):
    _prepare(cast, response, "submitted")
    reviews.reopen_step(
        actor=cast.secretariat, step=step(cast.review, "self_assessment"), reason="More detail."
    )
    services.save_answers(
        actor=cast.expert,
        response=response,
        answers={"art8_foreign": ("yes", 1)},
        language="en",
    )
    client.force_login(cast.reviewer_focal_point)

    page = client.get(reverse("questionnaires:response", args=[response.pk]))

    assert page.status_code == 200
    assert "Version 1" in page.content.decode()
    assert page.context["answers"][0]["text"] == "No"
    assert not Answer.objects.visible_to(cast.reviewer_focal_point).exists()
    assert Answer.objects.visible_to(cast.observer).count() == 1


def test_the_second_expert_saving_the_same_answer_sees_both_texts_and_keeps_theirs(
    client, cast, response
):
    second = UserFactory(state=cast.state)
    NominationFactory(person=second, review=cast.review, starts_on=cast.review.group.starts_on)
    services.save_answers(
        actor=cast.expert,
        response=response,
        answers={"art2_definitions": ("yes", 0)},
        language="en",
    )
    url = _save_url(response, "UNTOC-2")
    client.force_login(cast.expert)
    assert (
        client.post(
            url,
            {
                "q-art2_serious_crime": "Offences punishable by four years.",
                "v-art2_serious_crime": 0,
            },
        ).status_code
        == 302
    )
    client.force_login(second)

    page = client.post(
        url,
        {"q-art2_serious_crime": "Schedule 1 of the Criminal Code.", "v-art2_serious_crime": 0},
    )

    html = page.content.decode()
    assert page.status_code == 409
    assert "Someone else saved an answer after you opened this page" in html
    assert "Offences punishable by four years." in html  # theirs, shown
    assert "Schedule 1 of the Criminal Code." in html  # yours, kept in the form
    assert 'name="v-art2_serious_crime" value="1"' in html
    assert _answer(response, "art2_serious_crime").value == "Offences punishable by four years."

    again = client.post(
        url,
        {"q-art2_serious_crime": "Schedule 1 of the Criminal Code.", "v-art2_serious_crime": 1},
    )
    assert again.status_code == 302
    assert _answer(response, "art2_serious_crime").value == "Schedule 1 of the Criminal Code."


def test_a_bad_link_is_refused_and_the_form_keeps_what_was_typed(client, cast, response):
    services.save_answers(
        actor=cast.expert,
        response=response,
        answers={"art5_criminalized": ("yes", 0)},
        language="en",
    )
    client.force_login(cast.expert)

    page = client.post(
        _save_url(response, "UNTOC-5"),
        {
            "q-art5_criminalized": "yes",
            "v-art5_criminalized": 1,
            "q-art5_legislation-text": "قانون العقوبات، المادة 12",
            "q-art5_legislation-url": "not a link",
            "v-art5_legislation": 0,
        },
    )

    html = page.content.decode()
    assert page.status_code == 400
    assert "Enter a full web address" in html
    assert "قانون العقوبات، المادة 12" in html
    assert 'value="not a link"' in html
    assert _answer(response, "art5_legislation") is None


def test_the_page_lists_articles_with_their_completeness_and_hides_unmet_follow_ups(
    client, cast, response
):
    client.force_login(cast.expert)

    html = client.get(reverse("questionnaires:response", args=[response.pk])).content.decode()

    assert "UNTOC, article 5" in html
    assert "TIP, article 5" in html
    assert "0 of 1 required answers" in html
    assert 'name="q-art5_option"' not in html  # shown once article 5 is answered yes
    client.post(
        _save_url(response, "UNTOC-5"), {"q-art5_criminalized": "yes", "v-art5_criminalized": 0}
    )
    html = client.get(reverse("questionnaires:response", args=[response.pk])).content.decode()
    assert 'name="q-art5_option"' in html
    assert "1 of 2 required answers" in html


@pytest.mark.parametrize("party_to", [["UNTOC"]])
def test_the_page_of_a_state_not_party_to_the_protocol_has_no_protocol_section(
    client, cast, response
):
    client.force_login(cast.expert)
    html = client.get(reverse("questionnaires:response", args=[response.pk])).content.decode()
    assert "TIP, article 5" not in html
    assert "UNTOC, article 23" in html
    refused = client.post(
        _save_url(response, "TIP-5"), {"q-tip5_trafficking": "yes", "v-tip5_trafficking": 0}
    )
    assert refused.status_code == 404


def test_a_table_question_saves_its_rows_and_offers_an_empty_row(client, cast, response):
    client.force_login(cast.expert)
    client.post(
        _save_url(response, "UNTOC-6"),
        {
            "v-art6_cases": 0,
            "q-art6_cases-rows": 1,
            "q-art6_cases-0-year": "2021",
            "q-art6_cases-0-authority": "High Court",
            "q-art6_cases-0-outcome": "Convicted",
        },
    )
    assert _answer(response, "art6_cases").value == [
        {"year": "2021", "authority": "High Court", "outcome": "Convicted"}
    ]
    html = client.get(reverse("questionnaires:response", args=[response.pk])).content.decode()
    assert 'name="q-art6_cases-1-year"' in html


def test_version_two_after_reopening_shows_the_differences_from_version_one(client, cast, response):
    services.save_answers(
        actor=cast.expert,
        response=response,
        answers={"art8_foreign": ("no", 0), "tip5_challenges": ("Few cases.", 0)},
        language="en",
    )
    client.force_login(cast.focal_point)
    assert client.post(reverse("questionnaires:submit", args=[response.pk])).status_code == 302
    reviews.reopen_step(
        actor=cast.secretariat, step=step(cast.review, "self_assessment"), reason="Add examples."
    )
    assert _post_art8(client, response, "yes", 1).status_code == 302
    assert client.post(reverse("questionnaires:submit", args=[response.pk])).status_code == 302

    page = client.get(reverse("questionnaires:version", args=[response.pk, 2]))

    html = page.content.decode()
    assert "Changes since version 1" in html
    assert [
        (c["change"].code, c["change"].kind, c["before"], c["after"])
        for c in page.context["changes"]
    ] == [("art8_foreign", "changed", "No", "Yes")]
    first = client.get(reverse("questionnaires:version", args=[response.pk, 1]))
    assert first.status_code == 200
    assert Response.objects.get(pk=response.pk).submitted_version == 2


def test_the_first_writer_opening_the_phase_starts_the_response(client, cast, template):
    from .conftest import open_questionnaire_step

    open_questionnaire_step(cast)
    url = reverse("questionnaires:phase_response", args=[cast.review.pk, 1])
    client.force_login(cast.reviewer_focal_point)
    assert client.get(url).status_code == 404
    assert not Response.objects.exists()

    client.force_login(cast.expert)
    page = client.get(url)

    response = Response.objects.get()
    assert page.status_code == 302
    assert page["Location"] == reverse("questionnaires:response", args=[response.pk])


def test_the_review_page_links_to_the_questionnaire_only_for_those_who_may_read_it(
    client, cast, response
):
    link = reverse("questionnaires:phase_response", args=[cast.review.pk, 1])
    review_page = reverse("reviews:review", args=[cast.review.pk])
    for person, shown in [
        (cast.expert, True),
        (cast.observer, True),
        (cast.secretariat, True),
        (cast.reviewer_focal_point, False),
    ]:
        client.force_login(person)
        assert (link in client.get(review_page).content.decode()) is shown, person
    services.submit_response(actor=cast.focal_point, response=response)
    client.force_login(cast.reviewer_focal_point)
    assert link in client.get(review_page).content.decode()


def test_the_secretariat_downloads_a_template_that_imports_again(client, cast, template):
    import io

    from revmod.questionnaires.spreadsheets import read_workbook

    url = reverse("questionnaires:export_template", args=[template.pk])
    client.force_login(cast.focal_point)
    assert client.get(url).status_code == 403
    client.force_login(cast.secretariat)

    download = client.get(url)

    assert download.status_code == 200
    template.delete()
    parsed = read_workbook(io.BytesIO(download.content))
    assert len(parsed.questions) == 17


def test_the_response_page_answers_in_arabic_right_to_left_with_arabic_text_intact(
    client, cast, response
):
    client.force_login(cast.expert)
    url = reverse("questionnaires:save_section", args=[response.pk, "TIP-5"]).replace(
        "/en/", "/ar/", 1
    )
    text = "تواجه الدولة صعوبات في جمع الأدلة."

    saved = client.post(url, {"q-tip5_challenges": text, "v-tip5_challenges": 0})

    assert saved.status_code == 302
    answer = _answer(response, "tip5_challenges")
    assert (answer.value, answer.language) == (text, "ar")
    page = client.get(saved["Location"].split("#")[0])
    html = page.content.decode()
    assert 'dir="rtl"' in html
    assert text in html
