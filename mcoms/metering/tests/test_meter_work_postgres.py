"""Change Meter and Unreleased Meter under real concurrency on PostgreSQL:
threads with their own connections, released together. The locks (customer,
then meters by primary key, then assignments) and the unique constraints let
exactly one win; the others get the winner's result or a clear refusal, and
nothing is written twice."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mcoms.core.errors import DomainError
from mcoms.metering import releases
from mcoms.metering.models import Meter, MeterAssignment, MeterState, Reading
from mcoms.metering.tests.change_kit import change, install, neighbour, receive, site
from mcoms.workflow import services as chain
from mcoms.workflow.models import Request
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


def codes(results: list[Any]) -> list[str]:
    return sorted(r.code for r in results if isinstance(r, DomainError))


def test_one_key_sent_ten_times_changes_the_meter_once(world: World) -> None:
    s = site(world)
    key = str(uuid.uuid4())
    results = run_parallel(8, lambda i: change(world, s, idempotency_key=key))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len({req.pk for req, _created in results}) == 1
    assert sorted(created for _req, created in results) == [False] * 7 + [True]
    assert Request.objects.count() == 1
    assert Reading.objects.count() == 2
    assert MeterAssignment.objects.filter(removed_at__isnull=True).count() == 1


def test_two_changes_of_one_meter_at_once_one_wins(world: World) -> None:
    s = site(world)
    other_new = receive(world, "NEW-2")

    def work(i: int) -> Any:
        return change(world, s, new_meter=[s.new, other_new][i])

    results = run_parallel(2, work)
    won = [r for r in results if isinstance(r, tuple)]
    assert len(won) == 1
    assert codes(results) == ["meter_not_current"]
    assert Request.objects.count() == 1
    assert Reading.objects.count() == 2
    in_stock = Meter.objects.filter(serial__in=["NEW-1", "NEW-2"])
    assert sorted(m.state for m in in_stock) == [
        MeterState.ASSIGNED,
        MeterState.AVAILABLE,
    ]


def test_two_customers_picking_one_new_meter_at_once_one_wins(world: World) -> None:
    s = site(world)
    other = neighbour(s.customer.plant)
    other_old = receive(world, "OLD-2")
    install(other, other_old)
    t = site_for(other, other_old, s.new)

    def work(i: int) -> Any:
        return change(world, [s, t][i])

    results = run_parallel(2, work)
    assert len([r for r in results if isinstance(r, tuple)]) == 1
    assert codes(results) == ["meter_not_in_stock"]
    assert MeterAssignment.objects.filter(meter=s.new).count() == 1


def site_for(customer: Any, old: Meter, new: Meter) -> Any:
    from mcoms.metering.tests.change_kit import Site

    assignment = MeterAssignment.objects.get(meter=old, removed_at__isnull=True)
    return Site(customer, Meter.objects.get(pk=old.pk), assignment, new)


def test_a_release_and_a_change_of_one_meter_at_once_one_wins(world: World) -> None:
    s = site(world)
    req, _ = releases.meter_release_raise(
        meter=s.old, reason="other", idempotency_key="r", by=world.user("csa")
    )
    req = chain.request_assign(
        request=req, assignee=world.user("technician"), by=world.user("admin")
    )

    def work(i: int) -> Any:
        if i == 0:
            return change(world, s)
        return releases.meter_release_execute(
            request=Request.objects.get(pk=req.pk),
            destination="plant",
            final_reading="140",
            by=world.user("technician"),
        )

    results = run_parallel(2, work)
    assert len([r for r in results if not isinstance(r, BaseException)]) == 1
    assert codes(results) in (["meter_not_current"], ["meter_not_in_service"])
    assert Reading.objects.filter(source="removal").count() == 1
    assert MeterAssignment.objects.filter(meter=s.old).get().removed_at is not None
