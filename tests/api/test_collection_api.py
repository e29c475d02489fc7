"""The collection reports' API: Cash Register, Receivable (one plant),
Aging, Total Collection and the Security and Deposit Ledger; sums against
data built here, designations and scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from mcoms.customers.models import Customer
from mcoms.reports.tests.money_kit import cash_at, charge_at, days_ago, paid_by
from tests.builders import World

Clients = Callable[[str], APIClient]


@pytest.fixture
def books(world: World) -> World:
    k = world.customers["BHKATS"]
    Customer.objects.filter(pk=k.pk).update(status="active")
    charge_at(k, "500", days_ago(95))
    cash_at(k, "100", world.user("csa"))
    paid_by(k, "60", "card")
    paid_by(k, "40", "mpesa")
    charge_at(world.customers["BHSIKA"], "80", days_ago(10))
    return world


def test_cash_register(books: World, client_for: Clients) -> None:
    body = client_for("csa").get("/api/v1/reports/cash-register/").json()
    assert body["count"] == 3 and body["payments"] == 3 and body["total"] == "200.00"
    assert body["by_service"] == [
        {"service": "CHG", "label": "Energy charges", "amount": "200.00"}
    ]
    assert body["results"][0]["customer"] == "BHKATS00101"
    none = client_for("csa").get("/api/v1/reports/cash-register/?q=nobody").json()
    assert none["count"] == 0
    assert (
        client_for("csa").get("/api/v1/reports/cash-register/?plant=BHSIKA").status_code
        == 404
    )
    assert (
        client_for("technician").get("/api/v1/reports/cash-register/").status_code
        == 403
    )
    bad = client_for("csa").get("/api/v1/reports/cash-register/?start=nope")
    assert bad.status_code == 400


def test_receivables_need_one_plant(books: World, client_for: Clients) -> None:
    client = client_for("cluster_incharge")
    assert client.get("/api/v1/reports/receivables/").status_code == 400
    body = client.get("/api/v1/reports/receivables/?plant=BHKATS&sort=billed").json()
    assert body["outstanding"] == "300.00" and body["plant"] == "BHKATS"
    assert body["results"] == [
        {
            "customer": "BHKATS00101",
            "name": "Customer BHKATS",
            "status": "active",
            "billed": "0.00",
            "outstanding": "300.00",
        }
    ]
    assert client.get("/api/v1/reports/receivables/?plant=BHSIKA").status_code == 404
    operator = client_for("operator").get("/api/v1/reports/receivables/?plant=BHKATS")
    assert operator.status_code == 200


def test_ageing_and_total_collection(books: World, client_for: Clients) -> None:
    ageing = client_for("admin").get("/api/v1/reports/ageing/").json()
    assert ageing["total"]["active"]["91_120"] == {"amount": "300.00", "count": 1}
    total = client_for("admin").get("/api/v1/reports/total-collection/").json()
    figures = total["total"]["figures"]
    assert (figures["pos"], figures["wallet"], figures["card"]) == (
        "100.00",
        "40.00",
        "60.00",
    )
    assert client_for("technician").get("/api/v1/reports/ageing/").status_code == 403


def test_the_deposit_ledger(books: World, client_for: Clients) -> None:
    ok = client_for("csa").get("/api/v1/customers/BHKATS00101/deposit-ledger/")
    assert ok.status_code == 200 and ok.json()["rows"] == []
    assert (
        client_for("csa")
        .get("/api/v1/customers/BHSIKA00101/deposit-ledger/")
        .status_code
        == 404
    )
    assert (
        client_for("operator")
        .get("/api/v1/customers/BHKATS00101/deposit-ledger/")
        .status_code
        == 403
    )
