"""Daily register readings from smart meters' interval data
(docs/decisions/0052).

A smart meter's day D (in its plant's time zone) is the intervals ending in
(D 00:00, D+1 00:00]. Its daily reading is dated D 00:00 (so that a billing
window [first of the month, first of the next) holds exactly its days), shows
the counter at the day's last interval, and has ``units`` = the energy of the
day's intervals: each interval's counter minus the one before it, whatever
day that one fell on. A counter below the one before is explicit:

* near the top of the register (above 90 % of 10 ** digits) and back near zero
  (below 10 %): a rollover, energy = counter + 10 ** digits - previous;
* otherwise a reset: the meter counts from zero again, energy = counter.

Either sets the flag on the day's reading; missing intervals are counted on it.
The readings are approved at once (the meter read itself) and written with
one upsert on (meter, taken_at): a day delivered in parts is recomputed from
all its intervals each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from mcoms.metering.models import (
    MeterAssignment,
    Reading,
    ReadingSource,
    ReadingStatus,
)
from mcoms.metering.sql import bound_cursor

INTERVAL = 15 * 60
ROLLOVER_HIGH = Decimal("0.9")
ROLLOVER_LOW = Decimal("0.1")


class Point(NamedTuple):
    """A counter at the end of an interval (epoch seconds); ``new``: in the
    delivery being stored (the others were held already)."""

    epoch: int
    kwh: Decimal
    new: bool


def step_energy(
    previous: Decimal, current: Decimal, digits: int
) -> tuple[Decimal, str]:
    """Energy between two counters, and ``""``, ``"rollover"`` or ``"reset"``."""
    if current >= previous:
        return current - previous, ""
    top = Decimal(10) ** digits
    if previous >= top * ROLLOVER_HIGH and current < top * ROLLOVER_LOW:
        return current + top - previous, "rollover"
    return current, "reset"


@dataclass
class _Day:
    start: int
    value: Decimal = Decimal(0)
    units: Decimal | None = None
    rollover: bool = False
    reset: bool = False
    missing: int = 0


class DayClock:
    """Local days of interval ends in one time zone, memoised (a batch
    repeats the same times across its meters)."""

    def __init__(self, tz: str) -> None:
        self.zone = ZoneInfo(tz)
        self.days: dict[int, date] = {}
        self.starts: dict[date, int] = {}

    def day(self, epoch: int) -> date:
        """The day of the interval ending at ``epoch`` (midnight ends the day
        before)."""
        hit = self.days.get(epoch)
        if hit is None:
            hit = self.days[epoch] = datetime.fromtimestamp(epoch - 1, self.zone).date()
        return hit

    def start(self, day: date) -> int:
        hit = self.starts.get(day)
        if hit is None:
            midnight = datetime.combine(day, time(0), self.zone)
            hit = self.starts[day] = int(midnight.timestamp())
        return hit

    def start_of(self, epoch: int) -> int:
        return self.start(self.day(epoch))

    def end_of(self, epoch: int) -> int:
        return self.start(self.day(epoch) + timedelta(days=1))


class Seed(NamedTuple):
    """A stored day reading to carry on from."""

    start: int  # epoch of the day's start
    value: Decimal
    units: Decimal | None
    rollover: bool
    reset: bool
    missing: int


@dataclass
class Series:
    """One meter's points for the roll-up, sorted by time: either every point
    of the days touched (and the one before), or (``seed``) the stored day
    reading to carry on from, the point it ended on and the new points."""

    tz: str
    digits: int
    points: list[Point]
    seed: Seed | None = None


def _days_of(clock: DayClock, series: Series) -> list[_Day]:
    """The day totals of the days from the first new point's to the last
    one's (points of those days that were held already count too)."""
    news = [p.epoch for p in series.points if p.new]
    lo, hi = clock.start_of(min(news)), clock.end_of(max(news))
    seed = series.seed
    out: list[_Day] = []
    acc: _Day | None = None
    day_end = lo
    previous: Point | None = None
    for point in series.points:
        if lo < point.epoch <= hi:
            if acc is None or point.epoch > day_end:
                start = clock.start_of(point.epoch)
                day_end = clock.end_of(point.epoch)
                acc = _Day(start)
                if seed is not None and start == seed.start:
                    acc.units, acc.rollover = seed.units, seed.rollover
                    acc.reset, acc.missing = seed.reset, seed.missing
                out.append(acc)
            acc.value = point.kwh
            if previous is not None:
                if point.kwh >= previous.kwh:
                    energy = point.kwh - previous.kwh
                else:
                    energy, kind = step_energy(previous.kwh, point.kwh, series.digits)
                    acc.rollover |= kind == "rollover"
                    acc.reset |= kind == "reset"
                acc.units = energy if acc.units is None else acc.units + energy
                if point.epoch - previous.epoch > INTERVAL:
                    acc.missing += (point.epoch - previous.epoch) // INTERVAL - 1
        previous = point
    return out


def day_readings(pairs: list[tuple[int, int]]) -> dict[int, Seed]:
    """The stored smart day readings of (meter, day start epoch) pairs."""
    if not pairs:
        return {}
    wanted = set(pairs)
    out = {}
    for meter_id, taken, *rest in Reading.objects.filter(
        meter_id__in={m for m, _ in pairs},
        taken_at__in={datetime.fromtimestamp(e, UTC) for _, e in pairs},
        source=ReadingSource.SMART,
    ).values_list(
        "meter_id",
        "taken_at",
        "value",
        "units",
        "rollover",
        "counter_reset",
        "missing_intervals",
    ):
        start = int(taken.timestamp())
        if (meter_id, start) in wanted:
            out[meter_id] = Seed(start, *rest)  # type: ignore[arg-type]
    return out


