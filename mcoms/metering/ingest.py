"""Smart meters' interval readings in bulk: the batch API, the CSV import and
the simulator driver all come through :func:`intervals_ingest`
(docs/decisions/0053, 0054).

One delivery is one ``ReadingBatch`` (idempotent on company + key; the same key
with other rows is refused) and one transaction. Each row is checked
(``ingest_parse``); a bad row is refused and reported while the good rows are
stored. A row whose (meter, time) is already held is a duplicate: counted, not
stored (reported when its counter differs). Gaps (missing 15-minute intervals)
and counter resets (a counter lower than the one before) next to the new rows
are reported. Then the days touched are rolled up into daily register readings
(``rollup``) so that billing sees smart meters like read ones.

Speed: per batch, two queries find each meter's stored neighbours of its new
rows. A meter whose new rows all come after what is held (the usual stream)
needs nothing more: its day readings are carried on from the stored ones. A
meter with rows among held ones (a late or repeated delivery) has its days
read back whole. Rows are written by ``INSERT OR IGNORE`` (SQLite) or ``COPY``
(PostgreSQL) in ``ingest_store``.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.metering import ingest_parse as checks
from mcoms.metering import ingest_store as store
from mcoms.metering.models import BatchSource, Meter, ReadingBatch
from mcoms.metering.rollup import (
    INTERVAL,
    DayClock,
    Point,
    Seed,
    Series,
    day_readings,
    day_rows,
    serving_for,
    step_energy,
    upsert,
)
from mcoms.org.models import Company

MAX_BATCH = 10_000  # readings per batch API request
REPORT_LIMIT = 1000  # issues kept in a batch's report
CHUNK = 50_000  # rows checked and written at a time
CSV_HEADER = ("meter", "at", "kwh")
Row = tuple[Any, Any, Any, Any]  # (row number, meter serial, time, counter)


@dataclass
class _Tally:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    gaps: int = 0
    resets: int = 0
    issues: list[dict[str, Any]] = field(default_factory=list)
    omitted: int = 0

    def report(self, items: list[dict[str, Any]]) -> None:
        room = max(REPORT_LIMIT - len(self.issues), 0)
        self.issues.extend(items[:room])
        self.omitted += max(len(items) - room, 0)


@dataclass
class _Meter:
    """One meter's part of a chunk."""

    info: checks.MeterInfo
    new: dict[int, tuple[Decimal, Any, str]]  # epoch -> (kWh, row, as text)
    points: list[Point] = field(default_factory=list)
    seed: Seed | None = None  # the stored day reading to carry on from


def _differs(row: Any, mine: _Meter, epoch: int) -> dict[str, Any]:
    return checks.issue(row, "duplicate_differs", mine.info.serial, checks.iso(epoch))


def _drop_held(
    mine: _Meter, held: dict[int, Decimal], tally: _Tally
) -> list[dict[str, Any]]:
    differs = []
    for epoch in [e for e in mine.new if e in held]:
        kwh, row, _text = mine.new.pop(epoch)
        tally.duplicates += 1
        if kwh != held[epoch]:
            differs.append(_differs(row, mine, epoch))
    return differs


def _against_held(
    meters: dict[int, _Meter],
    stamps: store.Stamps,
    clocks: dict[str, DayClock],
    tally: _Tally,
) -> None:
    """Drop new rows already held and give each meter its points: for a meter
    whose new rows all follow the held ones, the last held point and the day
    reading to carry on from; else every held point of the days touched, the
    one before them and the one after."""
    firsts = [(m, min(x.new)) for m, x in meters.items()]
    before = store.neighbours(firsts, stamps, before=True)
    after = store.neighbours(firsts, stamps, before=False)
    differs: list[dict[str, Any]] = []
    full: list[int] = []
    seeds: dict[int, int] = {}  # meter -> start of the day to carry on
    for meter_id, mine in meters.items():
        prev = before.get(meter_id)
        clock = clocks.setdefault(mine.info.tz, DayClock(mine.info.tz))
        if prev is not None:
            differs += _drop_held(mine, {prev.epoch: prev.kwh}, tally)
            mine.points = [prev]
        if not mine.new:
            continue
        if meter_id in after:
            full.append(meter_id)
        elif prev is not None and clock.day(prev.epoch) == clock.day(min(mine.new)):
            seeds[meter_id] = clock.start_of(prev.epoch)
    found = day_readings(list(seeds.items()))
    for meter_id in seeds:
        meters[meter_id].seed = found.get(meter_id)
        if meters[meter_id].seed is None:
            full.append(meter_id)
    if full:
        differs += _read_days(meters, full, stamps, clocks, tally)
    tally.report(differs)
    for mine in meters.values():
        mine.points += [Point(e, n[0], True) for e, n in mine.new.items()]
        mine.points.sort()


