"""Issue 3 in the back office, in Chromium: head office creates a package in
the catalogue and revises it into a new version; a CSV import is checked (a
dry run that lists the bad row and writes nothing), then imported from the
example files of docs/examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from mcoms.customers.models import Customer
from mcoms.packages.models import Package
from tests.builders import PASSWORD, build_world

pytestmark = pytest.mark.browser

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/backoffice/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{base}/backoffice/")


def test_head_office_creates_a_package_and_revises_it(
    page: Page, live_server: Any
) -> None:
    build_world()
    base = live_server.url
    sign_in(page, base, "ho_manager")
    page.get_by_role("navigation").get_by_role("link", name="Packages").click()
    page.get_by_role("link", name="New package").click()
    page.select_option("#id_plant", "BHKATS")
    page.select_option("#id_type_code", "A1.1")
    page.select_option("#id_timing_code", "NN")
    page.fill("#id_load_w", "0")  # refused: a load of 0 W
    page.fill("#id_prepaid_amount", "160")
    page.fill("#id_prepaid_period_days", "30")
    page.fill("#id_activation_charge", "150")
    page.select_option("#id_deposit_rule", "fixed")
    page.fill("#id_deposit_amount", "100")
    page.fill("#id_credit_limit", "300")
    page.click("form.stack button[type=submit]")
    expect(page.locator("#id_load_w_errors")).to_be_visible()
    assert not Package.objects.exists()

    page.fill("#id_load_w", "17")
    page.click("form.stack button[type=submit]")
    expect(page.get_by_role("heading", name="A1.1(NN)/17/160 v1")).to_be_visible()
    expect(page.locator("dl.kv")).to_contain_text("150")
    expect(page.locator(".badge.active")).to_have_text("Offered")

    # A change makes a new version; the first stays as it was.
    page.get_by_role("link", name="Revise (new version)").click()
    page.fill("#id_activation_charge", "175")
    page.click("form.stack button[type=submit]")
    expect(page.get_by_text("Version 2 of A1.1(NN)/17/160 saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="A1.1(NN)/17/160 v2")).to_be_visible()
    versions = page.locator("#versions tbody tr")
    expect(versions).to_have_count(2)
    versions.get_by_role("link", name="v1").click()
    expect(page.locator(".badge")).to_have_text("Old version")
    expect(page.locator("dl.kv")).to_contain_text("150.00")
    rows = Package.objects.order_by("version")
    assert [(p.version, str(p.activation_charge)) for p in rows] == [
        (1, "150.00"),
        (2, "175.00"),
    ]


def test_a_csv_import_is_checked_then_imported(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    build_world()
    base = live_server.url
    before = Customer.objects.count()
    lines = (EXAMPLES / "customers.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[5] = lines[5].replace("BHSIKA,", "BHXXXX,", 1)  # row 6: no such plant
    bad = tmp_path / "customers.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sign_in(page, base, "admin")
    page.get_by_role("navigation").get_by_role("link", name="Import").click()

    page.set_input_files("#id_packages", str(EXAMPLES / "packages.csv"))
    page.set_input_files("#id_customers", str(bad))
    page.click("form.stack button[type=submit]")
    errors = page.locator("#errors")
    expect(errors).to_contain_text("nothing was imported")
    row = errors.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("6")
    expect(row.locator("td").nth(2)).to_have_text("plant")
    expect(page.get_by_role("button", name="Import now")).to_have_count(0)
    assert Customer.objects.count() == before and not Package.objects.exists()

    page.get_by_role("link", name="Import", exact=True).first.click()
    page.set_input_files("#id_packages", str(EXAMPLES / "packages.csv"))
    page.set_input_files("#id_customers", str(EXAMPLES / "customers.csv"))
    page.click("form.stack button[type=submit]")
    expect(page.locator("#errors")).to_have_count(0)
    page.get_by_role("button", name="Import now").click()
    expect(page.locator("dl.kv")).to_contain_text("4 packages, 6 customers")
    assert Customer.objects.count() == before + 6
    assert Package.objects.count() == 4
    mohan = Customer.objects.get(name="Mohan Yadav")
    assert (mohan.customer_id, mohan.status) == ("BHKATS00312", "banned")
