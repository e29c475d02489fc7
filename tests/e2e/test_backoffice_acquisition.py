"""Issue 3, every stage in the back office too: a cluster in-charge walks one
prospect through all eight stages on the back office's prospect page, in
Chromium, from Add Consumer on the board to an active account; a Head Office
Manager sees the same prospect read-only."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mcoms.acquisition.models import Prospect
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.ledger.selectors import customer_balances
from tests.builders import PASSWORD, build_world
from tests.pipeline_kit import png_bytes, stock

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/backoffice/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base}/backoffice/")


def submit_step(page: Page, done: str) -> None:
    page.click("#step button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(done)


def last_done(page: Page, text: str) -> None:
    expect(page.locator("dl.kv")).to_contain_text(text)


def test_a_cluster_incharge_walks_a_prospect_in_the_back_office(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    world = build_world()
    kit = stock(world)
    id_card = tmp_path / "voter-id.png"
    id_card.write_bytes(png_bytes(64))
    sign_in(page, base, "cluster_incharge")

    # Stage 1: Add Consumer from the board; the plant first (two in scope).
    page.goto(f"{base}/backoffice/acquisition/")
    page.get_by_role("link", name="Add Consumer", exact=True).click()
    page.get_by_role("link", name="BHKATS").click()
    page.fill("#id_name", "Sunita Devi")
    page.fill("#id_phone", "9876500001")
    page.select_option("#id_pole", "2")
    page.fill("#id_distance_m", "45")  # too far without a reason
    page.click("form.stack button[type=submit]")
    expect(page.locator("#id_distance_m_errors")).to_contain_text("more than 30 m")
    assert not Prospect.objects.exists()
    page.fill("#id_distance_m", "12.5")
    page.fill("#id_a1_name", "LED bulb")
    page.fill("#id_a1_count", "3")
    page.fill("#id_a1_watts", "9")
    page.click("form.stack button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("P-BHKATS-000001: survey saved.")
    last_done(page, "1. Catchment survey")

    # Stages 2 to 4: marketing, acquisition, KYC with a real PNG.
    page.select_option("#id_method", "leaflet")
    submit_step(page, "saved")
    last_done(page, "2. Marketing")
    submit_step(page, "saved")
    last_done(page, "3. Acquisition")
    page.select_option("#id_id_type", "voter_id")
    page.fill("#id_id_number", "ABC1234567")
    page.set_input_files("#id_id_proof", str(id_card))
    page.check("#id_commitments")
    submit_step(page, "saved")
    last_done(page, "4. KYC")
    expect(page.get_by_role("link", name="ID proof")).to_be_visible()

    # Stages 5 and 6: the package with its charges, the account.
    page.get_by_label(
        "A1.1(NN)/17/160 · 17 W · activation charge ₹150.00 · deposit ₹100.00"
    ).check()
    submit_step(page, "saved")
    last_done(page, "5. Package assignment")
    page.click("#step button[type=submit]")
    customer = Customer.objects.get(prospect__ref="P-BHKATS-000001")
    expect(page.locator(".messages")).to_contain_text(
        f"Account created: customer ID {customer.customer_id}."
    )

    # Stage 7: the meter, the three connection steps, the installation.
    page.select_option("#id_meter", "LL-1")
    submit_step(page, "saved")
    for step in ["At Pole", "House wire", "Service Wire"]:
        expect(page.get_by_role("heading", name=f"Connection: {step}")).to_be_visible()
        submit_step(page, "saved")
    page.fill("#id_initial_reading", "0")
    submit_step(page, "saved")
    last_done(page, "7. Meter installation")

    # Stage 8: activation, ticked.
    page.click("#step button[type=submit]")
    expect(page.locator("#id_confirm_errors")).to_contain_text("Tick the box")
    page.check("#id_confirm")
    submit_step(page, "Now due: activation charge ₹150.00 and deposit ₹100.00.")
    expect(page.locator(".badge.active").first).to_be_visible()

    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE
    assert customer.package == kit.prepaid
    balances = customer_balances(world.company, customer.customer_id)
    assert balances["ACT"] == Decimal("150.00")
    done = Prospect.objects.get().events.filter(kind="done")
    assert set(done.values_list("by__username", flat=True)) == {"cluster_incharge"}
    assert done.count() == 8

    # Head office sees it, with no form to post.
    sign_in(page, base, "ho_manager")
    page.goto(f"{base}/backoffice/acquisition/prospects/P-BHKATS-000001/")
    expect(page.get_by_text(customer.customer_id).first).to_be_visible()
    expect(page.locator("#step")).to_have_count(0)
    expect(page.locator("#reject")).to_have_count(0)
