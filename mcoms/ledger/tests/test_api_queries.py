"""The ledger endpoints cost a constant number of queries: a journal with many
lines, and a page of many accounts, read no more than a small one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from mcoms.ledger.models import Service
from mcoms.ledger.services import (
    account_for_customer,
    account_for_plant_revenue,
    journal_post,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("mcoms.ledger.tests.urls")]
BASE = "/api/v1/ledger"
QUERIES = 3  # staff, journal, entries with accounts
REVERSE_QUERIES = 14
LIST_QUERIES = 3  # staff, count, page with plants


@pytest.fixture
def admin(world):
    client = APIClient()
    client.force_authenticate(world.user("admin"))
    return client


def _customers(world, plant_key, count):
    plant = world.plants[plant_key]
    return [
        account_for_customer(
            company=world.company,
            customer_id=f"{plant_key}{i:05d}",
            plant=plant,
            service=Service.ENERGY,
        )
        for i in range(count)
    ]


def _journal(world, key, count):
    """A bill of ``count`` customers against the plant's revenue."""
    plant = world.plants["BHKATS"]
    revenue = account_for_plant_revenue(plant=plant, service=Service.ENERGY)
    customers = _customers(world, "BHKATS", count)
    lines = [(a, Decimal("1.00")) for a in customers]
    lines.append((revenue, Decimal(-count)))
    return journal_post(
        company=world.company, idempotency_key=key, kind="bill", lines=lines
    )


@pytest.mark.parametrize("count", [1, 30])
def test_journal_detail_reads_a_constant_number_of_queries(
    world, admin, django_assert_max_num_queries, count
):
    journal = _journal(world, f"bill-{count}", count)
    with django_assert_max_num_queries(QUERIES):
        response = admin.get(f"{BASE}/journals/{journal.pk}/")
    assert response.status_code == 200
    assert len(response.json()["lines"]) == count + 1


@pytest.mark.parametrize("count", [1, 30])
def test_posting_and_reversing_answer_with_a_constant_number_of_queries(
    world, admin, django_assert_max_num_queries, count
):
    journal = _journal(world, f"bill-{count}", count)
    url = f"{BASE}/journals/{journal.pk}/reverse/"
    with django_assert_max_num_queries(REVERSE_QUERIES):
        response = admin.post(url, {}, format="json", headers={"Idempotency-Key": "r"})
    assert response.status_code == 201
    assert len(response.json()["lines"]) == count + 1


@pytest.mark.parametrize("count", [1, 20])
def test_the_account_list_reads_a_constant_number_of_queries(
    world, admin, django_assert_max_num_queries, count
):
    _customers(world, "BHKATS", count)
    _customers(world, "BHSIKA", count)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = admin.get(f"{BASE}/accounts/")
    assert response.status_code == 200
    assert response.json()["count"] == 2 * count
    assert all(row["plant"] for row in response.json()["results"])
