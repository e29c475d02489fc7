"""Real concurrency on PostgreSQL (threads with their own connections,
released together by a barrier), through the payments service: 50 cash
payments at once on one account get 50 distinct, consecutive receipt numbers
(1 to 50, none skipped, none twice), each receipt's outstanding is what the
ledger says right after its payment, and every receipt verifies; payments of
two plants at once number each plant from 1."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from mcoms.payments.models import Payment
from mcoms.payments.services import payment_take_cash
from mcoms.payments.tests.kit import charge
from mcoms.receipts.models import Receipt, ReceiptSend, ReceiptSequence
from mcoms.receipts.selectors import GENUINE, receipt_verify
from tests.builders import World, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
N = 50


def run_parallel(n: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            results[i] = work(i)
        except BaseException as exc:  # reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


@pytest.fixture
def world() -> World:
    return build_world()


def test_fifty_payments_at_once_get_fifty_consecutive_numbers(world: World) -> None:
    assert connection.vendor == "postgresql"
    customer = world.customers["BHKATS"]
    charge(customer, "CHG", "2000.00")
    users = ["csa", "cluster_incharge", "admin"]

    def pay(i: int) -> str:
        return payment_take_cash(
            customer=customer,
            amount=f"{10 + i}.00",
            by=world.user(users[i % 3]),
            client_key=str(uuid.uuid4()),
        ).payment.receipt.number

    results = run_parallel(N, pay)
    assert [r for r in results if isinstance(r, BaseException)] == []
    receipts = list(Receipt.objects.select_related("payment").order_by("seq"))
    year = receipts[0].year
    assert sorted(results) == [f"R-BHKATS-{year}-{n:06d}" for n in range(1, N + 1)]
    assert [r.seq for r in receipts] == list(range(1, N + 1))
    assert ReceiptSequence.objects.get(plant=customer.plant, year=year).last == N
    assert Payment.objects.count() == N
    # In number order, the outstanding falls by each payment: the receipt
    # was written right after its own payment, under the account's lock.
    owed = D("2000.00")
    for receipt in receipts:
        owed -= receipt.payment.amount
        assert receipt.outstanding_total == owed, receipt.number
    assert owed == D("2000.00") - sum(D(10 + i) for i in range(N))
    assert all(receipt_verify(r.token).state == GENUINE for r in receipts)
    assert ReceiptSend.objects.filter(key="auto").count() == N


def test_two_plants_at_once_number_each_from_one(world: World) -> None:
    keys = ["BHKATS", "BHSIKA"]
    users = {"BHKATS": "csa", "BHSIKA": "sika_csa"}

    def pay(i: int) -> str:
        key = keys[i % 2]
        return payment_take_cash(
            customer=world.customers[key],
            amount="5.00",
            by=world.user(users[key]),
            client_key=str(uuid.uuid4()),
        ).payment.receipt.number

    results = run_parallel(20, pay)
    assert [r for r in results if isinstance(r, BaseException)] == []
    for key in keys:
        seqs = sorted(
            Receipt.objects.filter(plant=world.plants[key]).values_list(
                "seq", flat=True
            )
        )
        assert seqs == list(range(1, 11)), key
