"""Interval ingestion: good rows stored and bad ones refused and reported,
duplicates counted not stored, gaps and counter resets reported, the batch
key, and the daily roll-up that billing reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.metering.ingest import csv_ingest, intervals_ingest
from mcoms.metering.models import IntervalReading, Reading, ReadingBatch
from mcoms.metering.selectors import usage_for_period
from mcoms.metering.simulator import inject, simulate_intervals
from mcoms.metering.tests.reading_kit import install
from tests.builders import World

# Midnight in India (the plants' zone) is 18:30 UTC the day before.
DAY1 = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)  # 1 Oct 00:00 IST
DAY3 = DAY1 + timedelta(days=2)
Q = timedelta(minutes=15)


def rows(serial: str, data: list[tuple[datetime, Decimal]], start: int = 0):
    return [(start + n, serial, at, kwh) for n, (at, kwh) in enumerate(data)]


def sim(serial: str = "SM-1", start: datetime = DAY1, end: datetime = DAY3):
    return simulate_intervals(meter_serial=serial, seed=3, start=start, end=end)


def ingest(world: World, data, key: str = "b1", **kw):
    kw.setdefault("source", "api")
    return intervals_ingest(company=world.company, rows=data, key=key, **kw)


def smart(world: World, serial: str = "SM-1", **kw):
    kw.setdefault("installed_at", DAY1 - timedelta(days=30))
    return install(world, serial, kind="smart", digits=kw.pop("digits", 7), **kw)


def test_two_clean_days_are_stored_and_rolled_up(world: World) -> None:
    meter = smart(world)
    data = sim()
    batch, created = ingest(world, rows("SM-1", data))
    assert created
    assert (batch.received, batch.stored, batch.duplicates, batch.rejected) == (
        192,
        192,
        0,
        0,
    )
    assert (batch.gaps, batch.resets, batch.report) == (0, 0, [])
    assert IntervalReading.objects.filter(meter=meter).count() == 192
    days = list(Reading.objects.filter(meter=meter).order_by("taken_at"))
    assert [d.taken_at for d in days] == [DAY1, DAY1 + timedelta(days=1)]
    assert [d.value for d in days] == [data[95][1], data[-1][1]]
    # The first day has no counter before its first interval.
    assert days[0].units == data[95][1] - data[0][1]
    assert days[1].units == data[-1][1] - data[95][1]
    assert {(d.source, d.status, d.customer_id) for d in days} == {
        ("smart", "approved", world.customers["BHKATS"].pk)
    }
    usage = usage_for_period(plant=world.plants["BHKATS"], start=DAY1, end=DAY3)
    assert usage[world.customers["BHKATS"].pk].kwh == data[-1][1] - data[0][1]


def test_a_batch_with_bad_rows_stores_the_good_ones(world: World) -> None:
    smart(world)
    install(world, "CM-9", kind="conventional", customer="BHSIKA")
    good = rows("SM-1", sim(end=DAY1 + 4 * Q))
    bad = [
        (10, "SM-404", DAY1 + Q, "1"),
        (11, "CM-9", DAY1 + Q, "1"),
        (12, "SM-1", "yesterday", "1"),
        (13, "SM-1", "2026-10-01T10:00:00", "1"),
        (14, "SM-1", DAY1 + Q + timedelta(minutes=1), "1"),
        (15, "SM-1", DAY1 + timedelta(days=3650), "1"),
        (16, "SM-1", DAY1 + 9 * Q, "lots"),
        (17, "SM-1", DAY1 + 9 * Q, "-2"),
        (18, "SM-1", DAY1 - timedelta(days=60), "1"),
        (19, None, "", ""),
    ]
    batch, _ = ingest(world, good + bad)
    assert (batch.received, batch.stored, batch.rejected) == (14, 4, 10)
    codes = [(i["row"], i["code"]) for i in batch.report]
    assert codes == [
        (10, "meter_unknown"),
        (11, "meter_not_smart"),
        (12, "time_invalid"),
        (13, "time_without_zone"),
        (14, "time_not_on_interval"),
        (15, "time_in_future"),
        (16, "kwh_invalid"),
        (17, "kwh_negative"),
        (18, "reading_before_installation"),
        (19, "row_invalid"),
    ]
    assert IntervalReading.objects.count() == 4


def test_duplicates_are_counted_not_stored(world: World) -> None:
    smart(world)
    data = sim(end=DAY1 + 8 * Q)
    ingest(world, rows("SM-1", data[:4]), key="first")
    again = rows("SM-1", data)  # four held already, four new
    again.append((99, "SM-1", data[5][0], data[5][1]))  # twice in this batch
    changed = (100, "SM-1", data[0][0], data[0][1] + 1)  # held, other counter
    batch, _ = ingest(world, [*again, changed], key="second")
    assert (batch.received, batch.stored, batch.duplicates) == (10, 4, 6)
    assert [(i["row"], i["code"]) for i in batch.report] == [(100, "duplicate_differs")]
    assert IntervalReading.objects.count() == 8
    held = IntervalReading.objects.get(at=data[0][0])
    assert held.kwh == data[0][1]


def test_gaps_are_reported_with_the_missing_intervals(world: World) -> None:
    smart(world)
    data = inject(sim(), gaps=[(DAY1 + 10 * Q, DAY1 + 14 * Q)])
    batch, _ = ingest(world, rows("SM-1", data))
    assert batch.gaps == 4
    gaps = [i for i in batch.report if i["code"] == "gap"]
    assert gaps == [
        {
            "meter": "SM-1",
            "code": "gap",
            "from": "2026-09-30T21:00:00Z",
            "to": "2026-09-30T22:15:00Z",
            "missing": 4,
        }
    ]
    day = Reading.objects.get(taken_at=DAY1)
    assert day.missing_intervals == 4
    # The energy across the gap still counts (to the day of its end).
    assert day.units == data[95 - 4][1] - data[0][1]


def test_a_gap_against_held_data_is_reported(world: World) -> None:
    smart(world)
    data = sim()
    ingest(world, rows("SM-1", data[:10]), key="a")
    batch, _ = ingest(world, rows("SM-1", data[20:30]), key="b")
    assert batch.gaps == 10  # data[10] to data[19]
    assert batch.report[0]["from"] == data[9][0].isoformat().replace("+00:00", "Z")


def test_a_counter_reset_is_reported_and_counted_from_zero(world: World) -> None:
    smart(world)
    clean = sim()
    data = inject(clean, resets=[DAY1 + 40 * Q])
    batch, _ = ingest(world, rows("SM-1", data))
    assert batch.resets == 1
    reset = next(i for i in batch.report if i["code"] == "counter_reset")
    assert (reset["at"], reset["rollover"]) == ("2026-10-01T04:30:00Z", False)
    days = list(Reading.objects.order_by("taken_at"))
    assert (days[0].counter_reset, days[1].counter_reset) == (True, False)
    # Counting from zero at the reset loses no energy.
    assert days[0].units == clean[95][1] - clean[0][1]
    assert days[1].units == clean[-1][1] - clean[95][1]


def test_a_rollover_at_the_top_of_the_register(world: World) -> None:
    smart(world, digits=4)
    data = [
        (DAY1 + Q, Decimal("9999.5")),
        (DAY1 + 2 * Q, Decimal("9999.9")),
        (DAY1 + 3 * Q, Decimal("0.4")),
    ]
    batch, _ = ingest(world, rows("SM-1", data))
    assert batch.report[0]["rollover"] is True
    day = Reading.objects.get()
    assert (day.units, day.rollover, day.counter_reset) == (Decimal("0.9"), True, False)


def test_a_day_delivered_in_parts_is_recomputed(world: World) -> None:
    smart(world)
    data = sim()
    ingest(world, rows("SM-1", data[:50]), key="a")
    assert Reading.objects.get(taken_at=DAY1).value == data[49][1]
    ingest(world, rows("SM-1", data[50:96]), key="b")
    day = Reading.objects.get(taken_at=DAY1)
    assert (day.value, day.units) == (data[95][1], data[95][1] - data[0][1])
    assert Reading.objects.count() == 1


def test_the_same_batch_key_writes_nothing_again(world: World) -> None:
    smart(world)
    first, _ = ingest(world, rows("SM-1", sim()), digest="abc")
    again, created = ingest(world, rows("SM-1", sim()), digest="abc")
    assert (again.pk, created) == (first.pk, False)
    assert IntervalReading.objects.count() == 192
    with pytest.raises(Conflict) as err:
        ingest(world, [], digest="other")
    assert err.value.code == "batch_key_reused"
    with pytest.raises(ValidationFailed):
        ingest(world, [], key=" ")
    assert ReadingBatch.objects.count() == 1


def test_meters_outside_the_scope_are_unknown(world: World) -> None:
    smart(world)
    smart(world, "SM-2", customer="BHSIKA")
    from mcoms.metering.selectors import meters_for

    scope = meters_for(world.user("csa"))
    data = rows("SM-1", sim(end=DAY1 + Q)) + rows("SM-2", sim("SM-2", end=DAY1 + Q), 1)
    batch, _ = ingest(world, data, scope=scope)
    assert (batch.stored, batch.report[0]["code"]) == (1, "meter_unknown")


def test_a_csv_file(world: World) -> None:
    smart(world)
    lines = ["meter,at,kwh"] + [
        f"sm-1,{at.isoformat()},{kwh}" for at, kwh in sim(end=DAY1 + 4 * Q)
    ]
    lines.append("SM-1,not a time,1")
    lines.append("just one cell")
    data = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()
    batch, _ = csv_ingest(company=world.company, data=data, key="file-1")
    assert (batch.source, batch.stored, batch.rejected) == ("csv", 4, 2)
    assert [(i["row"], i["code"]) for i in batch.report] == [
        (6, "time_invalid"),
        (7, "row_invalid"),
    ]
    with pytest.raises(ValidationFailed) as err:
        csv_ingest(company=world.company, data=b"serial,time\n", key="file-2")
    assert err.value.code == "csv_header"


def test_late_rows_fill_a_gap_and_the_day_is_recomputed(world: World) -> None:
    smart(world)
    data = sim()
    ingest(world, rows("SM-1", data[:10] + data[20:]), key="a")
    assert Reading.objects.get(taken_at=DAY1).missing_intervals == 10
    batch, _ = ingest(world, rows("SM-1", data[10:20]), key="b")
    assert (batch.stored, batch.gaps) == (10, 0)
    day = Reading.objects.get(taken_at=DAY1)
    assert (day.units, day.missing_intervals) == (data[95][1] - data[0][1], 0)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_parts_in_any_order_give_the_same_days(world: World, order: int) -> None:
    import random

    smart(world)
    data = sim()
    parts = [data[i : i + 37] for i in range(0, len(data), 37)]
    random.Random(order).shuffle(parts)
    for n, part in enumerate(parts):
        ingest(world, rows("SM-1", part), key=f"part-{n}")
    days = list(Reading.objects.order_by("taken_at"))
    assert [(d.value, d.units, d.missing_intervals) for d in days] == [
        (data[95][1], data[95][1] - data[0][1], 0),
        (data[-1][1], data[-1][1] - data[95][1], 0),
    ]
