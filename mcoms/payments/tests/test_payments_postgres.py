"""Real concurrency on PostgreSQL (threads, each with its own connection,
released together by a barrier):

* 50 cash payments posted at once on one customer end with the exact balance:
  every payment one balanced journal, no charge paid twice, the cash in hand
  the sum, ``ledger_check`` passes;
* 20 API posts with one Idempotency-Key at once: one 201, one payment;
* one provider callback replayed 1,000 times (threads at once, then one after
  another) makes one payment; every delivery is kept as an event.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mcoms.ledger.models import Journal
from mcoms.payments.models import EventState, Payment, PaymentAllocation, ProviderEvent
from mcoms.payments.providers.simulator import SimulatorGateway
from mcoms.payments.services import payment_from_callback, payment_take_cash
from mcoms.payments.tests.kit import balance, charge, owed
from tests.builders import World, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


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
        thread.join(180)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def errors(results: list[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


@pytest.fixture
def world() -> World:
    return build_world()


def test_fifty_payments_at_once_on_one_account(world: World) -> None:
    assert connection.vendor == "postgresql"
    customer = world.customers["BHKATS"]
    charge(customer, "ACT", "500.00")
    charge(customer, "CHG", "400.00")
    charge(customer, "WATER", "300.00")
    amounts = [D(10 + i) + D("0.25") for i in range(50)]  # 10.25 ... 59.25
    services = ["", "", "", "WATER", ""]
    users = ["csa", "cluster_incharge", "admin"]

    def pay(i: int) -> Payment:
        return payment_take_cash(
            customer=customer,
            amount=str(amounts[i]),
            by=world.user(users[i % 3]),
            service=services[i % 5],
            client_key=str(uuid.uuid4()),
        ).payment

    results = run_parallel(50, pay)
    assert errors(results) == []
    total = sum(amounts, D("0"))  # 1737.50
    assert Payment.objects.count() == 50
    assert Journal.objects.filter(kind="cash_collection").count() == 50
    left = owed(customer)
    assert sum(left.values(), D("0")) == D("1200.00") - total
    cash = sum(balance(f"STF:{u}:CASH", customer) for u in users)
    assert cash == total
    for payment in Payment.objects.all():
        parts = payment.allocations.values_list("amount", flat=True)
        assert sum(parts, D("0")) == payment.amount
    # Oldest first never pays a charge twice: the activation charge (oldest)
    # is paid exactly, once; energy and water end paid or in advance.
    paid_act = PaymentAllocation.objects.filter(service="ACT").values_list(
        "amount", flat=True
    )
    assert sum(paid_act, D("0")) == D("500.00")
    assert "ACT" not in left
    assert left.get("CHG", D("0")) <= 0 and left.get("WATER", D("0")) <= 0
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "OK" in out.getvalue()


def test_one_key_posted_twenty_times_at_once_is_one_payment(world: World) -> None:
    token = Token.objects.create(user=world.user("csa")).key
    cache.clear()

    def post(i: int) -> tuple[int, str]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(
            "/api/v1/payments/",
            {"customer": "BHKATS00101", "amount": "75.00"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="same-key",
        )
        return response.status_code, response.json()["id"]

    results = run_parallel(20, post)
    assert errors(results) == []
    statuses = sorted(s for s, _ in results)
    assert statuses == [200] * 19 + [201]
    assert len({uid for _, uid in results}) == 1
    assert Payment.objects.count() == 1 and Journal.objects.count() == 1


def test_one_callback_replayed_a_thousand_times_makes_one_payment(world: World) -> None:
    sim = SimulatorGateway("tara")
    body, headers, pay_id = sim.webhook(
        amount=D("250.00"), currency="INR", customer_id="BHKATS00101"
    )

    def deliver(_i: int = 0) -> ProviderEvent:
        return payment_from_callback(
            provider="simulator",
            company_code="tara",
            kind="webhook",
            body=body,
            headers=headers,
        )

    def burst(i: int) -> list[int]:
        return [deliver().payment_id or 0 for _ in range(25)]

    results = run_parallel(20, burst)  # 500 at once
    assert errors(results) == []
    sequential = [deliver().payment_id for _ in range(500)]  # 500 more
    payment = Payment.objects.get()
    assert payment.provider_ref == pay_id and payment.amount == D("250.00")
    assert {p for r in results for p in r} == {payment.pk}
    assert set(sequential) == {payment.pk}
    assert ProviderEvent.objects.count() == 1000
    assert (
        ProviderEvent.objects.filter(
            state=EventState.PROCESSED, payment=payment
        ).count()
        == 1000
    )
    assert Journal.objects.filter(kind="payment").count() == 1
    assert owed(world.customers["BHKATS"]) == {"CHG": D("-250.00")}
