"""Interval-reading ingestion speed (docs/metering.md, budget: >= 25,000 a
second on SQLite, >= 100,000 a second on PostgreSQL).

The rows are the simulator's 15-minute counters of a week (300 smart meters,
201,600 readings; 30 meters, 20,160 with --quick), as text the way the batch
API and the CSV import receive them: each day, every meter's 96 counters of
the day (the way a driver pulls a day's data meter by meter), in deliveries
of 10,000 (the batch API's limit), each through ``intervals_ingest``: every
row parsed and checked, duplicates looked up, rows written (``INSERT OR
IGNORE`` on SQLite, ``COPY`` on PostgreSQL), gaps and resets found and the
days rolled up into daily register readings, one transaction per delivery.
``BENCH_READINGS_ORDER=time`` delivers in time order instead (every
delivery then touches every meter's current day: the roll-up's worst case).

* ``readings_ingest_sqlite`` (readings/s); baseline: raw ``executemany``
  inserting the same rows, ready-made, in the same batches.
* ``readings_ingest_postgres`` (readings/s); baseline: raw ``COPY`` of the same
  rows. Runs in a child process on its own database ``mcoms_bench_readings``
  (made and dropped here) on the server of ``DATABASE_URL`` when that is
  PostgreSQL, else postgres://postgres@127.0.0.1:5432; if no server answers,
  the figure is left out with a note on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

BATCH = 10_000
DAYS = 7
START = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)  # 1 Oct, midnight in India
PG_DB = "mcoms_bench_readings"
LOCAL_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def _world(code: str, meters: int) -> list[Any]:
    """A company with one plant, ``meters`` smart meters installed a month
    before the data starts, spread over 20 customers."""
    from mcoms.customers.services import customer_create
    from mcoms.metering.models import Meter, MeterAssignment, MeterLocation
    from mcoms.org import services as org
    from mcoms.org.models import Company, Pole

    company = Company.objects.create(code=code, name=code)
    state = org.state_create(company=company, code="BH", name="Bihar", by=None)
    cluster = org.cluster_create(state=state, code="NORTH", name="N", by=None)
    plant = org.plant_create(
        cluster=cluster, code="KATS", name="K", capacity_kwp=Decimal(30), by=None
    )
    feeder = org.feeder_create(plant=plant, code="F1", by=None)
    pole = Pole.objects.create(plant=plant, feeder=feeder, number=1)
    customers = [
        customer_create(pole=pole, name=f"C{n}", phone=f"+91980{n:07d}", by=None)
        for n in range(20)
    ]
    objs = Meter.objects.bulk_create(
        Meter(
            company=company,
            plant=plant,
            serial=f"SM-{n:05d}",
            kind="smart",
            driver="simulator",
            digit_capacity=7,
            location=MeterLocation.INSTALLED,
            state="assigned",
        )
        for n in range(meters)
    )
    objs = list(Meter.objects.filter(company=company).order_by("serial"))
    installed = START - timedelta(days=30)
    MeterAssignment.objects.bulk_create(
        MeterAssignment(
            meter=m,
            customer=customers[n % len(customers)],
            assigned_at=installed,
            installed_at=installed,
        )
        for n, m in enumerate(objs)
    )
    return objs


def _rows(meters: list[Any]) -> list[tuple[str, str, str]]:
    """(serial, time, kWh) as text, in time order."""
    from mcoms.metering.simulator import simulate_intervals

    end = START + timedelta(days=DAYS)
    per_meter = [
        [
            (m.serial, at.isoformat(), str(kwh))
            for at, kwh in simulate_intervals(
                meter_serial=m.serial, seed=11, start=START, end=end
            )
        ]
        for m in meters
    ]
    if os.environ.get("BENCH_READINGS_ORDER") == "time":
        return [row for step in zip(*per_meter, strict=True) for row in step]
    per_day = 24 * 4
    return [
        row
        for day in range(DAYS)
        for rows in per_meter
        for row in rows[day * per_day : (day + 1) * per_day]
    ]


def _ingest(company: Any, rows: list[tuple[str, str, str]]) -> float:
    from mcoms.metering.ingest import intervals_ingest

    started = time.perf_counter()
    for n, start in enumerate(range(0, len(rows), BATCH)):
        part = rows[start : start + BATCH]
        batch, _ = intervals_ingest(
            company=company,
            rows=[(i, s, a, k) for i, (s, a, k) in enumerate(part)],
            key=f"bench-{n}",
            source="api",
        )
        if batch.stored != len(part):  # a broken bench is loud
            raise RuntimeError(f"stored {batch.stored} of {len(part)}: {batch.report}")
    return time.perf_counter() - started


def _raw(meters: list[Any], rows: list[tuple[str, str, str]]) -> float:
    """The same rows straight into the table: executemany on SQLite, COPY on
    PostgreSQL, prepared before the clock starts."""
    from django.db import connection, transaction

    ids = {m.serial: m.pk for m in meters}
    values = [
        (ids[s], datetime.fromisoformat(a).strftime("%Y-%m-%d %H:%M:%S"), k)
        for s, a, k in rows
    ]
    parts = [values[i : i + BATCH] for i in range(0, len(values), BATCH)]
    postgres = connection.vendor == "postgresql"
    texts = ["".join(f"{m}\t{a}+00\t{k}\n" for m, a, k in part) for part in parts]
    started = time.perf_counter()
    for part, text in zip(parts, texts, strict=True):
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                with cursor.cursor.copy(
                    "COPY metering_intervalreading (meter_id, at, kwh) FROM STDIN"
                ) as copy:
                    copy.write(text)
            else:
                cursor.executemany(
                    "INSERT INTO metering_intervalreading (meter_id, at, kwh) "
                    "VALUES (%s, %s, %s)",
                    part,
                )
    return time.perf_counter() - started


def measure(quick: bool) -> tuple[float, float, int]:
    """Readings a second through the ingestion path and raw, and the count."""
    from mcoms.org.models import Company

    meters = 30 if quick else 300
    ours = _world("bench-readings", meters)
    raw = _world("bench-readings-raw", meters)
    rows = _rows(ours)
    raw_rows = [(s.replace("SM-", "SM-"), a, k) for s, a, k in rows]
    baseline = _raw(raw, raw_rows)
    company = Company.objects.get(code="bench-readings")
    took = _ingest(company, rows)
    return len(rows) / took, len(rows) / baseline, len(rows)


# --- PostgreSQL, in a child process ------------------------------------------------
def _pg_server() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.rsplit("/", 1)[0] + "/postgres"
    return LOCAL_PG


def _postgres(quick: bool) -> tuple[float, float] | None:
    server = _pg_server()
    args = [sys.executable, str(Path(__file__).resolve()), "--postgres", server]
    if quick:
        args.append("--quick")
    done = subprocess.run(  # noqa: S603 - our own script
        args, capture_output=True, text=True, timeout=1800, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            figures = json.loads(line[7:])
            return figures["ours"], figures["raw"]
    print(
        f"# readings_ingest_postgres left out: {done.stderr.strip()[-400:]}",
        file=sys.stderr,
    )
    return None


def _child(server: str, quick: bool) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        admin.execute(f"CREATE DATABASE {PG_DB}")
    try:
        os.environ["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + PG_DB
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ.setdefault("TASKS_BACKEND", "immediate")
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import django
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        ours, raw, _count = measure(quick)
        print("RESULT " + json.dumps({"ours": ours, "raw": raw}), flush=True)
        connections.close_all()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


def run(quick: bool) -> list[tuple[str, float, str, float]]:
    ours, raw, _count = measure(quick)
    out = [("readings_ingest_sqlite", ours, "readings/s", raw)]
    pg = _postgres(quick)
    if pg is not None:
        out.append(("readings_ingest_postgres", pg[0], "readings/s", pg[1]))
    return out


if __name__ == "__main__" and "--postgres" in sys.argv:
    _child(sys.argv[sys.argv.index("--postgres") + 1], "--quick" in sys.argv)
