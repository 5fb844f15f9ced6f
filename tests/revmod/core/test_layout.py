"""The base layout (src/revmod/templates/base.html) and its stylesheet."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import path, reverse

pytestmark = pytest.mark.django_db


def _page_with_a_script(request):
    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">let a;</script>')
    return HttpResponse(template.render({}, request))


urlpatterns = [path("nonce/", _page_with_a_script)]


def test_arabic_pages_are_right_to_left_and_others_left_to_right(client):
    assert '<html lang="ar" dir="rtl">' in client.get("/ar/").content.decode()
    assert '<html lang="fr" dir="ltr">' in client.get("/fr/").content.decode()


def test_chinese_pages_declare_simplified_chinese(client):
    html = client.get("/zh-hans/").content.decode()
    assert '<html lang="zh-hans" dir="ltr">' in html


def test_the_language_switcher_offers_the_other_languages_in_their_own_names(client):
    html = client.get("/fr/?page=2").content.decode()
    switcher = html[html.index('<nav class="language-switcher"') :]
    switcher = switcher[: switcher.index("</nav>")]
    forms = re.findall(
        r'<form method="post" action="([^"]+)">.*?name="csrfmiddlewaretoken".*?'
        r'name="next" value="([^"]+)">.*?name="language" value="([^"]+)" lang="[^"]+" '
        r'class="language-choice">([^<]+)</button>',
        switcher,
        flags=re.DOTALL,
    )
    assert {action for action, *_ in forms} == {reverse("set_language")} == {"/i18n/setlang/"}
    assert {code: (name, target) for _, target, code, name in forms} == {
        "ar": ("العربية", "/ar/?page=2"),
        "zh-hans": ("中文", "/zh-hans/?page=2"),
        "en": ("English", "/en/?page=2"),
        "ru": ("Русский", "/ru/?page=2"),
        "es": ("Español", "/es/?page=2"),
    }
    assert '<span class="language-choice" lang="fr" aria-current="true">Français</span>' in switcher


def test_choosing_a_language_goes_to_the_same_page_in_that_language(client):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/ar/?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/ar/?page=2"
    assert response.cookies["django_language"].value == "ar"
    assert '<html lang="ar" dir="rtl">' in client.get(response["Location"]).content.decode()


SECRETARIAT_PAGES = [
    "/en/reviews/health/",
    "/en/draws/",
    "/en/reviews/gate/",
    "/en/reviews/languages/",
    "/en/reviews/audit/",
]


def test_the_navigation_depends_on_who_is_signed_in(client, secretariat, make_user):
    anonymous = client.get("/en/").content.decode()
    assert "Sign in" in anonymous and "Sign out" not in anonymous
    assert 'href="/en/accounts/people/"' not in anonymous

    staff = make_user("staff@example.org", is_secretariat=True, is_staff=True)
    client.force_login(staff)
    html = client.get("/en/").content.decode()
    assert 'href="/en/admin/"' in html and 'href="/en/accounts/people/"' in html
    assert re.search(r'<form method="post" action="/en/accounts/logout/"', html)

    client.force_login(secretariat)
    html = client.get("/en/").content.decode()
    assert 'href="/en/admin/"' not in html and 'href="/en/accounts/people/"' in html
    for page in SECRETARIAT_PAGES:
        assert f'href="{page}"' in html, page

    client.force_login(make_user("expert@example.org"))
    html = client.get("/en/").content.decode()
    assert 'href="/en/accounts/profile/">My profile</a>' in html
    assert 'href="/en/reviews/">Country reviews</a>' in html
    assert 'href="/en/accounts/people/"' not in html and 'href="/en/admin/"' not in html
    for page in SECRETARIAT_PAGES:
        assert f'href="{page}"' not in html, page


def test_signing_out_is_a_post_that_ends_the_session(client, secretariat):
    client.force_login(secretariat)
    assert client.post("/en/accounts/logout/").status_code == 302
    assert "Sign in" in client.get("/en/").content.decode()


def test_every_page_has_a_content_security_policy_without_unsafe_inline(client):
    response = client.get("/en/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    # Under that policy an inline style or a script without the nonce would be blocked.
    assert " style=" not in html and "<style" not in html
    assert "<script" not in html


def test_a_script_rendered_with_the_nonce_finds_that_nonce_in_the_policy(client, settings):
    settings.ROOT_URLCONF = __name__
    response = client.get("/nonce/")
    nonce = re.search(r'<script nonce="([^"]+)">', response.content.decode()).group(1)
    assert len(nonce) >= 16
    assert f"script-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_the_stylesheet_is_linked_and_found_by_the_static_files_finders(client):
    html = client.get("/en/").content.decode()
    assert '<link rel="stylesheet" href="/static/revmod/revmod.css">' in html
    assert finders.find("revmod/revmod.css")


def test_the_stylesheet_uses_logical_directions_only():
    css = Path(finders.find("revmod/revmod.css")).read_text()
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)|(?:^|[\s;{])(?:left|right)\s*:"
        r"|text-align:\s*(?:left|right)|float:\s*(?:left|right)",
        css,
    )
    assert physical == []
    assert '"Noto Sans Arabic"' in css and '"Noto Sans CJK SC"' in css
    assert "@import" not in css and "url(" not in css  # no web font to download


def test_the_product_name_tag_gives_the_configured_name(settings):
    settings.PRODUCT_NAME = "Mechanism"
    template = engines["django"].from_string("{% load revmod %}{% product_name %}")
    assert template.render({}, RequestFactory().get("/")) == "Mechanism"
