"""Real races on PostgreSQL (threads with their own connections released by a
barrier): tokens for different payments at once take distinct counts; one
payment asked for twice at once gets one token; one command key sent twice
at once makes one command; two supply reviews at once switch off once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mcoms.customers.models import Customer
from mcoms.metering.control import command_request
from mcoms.metering.models import Meter, MeterCommand, TokenIssue
from mcoms.metering.supply import supply_review
from mcoms.metering.tests.control_kit import KEY, installed
from mcoms.metering.tests.test_supply import owe
from mcoms.metering.tokens import meter_payg_setup, token_issue
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


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


@pytest.fixture
def limiter(world: World) -> Meter:
    meter = installed(world.customers["BHKATS"], "LL-1", kind="load_limiter")
    return meter_payg_setup(meter=meter, secret=KEY, by=None)


def test_different_payments_at_once_take_distinct_counts(limiter: Meter) -> None:
    def issue(i: int) -> tuple[int, str]:
        made, _ = token_issue(meter=limiter, payment_ref=f"PAY-{i}", days=10 + i)
        return made.count, made.token

    results = run_parallel(4, issue)
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(count for count, _ in results) == [2, 4, 6, 8]
    assert len({token for _, token in results}) == 4
    assert Meter.objects.get(pk=limiter.pk).payg_count == 8


def test_one_payment_asked_twice_at_once_gets_one_token(limiter: Meter) -> None:
    def issue(i: int) -> tuple[int, str, bool]:
        made, created = token_issue(meter=limiter, payment_ref="PAY-1", days=30)
        return made.pk, made.token, created

    results = run_parallel(3, issue)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({(pk, token) for pk, token, _ in results}) == 1
    assert sorted(created for _, _, created in results) == [False, False, True]
    assert TokenIssue.objects.count() == 1
    assert Meter.objects.get(pk=limiter.pk).payg_count == 2


def test_one_command_key_sent_twice_at_once_makes_one_command(world: World) -> None:
    meter = installed(world.customers["BHKATS"], "SM-1")

    def send(i: int) -> tuple[int, bool]:
        command, created = command_request(target=meter, action="off", key="k", by=None)
        return command.pk, created

    results = run_parallel(2, send)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({pk for pk, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    assert MeterCommand.objects.count() == 1


def test_two_supply_reviews_at_once_switch_off_once(world: World) -> None:
    package = make(world.plants["BHKATS"], PREPAID, credit_limit="100")
    Customer.objects.filter(pk=world.customers["BHKATS"].pk).update(package=package)
    customer = Customer.objects.get(pk=world.customers["BHKATS"].pk)
    installed(customer, "SM-1")
    owe(customer, "500")

    def review(i: int) -> int:
        return supply_review(customers=[customer]).switched_off

    results = run_parallel(2, review)
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results) == [0, 1]
    assert MeterCommand.objects.filter(action="off").count() == 1