def _read_days(
    meters: dict[int, _Meter],
    full: list[int],
    stamps: store.Stamps,
    clocks: dict[str, DayClock],
    tally: _Tally,
) -> list[dict[str, Any]]:
    ranges = []
    for meter_id in full:
        mine = meters[meter_id]
        mine.seed = None
        clock = clocks[mine.info.tz]
        ranges.append(
            (meter_id, clock.start_of(min(mine.new)), clock.end_of(max(mine.new)))
        )
    held = store.held(ranges, stamps)
    edges = store.neighbours([(m, lo) for m, lo, _ in ranges], stamps, before=True)
    tails = store.neighbours([(m, hi) for m, _, hi in ranges], stamps, before=False)
    differs = []
    for meter_id in full:
        mine = meters[meter_id]
        mine.points = [Point(e, k, False) for e, k in held.get(meter_id, {}).items()]
        differs += _drop_held(mine, held.get(meter_id, {}), tally)
        mine.points += [p for p in (edges.get(meter_id), tails.get(meter_id)) if p]
    return differs


def _faults(mine: _Meter, tally: _Tally) -> list[dict[str, Any]]:
    """Gaps and resets between two points of which one is new."""
    found: list[dict[str, Any]] = []
    serial = mine.info.serial
    for prev, cur in itertools.pairwise(mine.points):
        if not (prev.new or cur.new):
            continue
        step = cur.epoch - prev.epoch
        if step > INTERVAL:
            missing = step // INTERVAL - 1
            tally.gaps += missing
            found.append(
                {
                    "meter": serial,
                    "code": "gap",
                    "from": checks.iso(prev.epoch),
                    "to": checks.iso(cur.epoch),
                    "missing": missing,
                }
            )
        if cur.kwh < prev.kwh:
            tally.resets += 1
            _energy, kind = step_energy(prev.kwh, cur.kwh, mine.info.digits)
            found.append(
                {
                    "meter": serial,
                    "code": "counter_reset",
                    "at": checks.iso(cur.epoch),
                    "previous": str(prev.kwh),
                    "kwh": str(cur.kwh),
                    "rollover": kind == "rollover",
                }
            )
    return found


def _chunk(
    rows: list[Row],
    *,
    company: Company,
    scope: QuerySet[Meter] | None,
    batch: ReadingBatch,
    times: checks.Times,
    tally: _Tally,
) -> None:
    found = checks.meters(company, {r[1] for r in rows if isinstance(r[1], str)}, scope)
    parsed = checks.parse(rows, found, times)
    tally.received += len(rows)
    tally.duplicates += parsed.duplicates
    tally.rejected += sum(1 for i in parsed.issues if i["code"] != "duplicate_differs")
    tally.report(parsed.issues)
    infos = {m.pk: m for m in found.values() if isinstance(m, checks.MeterInfo)}
    meters = {m: _Meter(infos[m], new) for m, new in parsed.meters.items()}
    if not meters:
        return
    store.lock_meters(sorted(meters))
    stamps = store.Stamps()
    clocks: dict[str, DayClock] = {}
    _against_held(meters, stamps, clocks, tally)
    serving = serving_for(sorted(meters))
    days: list[tuple[Any, ...]] = []

    def meanwhile() -> None:
        """The gaps, resets and day readings: Python only, so on PostgreSQL
        it runs while the server takes in the COPY."""
        series: dict[int, Series] = {}
        for meter_id, mine in meters.items():
            if mine.new:
                tally.report(_faults(mine, tally))
                series[meter_id] = Series(
                    mine.info.tz, mine.info.digits, mine.points, mine.seed
                )
        days.extend(
            day_rows(series=series, by=batch.by, clocks=clocks, serving=serving)
        )

    new = {m: mine.new for m, mine in meters.items()}
    count = sum(len(rows) for rows in new.values())
    stored = store.write(new, batch.pk, stamps, meanwhile)
    tally.stored += stored
    tally.duplicates += count - stored
    upsert(days)


