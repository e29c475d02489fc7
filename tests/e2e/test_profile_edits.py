"""Issue 3, profile edits (seed 2.2.6) in Chromium: a customer changes their
own details in the customer app (at once; a new number after its code), and
a field agent's edit takes effect only once the customer's code is entered."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mcoms.customers.models import Customer, ProfileChange
from mcoms.customers.tests.profile_helpers import code_sent_to
from tests.builders import CUSTOMER_PHONE, PASSWORD, build_world, latest_code

pytestmark = pytest.mark.browser

NEW_PHONE = "+919811122233"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_customer_edits_their_profile(page: Page, live_server: Any) -> None:
    world = build_world()
    kats = world.customers["BHKATS"]
    base = live_server.url
    page.goto(f"{base}/selfcare/login/")
    page.fill("#id_phone", "9800000001")
    page.click("button[type=submit]")
    page.fill("#id_code", latest_code())
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base}/selfcare/a/{kats.customer_id}/")

    # The address and the language: saved at once.
    page.goto(f"{base}/selfcare/a/{kats.customer_id}/profile/")
    page.get_by_role("link", name="Edit").click()
    page.fill("#id_address", "Ward 4, near the school")
    page.select_option("#id_language", "en")
    page.click("form.stack button[type=submit]")
    expect(page.get_by_text("Your details are saved.")).to_be_visible()
    expect(page.locator("dl.kv").first).to_contain_text("Ward 4, near the school")
    saved = Customer.objects.get(pk=kats.pk)
    assert (saved.address, saved.language) == ("Ward 4, near the school", "en")

    # A new number waits for the code sent to it; a wrong code changes nothing.
    page.get_by_role("link", name="Edit").click()
    page.fill("#id_phone", "98111 22233")
    page.click("form.stack button[type=submit]")
    expect(
        page.get_by_text("Enter the code we sent to your new number.").first
    ).to_be_visible()
    code = code_sent_to(NEW_PHONE)
    page.fill("#id_code_new", wrong(code))
    page.click("#change form.stack button[type=submit]")
    expect(page.get_by_text("Wrong code. Check the SMS and try again.")).to_be_visible()
    assert str(Customer.objects.get(pk=kats.pk).phone) == CUSTOMER_PHONE
    page.fill("#id_code_new", code)
    page.click("#change form.stack button[type=submit]")
    expect(page.locator("#change")).to_have_count(0)
    expect(page.locator("dl.kv").first).to_contain_text(NEW_PHONE)
    assert str(Customer.objects.get(pk=kats.pk).phone) == NEW_PHONE
    assert ProfileChange.objects.get(phone_new=NEW_PHONE).state == "confirmed"


def test_a_field_agents_edit_waits_for_the_customers_code(
    page: Page, live_server: Any
) -> None:
    world = build_world()
    kats = world.customers["BHKATS"]
    base = live_server.url
    page.goto(f"{base}/field/login/")
    page.fill("#id_username", "csa")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.goto(f"{base}/field/consumers/{kats.customer_id}/")
    page.get_by_role("link", name="Edit the profile").click()
    page.fill("#id_name", "Sita Devi")
    page.fill("#id_address", "Ward 4")
    page.click("form.stack button[type=submit]")
    expect(
        page.get_by_text("Codes sent. Enter the code the customer reads out.")
    ).to_be_visible()
    expect(page.locator("#change")).to_contain_text("Sita Devi")
    assert Customer.objects.get(pk=kats.pk).name == "Customer BHKATS"  # not yet

    code = code_sent_to(CUSTOMER_PHONE)  # the code SMS to the registered number
    page.fill("#id_code_registered", wrong(code))
    page.click("#change form.stack button[type=submit]")
    expect(
        page.get_by_text("Wrong code. Ask the customer to read it again.")
    ).to_be_visible()
    assert Customer.objects.get(pk=kats.pk).name == "Customer BHKATS"
    page.fill("#id_code_registered", code)
    page.click("#change form.stack button[type=submit]")
    expect(page.get_by_text("Confirmed: the profile is updated.")).to_be_visible()
    expect(page.locator("#change")).to_have_count(0)
    expect(page.locator("dl.kv")).to_contain_text("Sita Devi")
    history = page.locator("ul.history")
    expect(history).to_contain_text("csa")
    expect(history).to_contain_text("Ward 4")
    saved = Customer.objects.get(pk=kats.pk)
    assert (saved.name, saved.address) == ("Sita Devi", "Ward 4")
