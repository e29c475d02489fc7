"""The API of a customer's money and the bill PDF: the customer's own only,
staff with billing.view in scope; JSON errors with codes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from mcoms.billing.documents.tests.conftest import Billed, build_billed
from tests.bill_kit import make_bill, month
from tests.builders import World

CUSTOMER = "c+919800000001"
BASE = "/api/v1/customers/BHKATS00101/"


@pytest.fixture
def billed(world: World) -> Billed:
    return build_billed(world)


def test_amount_payable_for_the_customer(
    billed: Billed, client_for: Callable[[str], APIClient]
) -> None:
    body = client_for(CUSTOMER).get(BASE + "payable/").json()
    assert body["customer"] == "BHKATS00101"
    assert [(s["service"], s["amount"]) for s in body["services"]] == [
        ("CHG", "473.50"),
        ("EMI", "125.75"),
    ]
    assert (body["total"], body["in_credit"]) == ("599.25", False)
    assert body["last_bill"]["number"] == "BHKATS-2026-000002"
    assert body["last_bill"]["estimated"] is True


def test_the_statement_with_running_balance_and_search(
    billed: Billed, client_for: Callable[[str], APIClient]
) -> None:
    client = client_for("csa")
    body = client.get(BASE + "statement/").json()
    assert body["balance"] == "599.25" and body["count"] == 3
    assert [(r["kind"], r["amount"], r["balance"]) for r in body["rows"]] == [
        ("bill", "562.50", "599.25"),
        ("cash_collection", "-400.00", "36.75"),
        ("bill", "436.75", "436.75"),
    ]
    found = client.get(BASE + "statement/", {"q": "000001"}).json()
    assert [r["bill_number"] for r in found["rows"]] == ["BHKATS-2026-000001"]
    assert Decimal(found["balance"]) == Decimal("599.25")


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("operator", 403),  # no billing.view
        ("sika_csa", 404),  # another plant
        ("other_admin", 200),  # their own customer BHKATS00101
        ("cluster_incharge", 200),
    ],
)
def test_who_may_read_a_customers_money(
    billed: Billed, client_for: Callable[[str], APIClient], username: str, status: int
) -> None:
    response = client_for(username).get(BASE + "payable/")
    assert response.status_code == status
    if status == 200 and username == "other_admin":
        assert response.json()["total"] == "0.00"  # not our customer's money
    elif status != 200:
        code = {403: "permission_denied", 404: "not_found"}[status]
        assert response.json()["code"] == code


def test_another_customers_money_is_404_to_a_customer(
    billed: Billed, client_for: Callable[[str], APIClient]
) -> None:
    response = client_for(CUSTOMER).get("/api/v1/customers/BHSIKA00101/payable/")
    assert response.status_code == 404


def test_the_bill_pdf(billed: Billed, client_for: Callable[[str], APIClient]) -> None:
    url = "/api/v1/billing/bills/BHKATS-2026-000002/pdf/"
    mine = client_for(CUSTOMER).get(url, {"lang": "en"}, HTTP_ACCEPT="application/pdf")
    assert mine.status_code == 200
    assert mine["Content-Type"] == "application/pdf"
    assert mine.content.startswith(b"%PDF-") and b"/Lang (en)" in mine.content
    assert client_for("admin").get(url).status_code == 200
    missing = client_for("sika_csa").get(url)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert client_for("operator").get(url).status_code == 403


def test_a_customer_cannot_fetch_another_customers_bill(
    billed: Billed, client_for: Callable[[str], APIClient]
) -> None:
    theirs = make_bill(billed.world.customers["BHSIKA"], month(2026, 4), {"CHG": "5"})
    url = f"/api/v1/billing/bills/{theirs.number}/pdf/"
    assert client_for(CUSTOMER).get(url).status_code == 404


def test_without_the_hindi_font_the_pdf_is_a_503_with_its_code(
    billed: Billed,
    client_for: Callable[[str], APIClient],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.BILL_FONT_DEVANAGARI = tmp_path / "missing.ttf"
    url = "/api/v1/billing/bills/BHKATS-2026-000002/pdf/"
    response = client_for(CUSTOMER).get(url, {"lang": "hi"})
    assert response.status_code == 503
    assert response.json()["code"] == "bill_font_missing"


def test_anonymous_gets_401(billed: Billed, anon: APIClient) -> None:
    assert anon.get(BASE + "statement/").status_code == 401
