"""Signing in and reading pages in Arabic and Chinese in a real browser."""

import tempfile
from pathlib import Path

import pytest

from factories import NominationFactory, StateFactory
from revmod.people.models import User

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"
# Kept after the run, so that a person can look at how the Chinese page renders.
SCREENSHOT = Path(tempfile.gettempdir()) / "revmod-zh-hans-home.png"


@pytest.fixture
def expert(transactional_db):
    person = User.objects.create_user(
        "expert@example.org",
        PASSWORD,
        full_name="Amina Haddad",
        status=User.Status.ACTIVE,
        state=StateFactory(),
    )
    NominationFactory(person=person)
    return person


def sign_in(page, base_url: str, language: str, email: str) -> None:
    page.goto(f"{base_url}/{language}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{base_url}/{language}/")


def test_an_expert_signs_in_in_arabic_and_reads_a_right_to_left_page(
    browser_page, live_server, expert
):
    page = browser_page
    stylesheets = []
    page.on(
        "response",
        lambda response: response.url.endswith("/revmod.css") and stylesheets.append(response),
    )
    sign_in(page, live_server.url, "ar", expert.email)

    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # The stylesheet loaded and applies: the main column starts on the right in Arabic.
    assert stylesheets and all(response.status == 200 for response in stylesheets)
    assert "Noto Sans Arabic" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate("getComputedStyle(document.body).textAlign") == "start"
    assert "Amina Haddad" in page.inner_text("header")
    assert page.locator("main table").count() == 1  # the expert's nomination


def test_the_home_page_fits_a_320_pixel_wide_screen_in_arabic(browser_page, live_server, expert):
    page = browser_page
    sign_in(page, live_server.url, "ar", expert.email)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(SCREENSHOT.with_name("revmod-ar-320.png")), full_page=True)


def test_chinese_pages_render_with_a_chinese_font(browser_page, live_server, expert):
    page = browser_page
    sign_in(page, live_server.url, "zh-hans", expert.email)
    page.goto(f"{live_server.url}/zh-hans/")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert page.locator("button[lang=ar]").inner_text() == "العربية"
    assert page.locator("span[lang=zh-hans]").inner_text() == "中文"
    # The font is on this machine, so the glyphs draw as characters and not as empty boxes.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '中文')")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 0


def test_the_language_switcher_opens_the_same_page_in_the_chosen_language(
    browser_page, live_server, expert
):
    page = browser_page
    sign_in(page, live_server.url, "ar", expert.email)
    page.click("nav.language-switcher button[lang=fr]")
    page.wait_for_url(f"{live_server.url}/fr/")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.evaluate("document.documentElement.lang") == "fr"

    page.goto(f"{live_server.url}/fr/accounts/profile/")
    page.click("nav.language-switcher button[lang=zh-hans]")
    page.wait_for_url(f"{live_server.url}/zh-hans/accounts/profile/")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
