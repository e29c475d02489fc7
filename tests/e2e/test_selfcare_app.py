"""The customer app in a real browser: sign-in by mobile number and SMS code."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.builders import PASSWORD, build_world, latest_code

pytestmark = pytest.mark.browser

PHONE = "+919800000001"


def test_a_customer_signs_in_with_a_code(page: Page, live_server) -> None:
    world = build_world()
    page.goto(f"{live_server.url}/selfcare/login/")
    page.fill("#id_phone", "9800000001")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/selfcare/login/verify/")
    page.fill("#id_code", latest_code())
    page.click("form.stack button[type=submit]")
    kats = world.customers["BHKATS"].customer_id
    expect(page).to_have_url(f"{live_server.url}/selfcare/a/{kats}/")
    expect(page.get_by_text("Customer BHKATS")).to_be_visible()
    expect(page.locator(".badge.active")).to_have_text("Active")
    expect(page.get_by_text("Amount Payable")).to_be_visible()
    page.click("form.lang button[value=hi]")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_text("देय राशि")).to_be_visible()
    expect(page.locator(".badge.active")).to_have_text("सक्रिय")
    page.locator("a.tile", has_text="प्रोफ़ाइल").click()
    expect(page.get_by_text(kats).first).to_be_visible()


def test_a_wrong_code_is_refused(page: Page, live_server) -> None:
    build_world()
    page.goto(f"{live_server.url}/selfcare/login/")
    page.fill("#id_phone", "9800000001")
    page.click("button[type=submit]")
    wrong = "000000" if latest_code() != "000000" else "111111"
    page.fill("#id_code", wrong)
    page.click("form.stack button[type=submit]")
    expect(page.get_by_text("Wrong code. Check the SMS and try again.")).to_be_visible()


def test_a_staff_user_is_refused(page: Page, live_server) -> None:
    build_world()
    page.goto(f"{live_server.url}/selfcare/login/")
    page.fill("#id_phone", "+919810000001")  # the staff's own number
    page.click("button[type=submit]")
    expect(
        page.get_by_text("No customer account uses this mobile number.")
    ).to_be_visible()
    page.goto(f"{live_server.url}/field/login/")
    page.fill("#id_username", "csa")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    response = page.goto(f"{live_server.url}/selfcare/")
    assert response is not None
    assert response.status == 403
