"""Amount Payable, Billing and Payment Detail and the bill PDF in the
customer app: my own accounts and bills only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mcoms.billing.documents.tests.conftest import Billed, build_billed
from mcoms.selfcare.tests.helpers import customer_user
from tests.bill_kit import make_bill, month
from tests.builders import World

A = "/selfcare/a/BHKATS00101/"


@pytest.fixture
def billed(world: World) -> Billed:
    return build_billed(world)


@pytest.fixture
def me(client: Client, billed: Billed) -> Client:
    client.force_login(customer_user(billed.world))
    return client


def test_amount_payable_by_service_with_the_total(me: Client) -> None:
    html = me.get(A + "payable/").content.decode()
    energy = '<tr data-service="CHG"><td>Energy charges</td><td class="num">473.50'
    assert energy in html
    assert '<tr data-service="EMI">' in html
    assert 'data-total="599.25"' in html
    assert "BHKATS-2026-000002" in html  # the latest bill, with its PDF
    assert f'href="{A}bills/BHKATS-2026-000002.pdf"' in html


def test_the_dashboard_tiles_open_the_pages(me: Client) -> None:
    html = me.get(A).content.decode()
    assert f'href="{A}payable/"' in html
    assert f'href="{A}bills/"' in html


def test_billing_and_payment_detail_with_the_running_balance(me: Client) -> None:
    html = me.get(A + "bills/").content.decode()
    assert 'data-balance="599.25"' in html
    assert html.count("<li data-journal=") == 3
    # newest first: the April bill, the payment, the March bill
    april, paid, march = (
        html.index("BHKATS-2026-000002</a>"),
        html.index("Cash, receipt R-1"),
        html.index("BHKATS-2026-000001</a>"),
    )
    assert april < paid < march
    assert "− 400.00</strong>" in html  # the payment, a credit
    assert "<span data-balance-after>36.75</span>" in html


def test_the_detail_is_searchable(me: Client) -> None:
    html = me.get(A + "bills/", {"q": "R-1"}).content.decode()
    assert html.count("<li data-journal=") == 1
    assert "Cash, receipt R-1" in html
    html = me.get(A + "bills/", {"q": "no such thing"}).content.decode()
    assert "<li data-journal=" not in html
    assert "Nothing matches" in html


def test_my_bill_as_a_pdf_in_my_language_or_the_other(
    me: Client, billed: Billed
) -> None:
    response = me.get(A + "bills/BHKATS-2026-000002.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/Lang (hi)" in response.content  # the customer reads Hindi
    english = me.get(A + "bills/BHKATS-2026-000002.pdf", {"lang": "en"})
    assert b"/Lang (en)" in english.content


def test_another_customers_bill_is_404(me: Client, billed: Billed) -> None:
    sika = billed.world.customers["BHSIKA"]
    theirs = make_bill(sika, month(2026, 4), {"CHG": "50.00"})
    assert me.get(f"{A}bills/{theirs.number}.pdf").status_code == 404
    url = f"/selfcare/a/{sika.customer_id}/bills/{theirs.number}.pdf"
    assert me.get(url).status_code == 404
    assert me.get(f"/selfcare/a/{sika.customer_id}/payable/").status_code == 404
    assert me.get(f"/selfcare/a/{sika.customer_id}/bills/").status_code == 404


def test_the_same_number_in_another_company_is_not_mine(
    me: Client, billed: Billed
) -> None:
    other = billed.world.customers["other"]  # also BHKATS00101, other company
    make_bill(other, month(2026, 7), {"CHG": "9.00"})  # BHKATS-2026-000001 too
    html = me.get(A + "bills/").content.decode()
    assert "9.00" not in html
    pdf = me.get(A + "bills/BHKATS-2026-000001.pdf", {"lang": "en"})
    assert b"Other Power" not in pdf.content


@pytest.mark.parametrize("username", ["csa", "admin"])
def test_staff_are_refused(client: Client, billed: Billed, username: str) -> None:
    client.force_login(billed.world.user(username))
    assert client.get(A + "bills/BHKATS-2026-000001.pdf").status_code == 403


def test_anonymous_is_sent_to_sign_in(client: Client, billed: Billed) -> None:
    response = client.get(A + "payable/")
    assert response["Location"].startswith("/selfcare/login/?next=")


def test_without_the_fonts_a_hindi_bill_is_a_clear_503(
    me: Client, settings: Any, tmp_path: Path
) -> None:
    settings.BILL_FONT_DEVANAGARI = tmp_path / "missing.ttf"
    response = me.get(A + "bills/BHKATS-2026-000002.pdf")
    assert response.status_code == 503
    assert "cannot be shown just now" in response.content.decode()


def test_the_pages_read_in_hindi(me: Client) -> None:
    me.post("/i18n/setlang/", {"language": "hi", "next": A})
    html = me.get(A + "payable/").content.decode()
    assert "नवीनतम बिल" in html  # Latest bill
    assert "देय राशि" in html  # Amount due
    html = me.get(A + "bills/").content.decode()
    assert "बकाया राशि" in html  # Balance owed
    assert "शेष" in html  # Balance
    assert "Balance owed" not in html
