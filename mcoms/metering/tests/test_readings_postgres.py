"""Readings under real concurrency on PostgreSQL: threads with their own
connections, released together. Two deliveries for one meter's day are
serialised by the meters' advisory locks, so the day reading counts every
interval; one batch key sent twice at once is stored once; one client key
for a manual reading twice at once records one reading."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from mcoms.metering.ingest import intervals_ingest
from mcoms.metering.models import IntervalReading, Reading, ReadingBatch
from mcoms.metering.readings import reading_record
from mcoms.metering.simulator import simulate_intervals
from mcoms.metering.tests.reading_kit import IN_WINDOW, install
from tests.builders import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DAY1 = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)


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


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.fail("these tests need PostgreSQL (locks between connections)")


def day() -> list[tuple[datetime, Any]]:
    return simulate_intervals(
        meter_serial="SM-1", seed=4, start=DAY1, end=DAY1 + timedelta(days=1)
    )


def test_two_deliveries_of_one_day_at_once(world: World) -> None:
    install(world, "SM-1", kind="smart", digits=7, installed_at=DAY1 - timedelta(9))
    data = day()
    halves = [data[0::2], data[1::2]]  # interleaved: each needs the other's rows

    def deliver(i: int) -> Any:
        rows = [(n, "SM-1", at, kwh) for n, (at, kwh) in enumerate(halves[i])]
        return intervals_ingest(
            company=world.company, rows=rows, key=f"half-{i}", source="api"
        )

    results = run_parallel(2, deliver)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert IntervalReading.objects.count() == 96
    reading = Reading.objects.get(source="smart")
    assert (reading.units, reading.missing_intervals) == (
        data[-1][1] - data[0][1],
        0,
    )


def test_one_batch_key_twice_at_once(world: World) -> None:
    install(world, "SM-1", kind="smart", digits=7, installed_at=DAY1 - timedelta(9))
    rows = [(n, "SM-1", at, kwh) for n, (at, kwh) in enumerate(day())]

    def deliver(_i: int) -> Any:
        return intervals_ingest(
            company=world.company, rows=rows, key="same", source="api", digest="d"
        )

    results = run_parallel(4, deliver)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(created for _batch, created in results) == [False, False, False, True]
    assert ReadingBatch.objects.count() == 1
    assert IntervalReading.objects.count() == 96


def test_one_client_key_twice_at_once(world: World) -> None:
    meter = install(world, "CM-1", initial="100")

    def record(_i: int) -> Any:
        return reading_record(
            meter=meter,
            value="150",
            taken_at=IN_WINDOW,
            client_key="phone-uuid-1",
            by=world.user("technician"),
        )

    results = run_parallel(4, record)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len({reading.pk for reading, _created in results}) == 1
    assert Reading.objects.count() == 1
