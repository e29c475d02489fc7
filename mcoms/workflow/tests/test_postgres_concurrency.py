"""Real concurrency on PostgreSQL: threads with their own connections, released
together, take the same step on one request, raise with one key, or raise for
one customer. The row lock and the unique constraints must let exactly one
win, and the losers get a clear refusal or the winner's request."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mcoms.core.errors import Conflict
from mcoms.customers.models import Customer
from mcoms.workflow import services
from mcoms.workflow.models import Request, RequestStep
from tests.builders import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_parallel(n: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(i)`` in ``n`` threads released at once; each result or exception."""
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


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.fail("these tests need PostgreSQL (row locks between connections)")


def deactivation(world: World, key: str | None = None) -> tuple[Request, bool]:
    customer = Customer.objects.get(pk=world.customers["BHKATS"].pk)
    return services.request_raise(
        kind="deactivation",
        plant=customer.plant,
        subject=customer,
        payload={"reason": "non_payment"},
        idempotency_key=key or str(uuid.uuid4()),
        by=world.user("csa"),
    )


def test_two_approvals_at_once_one_wins(world: World) -> None:
    req, _ = deactivation(world)
    approvers = ["state_incharge", "admin"]

    def approve(i: int) -> Request:
        return services.request_approve(
            request=Request.objects.get(pk=req.pk), by=world.user(approvers[i])
        )

    results = run_parallel(2, approve)

    won = [r for r in results if isinstance(r, Request)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], Conflict) and lost[0].code == "request_wrong_state"
    assert RequestStep.objects.filter(request=req, action="approve").count() == 1
    assert Request.objects.get(pk=req.pk).approved_by.username == (
        won[0].approved_by.username
    )


def test_two_executions_at_once_change_the_customer_once(world: World) -> None:
    req, _ = deactivation(world)
    services.request_approve(request=req, by=world.user("state_incharge"))
    services.request_assign(
        request=req,
        assignee=world.user("technician"),
        by=world.user("cluster_incharge"),
    )
    history = Customer.objects.get(pk=world.customers["BHKATS"].pk).history.count()

    def execute(i: int) -> Request:
        return services.request_execute(
            request=Request.objects.get(pk=req.pk), by=world.user("technician")
        )

    results = run_parallel(2, execute)

    assert sum(isinstance(r, Request) for r in results) == 1
    refused = [r for r in results if isinstance(r, Conflict)]
    assert [e.code for e in refused] == ["request_wrong_state"]
    customer = Customer.objects.get(pk=world.customers["BHKATS"].pk)
    assert customer.status == "inactive"
    assert customer.history.count() == history + 1


def test_twenty_raises_with_one_key_make_one_request(world: World) -> None:
    results = run_parallel(20, lambda i: deactivation(world, key="same-tap"))

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sorted(created for _, created in results) == [False] * 19 + [True]
    assert len({req.pk for req, _ in results}) == 1
    assert Request.objects.count() == 1
    assert RequestStep.objects.count() == 1


def test_ten_raises_for_one_customer_open_one_request(world: World) -> None:
    results = run_parallel(10, lambda i: deactivation(world))

    created = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(created) == 1
    assert {getattr(e, "code", repr(e)) for e in refused} == {"request_already_open"}
    assert Request.objects.count() == 1


def test_raises_at_one_plant_at_once_get_distinct_numbers(world: World, probe) -> None:
    def raise_probe(i: int) -> Request:
        req, _created = services.request_raise(
            kind="probe",
            plant=world.plants["BHKATS"],
            idempotency_key=f"probe-{i}",
            by=world.user("csa"),
        )
        return req

    results = run_parallel(10, raise_probe)

    assert [r for r in results if isinstance(r, BaseException)] == []
    numbers = sorted(r.number for r in results)
    assert numbers == [f"BHKATS-{n:05d}" for n in range(1, 11)]
