"""Real concurrency on PostgreSQL (threads with their own connections,
released together): deposits racing for one agent's cash cannot together
exceed it; one form submitted ten times at once makes one deposit; cash
payments racing over the limit alert exactly once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from mcoms.cash.models import BankDeposit
from mcoms.cash.services import bank_deposit_register, cash_limit_set
from mcoms.cash.tests.kit import cash_of, slip_png, take_cash
from mcoms.core.errors import ValidationFailed
from mcoms.ledger.selectors import journals_unbalanced
from mcoms.notifications.models import Message
from mcoms.payments.services import payment_take_cash
from mcoms.payments.tests.kit import charge
from tests.builders import World, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world() -> World:
    return build_world()


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
        thread.join(120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def register(world: World, amount: str, key: str) -> Any:
    return bank_deposit_register(
        agent=world.user("csa"),
        plant=world.plants["BHKATS"],
        amount=amount,
        deposited_on=timezone.localdate(),
        bank="SBI",
        slip=slip_png(),
        client_key=key,
    )


def test_racing_deposits_never_exceed_the_cash_in_hand(world: World) -> None:
    assert connection.vendor == "postgresql"
    take_cash(world.customers["BHKATS"], world.user("csa"), "1000")
    results = run_parallel(8, lambda i: register(world, "300", str(uuid.uuid4())))
    made = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(made) == 3 and len(refused) == 5, results
    assert {e.code for e in refused} == {"deposit_exceeds_cash"}
    assert cash_of("csa") == D("100.00")
    assert not journals_unbalanced().exists()


def test_one_form_sent_ten_times_at_once_makes_one_deposit(
    world: World, settings: Any
) -> None:
    take_cash(world.customers["BHKATS"], world.user("csa"), "500")
    key = str(uuid.uuid4())
    results = run_parallel(10, lambda i: register(world, "200", key))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(1 for _d, created in results if created) == 1
    assert BankDeposit.objects.count() == 1
    assert cash_of("csa") == D("300.00")
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(files) == 1  # the losers' files were removed


def test_payments_racing_over_the_limit_alert_once(world: World) -> None:
    cash_limit_set(
        company=world.company, plant=None, amount="100", by=world.user("admin")
    )
    customer = world.customers["BHKATS"]
    charge(customer, "CHG", "1000")

    def pay(i: int) -> Any:
        return payment_take_cash(
            customer=customer,
            amount="30",
            by=world.user("csa"),
            client_key=str(uuid.uuid4()),
        )

    results = run_parallel(8, pay)
    assert not [r for r in results if isinstance(r, BaseException)], results
    alerts = Message.objects.filter(template="cash_limit_crossed", user__username="csa")
    assert alerts.count() == 1
    assert cash_of("csa") == D("240.00")
