"""Raw SQL under the interval ingestion (``ingest.py``): the stored neighbours
of new rows and the bulk writes, each a few statements per batch whatever
the number of meters. SQLite keeps ``at`` as UTC text ``YYYY-MM-DD HH:MM:SS``
and the counter as a number; PostgreSQL as ``timestamptz`` and ``numeric``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction

from mcoms.core.money import KWH
from mcoms.metering.rollup import Point
from mcoms.metering.sql import bound_cursor

TABLE = "metering_intervalreading"
COLUMNS = "(meter_id, at, kwh, batch_id)"
PART = 400  # meters per neighbour query (SQLite allows 32,766 parameters)


class Stamps:
    """Epoch seconds <-> the database's form, memoised (a batch repeats the
    same times across its meters)."""

    def __init__(self) -> None:
        self.out: dict[int, Any] = {}
        self.back: dict[Any, int] = {}
        self.postgres = connection.vendor == "postgresql"

    def to_db(self, epoch: int) -> Any:
        hit = self.out.get(epoch)
        if hit is None:
            when = datetime.fromtimestamp(epoch, UTC)
            hit = when if self.postgres else when.strftime("%Y-%m-%d %H:%M:%S")
            self.out[epoch] = hit
        return hit

    def text(self, epoch: int) -> str:
        """For COPY."""
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S+00")

    def from_db(self, value: Any) -> int:
        hit = self.back.get(value)
        if hit is None:
            if isinstance(value, datetime):  # SQLite's converter gives naive UTC
                aware = value if value.tzinfo else value.replace(tzinfo=UTC)
                hit = int(aware.timestamp())
            else:
                hit = int(datetime.fromisoformat(f"{value}+00:00").timestamp())
            self.back[value] = hit
        return hit


def _kwh(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(KWH)


def _table(
    columns: list[list[Any]], types: tuple[str, ...], postgres: bool
) -> tuple[str, str, list[Any]]:
    """A row source ``m(c0, c1, ...)`` of the given columns, as (a WITH clause,
    the FROM item, the parameters): on PostgreSQL ``unnest`` of one array per
    column (a short, fixed statement that psycopg binds quickly); on SQLite a
    ``VALUES`` list."""
    names = ", ".join(f"c{i}" for i in range(len(types)))
    if postgres:
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        return "", f"unnest({arrays}) AS m({names})", list(columns)
    row = "(" + ", ".join(["%s"] * len(types)) + ")"
    rows = list(zip(*columns, strict=True))
    values = ", ".join([row] * len(rows))
    params = [v for r in rows for v in r]
    return f"WITH m({names}) AS (VALUES {values}) ", "m", params


LOCK_CLASS = 7301  # the advisory-lock class of interval ingestion


def lock_meters(meter_ids: list[int]) -> None:
    """One delivery at a time per meter, so that a day reading is rolled up
    from every row: on PostgreSQL transaction-scoped advisory locks, in id
    order (no row is written, unlike ``SELECT ... FOR UPDATE``); SQLite's
    transactions already take the database's one write lock."""
    if connection.vendor != "postgresql" or not meter_ids:
        return
    with bound_cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, m) FROM unnest(%s::int[]) AS m "
            "ORDER BY m",
            [LOCK_CLASS, meter_ids],
        )


def neighbours(
    pairs: list[tuple[int, int]], stamps: Stamps, *, before: bool
) -> dict[int, Point]:
    """For each (meter, epoch): the stored point at or before it (``before``)
    or the first one after it."""
    out: dict[int, Point] = {}
    cond, pick = ("<=", "MAX") if before else (">", "MIN")
    for start in range(0, len(pairs), PART):
        part = pairs[start : start + PART]
        with_, source, params = _table(
            [[m for m, _e in part], [stamps.to_db(e) for _m, e in part]],
            ("bigint", "timestamptz"),
            stamps.postgres,
        )
        sql = (
            f"{with_}SELECT m.c0, r.at, r.kwh FROM {source} JOIN {TABLE} r "  # noqa: S608
            f"ON r.meter_id = m.c0 AND r.at = (SELECT {pick}(i.at) FROM {TABLE} i "
            f"WHERE i.meter_id = m.c0 AND i.at {cond} m.c1)"
        )
        with bound_cursor() as cursor:
            cursor.execute(sql, params)
            for meter_id, at, kwh in cursor.fetchall():
                out[meter_id] = Point(stamps.from_db(at), _kwh(kwh), False)
    return out


