"""Back-office collection pages: Cash Register with its pie and search, the
Receivable plant picker and list, Aging Receivables, Total Collection, and
the account page's Transaction, Cash Ledger and Security and Deposit Ledger
tabs; each in the user's scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from mcoms.customers.models import Customer
from mcoms.reports.tests.money_kit import cash_at, charge_at, days_ago, paid_by
from tests.builders import World

AsUser = Callable[[str], Client]


@pytest.fixture
def books(world: World) -> World:
    k = world.customers["BHKATS"]
    Customer.objects.filter(pk=k.pk).update(status="active")
    charge_at(k, "300", days_ago(100))
    charge_at(k, "50", days_ago(5), service="WATER")
    cash_at(k, "120", world.user("csa"), service="CHG")
    paid_by(k, "50", "card")
    s = world.customers["BHSIKA"]
    charge_at(s, "70", days_ago(50))
    cash_at(s, "20", world.user("sika_csa"))
    return world


def test_cash_register_lists_payments_with_the_pie(
    books: World, as_user: AsUser
) -> None:
    page = as_user("cluster_incharge").get("/backoffice/reports/cash-register/")
    html = page.content.decode()
    assert page.status_code == 200
    pie = html[html.index('id="by-service"') : html.index("</section>")]
    assert "<svg" in pie and "<script" not in pie
    assert "BHKATS00101" in html and "BHSIKA00101" not in html
    assert "data-total>170.00<" in html
    found = as_user("admin").get("/backoffice/reports/cash-register/?q=BHSIKA")
    assert "BHSIKA00101" in found.content.decode()
    assert "BHKATS00101" not in found.content.decode()


def test_cash_register_refusals(books: World, as_user: AsUser) -> None:
    assert (
        as_user("cluster_incharge")
        .get("/backoffice/reports/cash-register/?plant=BHSIKA")
        .status_code
        == 404
    )
    bad = as_user("admin").get("/backoffice/reports/cash-register/?start=junk")
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_receivables_ask_for_a_plant_first(books: World, as_user: AsUser) -> None:
    picker = as_user("admin").get("/backoffice/reports/receivables/").content.decode()
    assert "Choose a plant" in picker and "(1)" in picker
    page = as_user("admin").get("/backoffice/reports/receivables/?plant=BHKATS")
    html = page.content.decode()
    assert "BHKATS00101" in html and "180.00" in html  # 350 - 120 - 50
    assert "BHSIKA00101" not in html


def test_field_staff_use_the_field_app(books: World, as_user: AsUser) -> None:
    for username in ("operator", "csa"):
        page = as_user(username).get("/backoffice/reports/receivables/")
        assert page.status_code == 403


def test_receivable_filters(books: World, as_user: AsUser) -> None:
    html = (
        as_user("cluster_incharge")
        .get("/backoffice/reports/receivables/?plant=BHKATS&status=inactive")
        .content.decode()
    )
    assert "BHKATS00101" not in html
    html = (
        as_user("cluster_incharge")
        .get("/backoffice/reports/receivables/?plant=BHKATS&service=WATER&sort=billed")
        .content.decode()
    )
    assert "BHKATS00101" in html
    out = as_user("cluster_incharge").get(
        "/backoffice/reports/receivables/?plant=BHSIKA"
    )
    assert out.status_code == 404


def test_ageing_and_total_collection(books: World, as_user: AsUser) -> None:
    ageing = as_user("admin").get("/backoffice/reports/ageing/").content.decode()
    assert "91-120 days" in ageing and "180.00" in ageing
    total = as_user("admin").get("/backoffice/reports/total-collection/")
    html = total.content.decode()
    assert total.status_code == 200 and "140.00" in html and "50.00" in html
    assert as_user("technician").get("/backoffice/reports/ageing/").status_code == 403


def test_the_money_tabs_of_the_account_page(books: World, as_user: AsUser) -> None:
    client = as_user("cluster_incharge")
    profile = client.get("/backoffice/customers/BHKATS00101/").content.decode()
    assert "/backoffice/customers/BHKATS00101/cash-ledger/" in profile
    tx = client.get("/backoffice/customers/BHKATS00101/transactions/").content.decode()
    assert "120.00" in tx and "50.00" in tx
    cash = client.get("/backoffice/customers/BHKATS00101/cash-ledger/").content.decode()
    assert "180.00" in cash and "Payment (cash)" in cash
    dep = client.get("/backoffice/customers/BHKATS00101/deposit-ledger/")
    assert dep.status_code == 200
    assert "No security deposit" in dep.content.decode()
    assert (
        client.get("/backoffice/customers/BHSIKA00101/cash-ledger/").status_code == 404
    )
