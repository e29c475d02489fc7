"""Field app collection pages: Cash Register (pie, search, plant, light),
Receivables (plant first for several plants, straight in for one), Aging,
Total Collection, the account's Cash Ledger and Security and Deposit Ledger
tabs; designations and scope."""

from __future__ import annotations

import pytest
from django.test import Client

from mcoms.customers.models import Customer
from mcoms.reports.tests.money_kit import cash_at, charge_at, days_ago, paid_by
from tests.builders import World

BUDGET = 50 * 1024


@pytest.fixture
def books(world: World) -> World:
    k = world.customers["BHKATS"]
    Customer.objects.filter(pk=k.pk).update(status="active")
    charge_at(k, "300", days_ago(70))
    charge_at(k, "40", days_ago(3), service="WATER")
    cash_at(k, "100", world.user("csa"), service="CHG")
    paid_by(k, "40", "upi")
    return world


def client_for(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def test_cash_register_is_light_and_has_the_pie(books: World) -> None:
    page = client_for(books, "csa").get("/field/cash-register/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "data-total>140.00<" in html
    assert "BHKATS00101" in html
    assert len(page.content) < BUDGET


def test_cash_register_search_and_refusals(books: World) -> None:
    client = client_for(books, "csa")
    assert (
        "BHKATS00101"
        not in client.get("/field/cash-register/?q=nobody").content.decode()
    )
    assert client.get("/field/cash-register/?plant=BHSIKA").status_code == 404
    assert (
        client_for(books, "technician").get("/field/cash-register/").status_code == 403
    )


def test_a_single_plant_user_goes_straight_to_their_receivables(books: World) -> None:
    html = client_for(books, "csa").get("/field/receivables/").content.decode()
    assert 'id="receivables"' in html and "200.00" in html  # 340 - 140
    operator = client_for(books, "operator").get("/field/receivables/")
    assert operator.status_code == 200  # the operator checks who is active


def test_several_plants_pick_a_plant_first(books: World) -> None:
    client = client_for(books, "cluster_incharge")
    picker = client.get("/field/receivables/").content.decode()
    assert 'id="plants"' in picker and 'id="receivables"' not in picker
    listed = client.get("/field/receivables/?plant=BHKATS&sort=billed").content.decode()
    assert "BHKATS00101" in listed
    assert client.get("/field/receivables/?plant=BHSIKA").status_code == 404


def test_ageing_and_total_collection(books: World) -> None:
    client = client_for(books, "csa")
    ageing = client.get("/field/receivables/ageing/").content.decode()
    assert "61-90 days" in ageing and "200.00" in ageing
    total = client.get("/field/collection/").content.decode()
    assert "100.00" in total and "40.00" in total
    assert (
        client_for(books, "technician").get("/field/receivables/ageing/").status_code
        == 403
    )


def test_the_account_ledgers(books: World) -> None:
    client = client_for(books, "csa")
    account = client.get("/field/consumers/BHKATS00101/").content.decode()
    assert "/field/consumers/BHKATS00101/cash-ledger/" in account
    cash = client.get("/field/consumers/BHKATS00101/cash-ledger/")
    assert cash.status_code == 200 and "data-balance>200.00<" in cash.content.decode()
    dep = client.get("/field/consumers/BHKATS00101/deposit-ledger/")
    assert dep.status_code == 200
    assert client.get("/field/consumers/BHSIKA00101/cash-ledger/").status_code == 404
    tech = client_for(books, "technician")
    assert tech.get("/field/consumers/BHKATS00101/cash-ledger/").status_code == 403
    assert (
        "cash-ledger" not in tech.get("/field/consumers/BHKATS00101/").content.decode()
    )


def test_home_links_receivables_and_bank_deposit(books: World) -> None:
    html = client_for(books, "csa").get("/field/").content.decode()
    assert (
        'href="/field/receivables/"' in html and 'href="/field/bank-deposit/"' in html
    )
    tech = client_for(books, "technician").get("/field/").content.decode()
    assert 'href="/field/bank-deposit/"' not in tech