def held(
    ranges: list[tuple[int, int, int]], stamps: Stamps
) -> dict[int, dict[int, Decimal]]:
    """Stored counters per meter in (lo, hi] for each (meter, lo, hi)."""
    out: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for start in range(0, len(ranges), PART):
        part = ranges[start : start + PART]
        with_, source, params = _table(
            [
                [m for m, _lo, _hi in part],
                [stamps.to_db(lo) for _m, lo, _hi in part],
                [stamps.to_db(hi) for _m, _lo, hi in part],
            ],
            ("bigint", "timestamptz", "timestamptz"),
            stamps.postgres,
        )
        sql = (
            f"{with_}SELECT r.meter_id, r.at, r.kwh FROM {source} JOIN {TABLE} r "  # noqa: S608
            "ON r.meter_id = m.c0 AND r.at > m.c1 AND r.at <= m.c2"
        )
        with bound_cursor() as cursor:
            cursor.execute(sql, params)
            for meter_id, at, kwh in cursor.fetchall():
                out[meter_id][stamps.from_db(at)] = _kwh(kwh)
    return out


# --- writing ------------------------------------------------------------------------
NewRows = dict[int, dict[int, tuple[Decimal, Any, str]]]
# meter -> epoch -> (kWh, row, kWh as text)


def _write_sqlite(
    rows: NewRows, batch_id: int, stamps: Stamps, meanwhile: Callable[[], None]
) -> int:
    when = {e: stamps.to_db(e) for e in {e for mine in rows.values() for e in mine}}
    values = [
        (meter_id, when[epoch], kwh, batch_id)
        for meter_id, mine in rows.items()
        for epoch, (_kwh, _row, kwh) in mine.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT OR IGNORE INTO metering_intervalreading "
            "(meter_id, at, kwh, batch_id) VALUES (%s, %s, %s, %s)",
            values,
        )
        stored = max(cursor.rowcount, 0)
    meanwhile()
    return stored


PIECE = 2000  # rows of COPY text handed to the writer at a time


def _copy_pieces(rows: NewRows, batch_id: int, stamps: Stamps) -> Iterator[str]:
    when = {e: stamps.text(e) for e in {e for mine in rows.values() for e in mine}}
    tail = f"\t{batch_id}\n"
    piece: list[str] = []
    for meter_id, mine in rows.items():
        for epoch, (_kwh, _row, kwh) in mine.items():
            piece.append(f"{meter_id}\t{when[epoch]}\t{kwh}{tail}")
            if len(piece) >= PIECE:
                yield "".join(piece)
                piece = []
    if piece:
        yield "".join(piece)


def _write_postgres(
    rows: NewRows, batch_id: int, stamps: Stamps, meanwhile: Callable[[], None]
) -> int:
    """COPY straight into the table (the rows were checked against the held
    ones under the meters' locks); ``meanwhile`` runs before the COPY ends, as
    the server takes in the last rows. Should a writer that does not take
    those locks have stored one meanwhile, again through a temporary table
    with ``ON CONFLICT DO NOTHING``."""
    ran = False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            sql = f"COPY {TABLE} {COLUMNS} FROM STDIN"
            with raw.copy(sql) as copy:
                for piece in _copy_pieces(rows, batch_id, stamps):
                    copy.write(piece)
                meanwhile()
                ran = True
            return sum(len(mine) for mine in rows.values())
    except IntegrityError:
        pass
    if not ran:
        meanwhile()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS metering_interval_in "
            "(meter_id bigint, at timestamptz, kwh numeric(12, 3), batch_id bigint) "
            "ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE metering_interval_in")
        with cursor.cursor.copy(f"COPY metering_interval_in {COLUMNS} FROM STDIN") as c:
            for piece in _copy_pieces(rows, batch_id, stamps):
                c.write(piece)
        cursor.execute(
            "INSERT INTO metering_intervalreading (meter_id, at, kwh, batch_id) "
            "SELECT meter_id, at, kwh, batch_id FROM metering_interval_in "
            "ON CONFLICT (meter_id, at) DO NOTHING"
        )
        return max(cursor.rowcount, 0)


def write(
    rows: NewRows, batch_id: int, stamps: Stamps, meanwhile: Callable[[], None]
) -> int:
    """Store the new rows and run ``meanwhile`` (during the write where the
    database allows); returns how many rows were new to the table."""
    if not any(rows.values()):
        meanwhile()
        return 0
    if stamps.postgres:
        return _write_postgres(rows, batch_id, stamps, meanwhile)
    return _write_sqlite(rows, batch_id, stamps, meanwhile)
