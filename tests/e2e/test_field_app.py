"""The field agent app in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.builders import PASSWORD, build_world

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/field/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_a_csa_signs_in_and_switches_to_hindi(page: Page, live_server) -> None:
    build_world()
    sign_in(page, live_server.url, "csa")
    expect(page).to_have_url(f"{live_server.url}/field/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for heading in ["Consumer", "Package & Scheme", "Meter", "Miscellaneous"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.locator(".mods a.mod", has_text="Consumer List").click()
    expect(page).to_have_url(f"{live_server.url}/field/consumers/")
    expect(page.get_by_text("BHKATS00101")).to_be_visible()
    page.goto(f"{live_server.url}/field/")
    page.click("form.lang button[value=hi]")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", name="उपभोक्ता", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="विविध", exact=True)).to_be_visible()
    expect(page.locator(".mods a.mod", has_text="उपभोक्ता सूची")).to_be_visible()


def test_a_head_office_manager_is_refused(page: Page, live_server) -> None:
    build_world()
    sign_in(page, live_server.url, "ho_manager")
    expect(page.get_by_text("This app is for field staff only.")).to_be_visible()
    response = page.goto(f"{live_server.url}/field/")
    assert response is not None
    assert response.url.startswith(f"{live_server.url}/field/login/")


def test_the_main_menu_opens(page: Page, live_server) -> None:
    build_world()
    sign_in(page, live_server.url, "technician")
    page.click("details.menu summary")
    page.get_by_role("link", name="Contacts").first.click()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    expect(page.locator('a[href="tel:+919810000001"]').first).to_be_visible()
