"""Issue 3, "Done means": one prospect walked through all eight stages of the
acquisition pipeline in the field app, in Chromium - the CSA for the sales
stages (survey to account, with a real PNG uploaded for KYC), the technician
for the meter, the connection steps and the activation - to an active
account whose activation charge and deposit are due on the ledger; then the
back-office board counts it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mcoms.acquisition.models import Prospect
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.ledger.models import Account
from mcoms.ledger.selectors import account_balance, customer_balances
from tests.builders import PASSWORD, build_world
from tests.pipeline_kit import png_bytes, stock

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, username: str, app: str = "field") -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/{app}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")


def submit_step(page: Page) -> None:
    page.click("#step button[type=submit]")


def test_one_prospect_through_all_eight_stages(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    world = build_world()
    kit = stock(world)
    id_card = tmp_path / "voter-id.png"
    id_card.write_bytes(png_bytes(64))

    # Stage 1, the CSA: Add Consumer from the home screen (the catchment survey).
    sign_in(page, base, "csa")
    page.locator(".mods a.mod", has_text="Add Consumer").first.click()
    expect(page.get_by_role("heading", name="Add Consumer")).to_be_visible()
    page.fill("#id_name", "Sunita Devi")
    page.fill("#id_phone", "9876500001")
    page.select_option("#id_pole", "2")
    page.fill("#id_distance_m", "12.5")
    page.fill("#id_a1_name", "LED bulb")
    page.fill("#id_a1_count", "3")
    page.fill("#id_a1_watts", "9")
    page.fill("#id_hours_per_day", "6")
    page.click("form.stack button[type=submit]")
    expect(page.get_by_text("Stage 1 of 8 done: Catchment survey")).to_be_visible()
    ref = page.locator("h1").inner_text().split(" · ")[0]
    assert ref == "P-BHKATS-000001"

    # Stage 2: marketing. Stage 3: acquisition in person.
    page.select_option("#id_method", "door_to_door")
    submit_step(page)
    expect(page.get_by_text("Stage 2 of 8 done: Marketing")).to_be_visible()
    submit_step(page)
    expect(page.get_by_text("Stage 3 of 8 done: Acquisition")).to_be_visible()

    # Stage 4: KYC with a real PNG of the ID card and the acknowledgement.
    page.select_option("#id_id_type", "voter_id")
    page.fill("#id_id_number", "ABC1234567")
    page.set_input_files("#id_id_proof", str(id_card))
    page.check("#id_commitments")
    submit_step(page)
    expect(page.get_by_text("Stage 4 of 8 done: KYC")).to_be_visible()
    expect(page.locator("ul.plain li", has_text="image/png")).to_be_visible()

    # Stage 5: the package, its activation charge and deposit shown.
    prepaid = page.get_by_label(
        "A1.1(NN)/17/160 · 17 W · activation charge ₹150.00 · deposit ₹100.00"
    )
    prepaid.check()
    submit_step(page)
    expect(page.get_by_text("Stage 5 of 8 done: Package assignment")).to_be_visible()

    # Stage 6: the account and its customer ID.
    submit_step(page)
    customer_id = page.locator("[data-customer-id]").inner_text()
    expect(
        page.get_by_text(f"Account created: customer ID {customer_id}.")
    ).to_be_visible()
    assert customer_id.startswith("BHKATS002")
    # The next stage is the technical team's: the CSA has no form for it.
    expect(page.get_by_text("Your designation does not do this step.")).to_be_visible()

    # Stages 7 and 8, the technician: the meter from the plant's stock, At
    # Pole, House wire, Service Wire, the installation, the activation.
    sign_in(page, base, "technician")
    page.goto(f"{base}/field/acquisition/{ref}/")
    page.select_option("#id_meter", "LL-1")
    submit_step(page)
    for step in ["At Pole", "House wire", "Service Wire"]:
        expect(page.get_by_role("heading", name=f"Connection: {step}")).to_be_visible()
        submit_step(page)
    page.fill("#id_initial_reading", "0")
    submit_step(page)
    expect(page.get_by_text("Stage 7 of 8 done: Meter installation")).to_be_visible()
    page.check("#id_confirm")
    submit_step(page)
    expect(
        page.get_by_text(
            "Connection activated. Now due: activation charge ₹150.00 and "
            "deposit ₹100.00."
        )
    ).to_be_visible()
    expect(page.locator(".badge.active").first).to_have_text("Activated")

    # The account is active, on the plant register, with ACT and deposit due.
    customer = Customer.objects.get(customer_id=customer_id)
    assert customer.status == CustomerStatus.ACTIVE
    assert customer.activated_at is not None
    assert customer.plant.key == "BHKATS" and customer.package == kit.prepaid
    assert customer_balances(world.company, customer_id)["ACT"] == Decimal("150.00")
    receivable = Account.objects.get(code=f"CUS:{customer_id}:AR:DEP")
    assert account_balance(receivable) == Decimal("100.00")
    prospect = Prospect.objects.get(ref=ref)
    done = list(
        prospect.events.filter(kind="done").values_list("stage", "by__username")
    )
    assert [who for _stage, who in done] == ["csa"] * 6 + ["technician"] * 2
    assert prospect.documents.get().file.read() == id_card.read_bytes()

    # The back-office board counts it at its plant, cluster and in the total.
    sign_in(page, base, "cluster_incharge", app="backoffice")
    page.goto(f"{base}/backoffice/acquisition/")
    row = page.locator('tr[data-plant="BHKATS"] td.num')
    expect(row.nth(7)).to_have_text("1")  # column 8: activation
    expect(row.nth(9)).to_have_text("1")  # the plant's total
    expect(page.locator('tr[data-cluster="BH-NORTH"] td.num').nth(7)).to_have_text("1")
    expect(page.locator("tr[data-total] td.num").nth(9)).to_have_text("1")
    row.nth(7).locator("a").click()
    expect(page.get_by_role("link", name=ref)).to_be_visible()
    page.get_by_role("link", name=ref).click()
    expect(page.get_by_text(customer_id).first).to_be_visible()