Serving = tuple[int, int, int | None, datetime | None, datetime | None]
# (assignment id, customer id, package id, installed, removed)


def _serving(assignments: list[Serving], start: int) -> Serving | None:
    """The connection the meter served on the day starting at ``start``."""
    begin = datetime.fromtimestamp(start, UTC)
    end = begin + timedelta(days=1)
    for a in assignments:
        installed, removed = a[3], a[4]
        if installed is None or installed >= end:
            continue
        if removed is None or removed > begin:
            return a
    return None


COLUMNS = (
    "meter_id, customer_id, assignment_id, package_id, taken_at, value, units, "
    "source, status, rollover, replacement, counter_reset, missing_intervals, "
    "note, entered_by_id, entered_at, reject_reason"
)
ROW = "(" + ", ".join(["%s"] * 17) + ")"
PER_STATEMENT = 500
UPSERT_TAIL = (
    " ON CONFLICT (meter_id, taken_at) DO UPDATE SET value = excluded.value, "
    "units = excluded.units, rollover = excluded.rollover, "
    "counter_reset = excluded.counter_reset, "
    "missing_intervals = excluded.missing_intervals, "
    "assignment_id = excluded.assignment_id, customer_id = excluded.customer_id, "
    "package_id = excluded.package_id "
    # A day holding another kind of reading (a meter change at midnight)
    # keeps it.
    "WHERE metering_reading.source = 'smart'"
)


TYPES = (
    "bigint",
    "bigint",
    "bigint",
    "bigint",
    "timestamptz",
    "numeric",
    "numeric",
    "varchar",
    "varchar",
    "boolean",
    "boolean",
    "boolean",
    "integer",
    "varchar",
    "bigint",
    "timestamptz",
    "varchar",
)
NAMES = ", ".join(f"c{i}" for i in range(len(TYPES)))
UNNEST = (
    f"INSERT INTO metering_reading ({COLUMNS}) SELECT {NAMES} FROM "  # noqa: S608
    f"unnest({', '.join(f'%s::{t}[]' for t in TYPES)}) AS m({NAMES})" + UPSERT_TAIL
)


def upsert(rows: list[tuple[Any, ...]]) -> None:
    """The day readings in one statement per 500: on PostgreSQL one array per
    column (a short statement psycopg binds quickly), on SQLite a VALUES
    list."""
    with bound_cursor() as cursor:
        for start in range(0, len(rows), PER_STATEMENT):
            part = rows[start : start + PER_STATEMENT]
            if connection.vendor == "postgresql":
                cursor.execute(UNNEST, [list(c) for c in zip(*part, strict=True)])
                continue
            values = ", ".join([ROW] * len(part))
            cursor.execute(
                f"INSERT INTO metering_reading ({COLUMNS}) VALUES {values}"  # noqa: S608
                + UPSERT_TAIL,
                [v for row in part for v in row],
            )


def serving_for(meter_ids: list[int]) -> dict[int, list[Serving]]:
    """The installations of these meters, newest first (one query)."""
    out: dict[int, list[Serving]] = {m: [] for m in meter_ids}
    for meter_id, *rest in (
        MeterAssignment.objects.filter(meter_id__in=meter_ids)
        .order_by("-installed_at")
        .values_list(
            "meter_id",
            "pk",
            "customer_id",
            "customer__package_id",
            "installed_at",
            "removed_at",
        )
    ):
        out[meter_id].append(tuple(rest))  # type: ignore[arg-type]
    return out


def day_rows(
    *,
    series: dict[int, Series],
    by: Any,
    clocks: dict[str, DayClock],
    serving: dict[int, list[Serving]],
) -> list[tuple[Any, ...]]:
    """The day readings of the days holding new points, as rows for
    :func:`upsert` (no database access: it runs while the intervals are
    being written)."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    by_id = getattr(by, "pk", None)
    rows = []
    for meter_id, one in series.items():
        clock = clocks.setdefault(one.tz, DayClock(one.tz))
        for acc in _days_of(clock, one):
            where = _serving(serving.get(meter_id, []), acc.start)
            rows.append(
                (
                    meter_id,
                    where[1] if where else None,
                    where[0] if where else None,
                    where[2] if where else None,
                    ops.adapt_datetimefield_value(
                        datetime.fromtimestamp(acc.start, UTC)
                    ),
                    acc.value,
                    acc.units,
                    ReadingSource.SMART.value,
                    ReadingStatus.APPROVED.value,
                    acc.rollover,
                    False,
                    acc.reset,
                    acc.missing,
                    "",
                    by_id,
                    now,
                    "",
                )
            )
    return rows


def readings_rollup(
    *, series: dict[int, Series], by: Any = None, clocks: dict[str, DayClock]
) -> int:
    """Upsert the daily readings of the days holding new points. Returns the
    readings written."""
    if not series:
        return 0
    rows = day_rows(
        series=series, by=by, clocks=clocks, serving=serving_for(list(series))
    )
    upsert(rows)
    return len(rows)