# --- the entry points ------------------------------------------------------------
def _open_batch(
    *, company: Company, key: str, source: str, by: Any, digest: str
) -> tuple[ReadingBatch, bool]:
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationFailed(
            "batch_key_missing",
            "A batch needs a key of 1 to 100 characters (Idempotency-Key).",
            field="key",
        )
    existing = ReadingBatch.objects.filter(company=company, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                batch = ReadingBatch.objects.create(
                    company=company, key=key, source=source, by=by, digest=digest
                )
                return batch, True
        except IntegrityError:
            existing = ReadingBatch.objects.get(company=company, key=key)
    if digest and existing.digest and digest != existing.digest:
        raise Conflict(
            "batch_key_reused",
            f"Batch {key} was delivered already with other rows.",
            field="key",
        )
    return existing, False


@transaction.atomic
def intervals_ingest(
    *,
    company: Company,
    rows: Iterable[Row],
    key: str,
    source: str,
    by: Any = None,
    scope: QuerySet[Meter] | None = None,
    digest: str = "",
    now: datetime | None = None,
) -> tuple[ReadingBatch, bool]:
    """Store a delivery of interval readings: ``rows`` of (row number, meter
    serial, time, counter kWh); the time an aware datetime or ISO 8601 text
    with an offset, the counter a Decimal, an int or text.

    ``scope``: the meters the sender may deliver for (others are refused as
    unknown). Returns the batch and whether it is new; a batch key seen
    before returns the first batch and writes nothing (``batch_key_reused``
    when ``digest`` says the rows differ)."""
    batch, created = _open_batch(
        company=company, key=key, source=source, by=by, digest=digest
    )
    if not created:
        return batch, False
    times = checks.Times(now or timezone.now())
    tally = _Tally()
    with _collector_paused():
        for part in _chunks(rows):
            _chunk(
                part,
                company=company,
                scope=scope,
                batch=batch,
                times=times,
                tally=tally,
            )
    for name in ("received", "stored", "duplicates", "rejected", "gaps", "resets"):
        setattr(batch, name, getattr(tally, name))
    report = tally.issues
    if tally.omitted:
        report = [*report, {"code": "report_truncated", "omitted": tally.omitted}]
    batch.report = report
    batch.save()
    return batch, True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector, paused while a batch is checked: the
    many small objects that live until the batch is written would make it
    sweep the whole heap again and again (a third of the time). Reference
    counting still frees everything; the collector runs again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    part: list[Row] = []
    for row in rows:
        part.append(row)
        if len(part) >= CHUNK:
            yield part
            part = []
    if part:
        yield part


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def csv_rows(data: bytes) -> Iterator[Row]:
    """Rows of a CSV file ``meter,at,kwh`` (header first; UTF-8, a BOM allowed),
    numbered by line. A wrong header refuses the whole file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "csv_not_utf8", "The file is not UTF-8 text.", field="file"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != CSV_HEADER:
        raise ValidationFailed(
            "csv_header",
            "The first line must be the header meter,at,kwh.",
            field="file",
        )
    return _numbered(reader)


def _numbered(reader: Iterator[list[str]]) -> Iterator[Row]:
    for line, cells in enumerate(reader, start=2):
        if len(cells) == 3:
            yield line, cells[0].strip().upper(), cells[1], cells[2].strip()
        elif cells:
            yield line, None, "", ""


def csv_ingest(
    *,
    company: Company,
    data: bytes,
    key: str,
    by: Any = None,
    scope: QuerySet[Meter] | None = None,
) -> tuple[ReadingBatch, bool]:
    """A CSV file of interval readings (``meter,at,kwh``), as one batch."""
    return intervals_ingest(
        company=company,
        rows=csv_rows(data),
        key=key,
        source=BatchSource.CSV,
        by=by,
        scope=scope,
        digest=digest_of(data),
    )
