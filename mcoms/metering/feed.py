"""The simulator's interval data fed through the ingestion path, as a meter
driver's delivery would be: for the demo, the ``simulate_readings`` command
and the benchmarks. One batch per plant and window (its key names both, so
running it again writes nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from mcoms.metering.ingest import intervals_ingest
from mcoms.metering.models import (
    BatchSource,
    MeterAssignment,
    MeterKind,
    ReadingBatch,
)
from mcoms.metering.simulator import simulate_intervals
from mcoms.org.models import Plant

STEP = 15 * 60


def interval_floor(when: datetime) -> datetime:
    """The end of the last whole 15-minute interval at ``when``."""
    epoch = int(when.timestamp()) // STEP * STEP
    return datetime.fromtimestamp(epoch, UTC)


def _rows(
    plant: Plant, start: datetime, end: datetime, seed: int
) -> Iterator[tuple[int, str, Any, Any]]:
    serving = MeterAssignment.objects.filter(
        customer__plant=plant,
        meter__kind=MeterKind.SMART,
        removed_at__isnull=True,
        installed_at__isnull=False,
    ).select_related("meter")
    n = 0
    for a in serving.order_by("meter__serial"):
        assert a.installed_at is not None  # noqa: S101 (filtered)
        for at, kwh in simulate_intervals(
            meter_serial=a.meter.serial,
            seed=seed,
            start=max(start, interval_floor(a.installed_at)),
            end=end,
            tz=plant.timezone,
        ):
            n += 1
            yield n, a.meter.serial, at, kwh


def simulator_feed(
    *, plant: Plant, start: datetime, end: datetime, seed: int, by: Any = None
) -> tuple[ReadingBatch, bool]:
    """The simulated counters in (start, end] of the plant's installed smart
    meters (consecutive windows join without overlap), ingested as one
    driver delivery."""
    start, end = interval_floor(start), interval_floor(end)
    key = f"sim:{plant.key}:{start:%Y%m%dT%H%M}:{end:%Y%m%dT%H%M}:{seed}"
    return intervals_ingest(
        company=plant.company,
        rows=_rows(plant, start, end, seed),
        key=key,
        source=BatchSource.DRIVER,
        by=by,
    )
