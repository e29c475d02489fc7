"""Billing run speed (docs/billing.md, "Speed").

* ``billing_run_100k`` (``billing_run_10k`` with --quick): seconds for the
  billing runs over 100,000 customers (two plants of 50,000: a customer ID
  holds 999 poles of 99 connections, so one plant cannot), every bill, line,
  number and journal written: a third pre-paid, a third unmetered, a third
  metered (half of them with an approved reading, the rest estimated), one in
  a hundred with an adjustment. Baseline: raw SQL ``executemany`` inserting the
  same bill, line, journal and entry rows again (no reads, no checks, no
  balances), committed.
* ``billing_rerun_100k``: seconds to run the finished periods again (start
  and work each run), which writes nothing; baseline: the one raw query that
  finds billable customers without a bill.
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from mcoms.billing import hooks
from mcoms.billing.models import Adjustment, Bill, BillingPeriod, BillLine
from mcoms.billing.services import (
    billing_period_create,
    billing_run_start,
    billing_run_work,
)
from mcoms.customers.models import Customer
from mcoms.ledger.models import Entry, Journal
from mcoms.metering.models import Meter, MeterKind, Reading, ReadingSource
from mcoms.org import services as org
from mcoms.org.models import Company, Plant, Pole, State
from mcoms.packages.services import package_create

PER_POLE = 99
PACKAGES: list[dict[str, Any]] = [
    {
        "type_code": "A1.1",
        "timing_code": "NN",
        "load_w": 17,
        "prepaid_amount": "160",
        "prepaid_period_days": 30,
        "credit_limit": "320",
    },
    {
        "type_code": "C1.1",
        "timing_code": "DD",
        "load_w": 100,
        "monthly_amount": "300",
        "credit_limit": "600",
    },
    {
        "type_code": "B1.1",
        "timing_code": "FD",
        "load_w": 500,
        "rate_per_kwh": "9",
        "slabs": "30:6; 100:8",
        "fixed_monthly": "50",
        "credit_limit": "1000",
    },
]


def last_month(tz: str = "Asia/Kolkata") -> date:
    """The first day of the month before this one (a period that has ended)."""
    today = timezone.now().astimezone(ZoneInfo(tz)).date()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def seed_plant(
    company: Company, state: State, code: str, customers: int, start: date
) -> Plant:
    """A plant with ``customers`` active customers on three packages, meter
    readings for half the metered ones, a few adjustments, and no bill."""
    cluster = org.cluster_create(state=state, code=code, name=code, by=None)
    plant = org.plant_create(
        cluster=cluster, code=code, name=code, capacity_kwp=Decimal(60), by=None
    )
    feeder = org.feeder_create(plant=plant, code="F1", by=None)
    poles = Pole.objects.bulk_create(
        Pole(plant=plant, feeder=feeder, number=n)
        for n in range(1, customers // PER_POLE + 2)
    )
    packages = [
        package_create(plant=plant, deposit_amount="100", by=None, **terms)
        for terms in PACKAGES
    ]
    rows = []
    for n in range(customers):
        pole, conn = poles[n // PER_POLE], n % PER_POLE + 1
        rows.append(
            Customer(
                company=company,
                plant=plant,
                pole=pole,
                connection_no=conn,
                customer_id=f"{plant.key}{pole.number:03d}{conn:02d}",
                name=f"Customer {n}",
                phone=f"+9196{n:08d}",
                package=packages[n % 3],
            )
        )
    made = Customer.objects.bulk_create(rows, batch_size=5000)
    _readings(
        company, plant, [c for c in made if c.package_id == packages[2].pk], start
    )
    Adjustment.objects.bulk_create(
        Adjustment(
            company=company,
            customer=c,
            service="OTHER",
            amount=Decimal("-25.00"),
            description="Goodwill credit",
            idempotency_key=f"bench:{c.pk}",
        )
        for c in made[::100]
    )
    return plant


def _readings(
    company: Company, plant: Plant, metered: list[Customer], start: date
) -> None:
    read = metered[::2]
    meters = Meter.objects.bulk_create(
        (
            Meter(
                company=company,
                plant=plant,
                serial=f"{plant.key}-{c.pk}",
                kind=MeterKind.CONVENTIONAL,
                location="installed",
                state="assigned",
            )
            for c in read
        ),
        batch_size=5000,
    )
    when = datetime.combine(start + timedelta(days=24), datetime.min.time())
    when = when.replace(tzinfo=ZoneInfo(plant.timezone))
    Reading.objects.bulk_create(
        (
            Reading(
                meter=m,
                customer=c,
                taken_at=when,
                value=Decimal(20 + i % 150),
                units=Decimal(20 + i % 150),
                source=ReadingSource.MANUAL,
                status="approved",
            )
            for i, (m, c) in enumerate(zip(meters, read, strict=True))
        ),
        batch_size=5000,
    )


def seed(customers: int, code: str = "bench-billing") -> list[BillingPeriod]:
    """Two plants (or one for a small number) and last month's period each."""
    company = Company.objects.create(code=code, name=code)
    state = org.state_create(company=company, code="BH", name="Bihar", by=None)
    start = last_month()
    sizes = [customers] if customers <= 50_000 else [customers // 2] * 2
    plants = [
        seed_plant(company, state, code4, size, start)
        for code4, size in zip(("BILA", "BILB"), sizes, strict=False)
    ]
    return [billing_period_create(plant=p, start=start, by=None) for p in plants]


HOOKS = {"s": 0.0}


def _timed_after_run(run: Any) -> None:
    started = time.perf_counter()
    try:
        _after_run(run)
    finally:
        HOOKS["s"] += time.perf_counter() - started


_after_run = hooks.after_run
hooks.after_run = _timed_after_run  # the share of the after-run hooks, on stderr


def run_all(periods: list[BillingPeriod]) -> int:
    billed = 0
    for period in periods:
        run = billing_run_start(period=period, by=None)
        billed += billing_run_work(run=run).billed
    return billed


# --- baselines ----------------------------------------------------------------------
def _rows(table: str, where: str, params: list[Any]) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {where}", params)
        names = [c[0] for c in cursor.description]
        return names, cursor.fetchall()


def _insert(table: str, names: list[str], rows: list[tuple]) -> None:
    cols = ", ".join(names)
    marks = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows[i : i + 5000]
            )


def raw_copy(periods: list[BillingPeriod]) -> float:
    """Insert again the journals, entries, bills and lines the runs wrote
    (under new ids, keys, numbers and a stand-in period), timed with commit."""
    pks = [p.pk for p in periods]
    j_names, journals = _rows(
        Journal._meta.db_table, "idempotency_key LIKE %s", ["bill:%"]
    )
    e_names, entries = _rows(
        Entry._meta.db_table,
        f"journal_id IN (SELECT id FROM {Journal._meta.db_table} "
        "WHERE idempotency_key LIKE %s)",
        ["bill:%"],
    )
    marks = ", ".join(["%s"] * len(pks))
    b_names, bills = _rows(Bill._meta.db_table, f"period_id IN ({marks})", pks)
    l_names, lines = _rows(
        BillLine._meta.db_table,
        f"bill_id IN (SELECT id FROM {Bill._meta.db_table} "
        f"WHERE period_id IN ({marks}))",
        pks,
    )
    stand_in = {
        p.pk: BillingPeriod.objects.create(
            company_id=p.company_id,
            plant_id=p.plant_id,
            start=p.start - timedelta(days=400),
            end=p.end - timedelta(days=400),
        ).pk
        for p in periods
    }
    j_off = Journal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    b_off = Bill.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ji, jk = j_names.index("id"), j_names.index("idempotency_key")
    journals = [
        tuple(
            v + j_off if i == ji else f"raw:{v}" if i == jk else v
            for i, v in enumerate(r)
        )
        for r in journals
    ]
    ei, ej = e_names.index("id"), e_names.index("journal_id")
    entries = [
        tuple(None if i == ei else v + j_off if i == ej else v for i, v in enumerate(r))
        for r in entries
    ]
    bi, bp, bj, bn, bs = (
        b_names.index(n) for n in ("id", "period_id", "journal_id", "number", "seq")
    )
    shifted = {
        bi: lambda v: v + b_off,
        bp: lambda v: stand_in[v],
        bj: lambda v: None if v is None else v + j_off,
        bn: lambda v: f"R{v}",
        bs: lambda v: v + 10_000_000,
    }
    bills = [
        tuple(shifted[i](v) if i in shifted else v for i, v in enumerate(r))
        for r in bills
    ]
    li, lb, ls = (l_names.index(n) for n in ("id", "bill_id", "settled_by_id"))
    lines = [
        tuple(
            None if i in (li, ls) else v + b_off if i == lb else v
            for i, v in enumerate(r)
        )
        for r in lines
    ]
    started = time.perf_counter()
    with transaction.atomic():
        _insert(Journal._meta.db_table, j_names, journals)
        _insert(Entry._meta.db_table, e_names, entries)
        _insert(Bill._meta.db_table, b_names, bills)
        _insert(BillLine._meta.db_table, l_names, lines)
    return time.perf_counter() - started


def raw_check(periods: list[BillingPeriod]) -> float:
    """The one query a re-run needs at least: billable customers without a bill."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for p in periods:
            cursor.execute(
                "SELECT count(*) FROM customers_customer c WHERE c.plant_id = %s "
                "AND c.status = 'active' AND c.package_id IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM billing_bill b "
                "WHERE b.period_id = %s AND b.customer_id = c.id)",
                [p.plant_id, p.pk],
            )
            cursor.fetchone()
    return time.perf_counter() - started


class WriteCounter:
    """Counts INSERT, UPDATE and DELETE statements sent while installed."""

    def __init__(self) -> None:
        self.writes = 0

    def __call__(
        self, execute: Any, sql: str, params: Any, many: bool, ctx: Any
    ) -> Any:
        if sql.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes += 1
        return execute(sql, params, many, ctx)


def run(quick: bool) -> list[tuple[str, float, str, float]]:
    customers = 10_000 if quick else 100_000
    label = f"{customers // 1000}k"
    periods = seed(customers)
    started = time.perf_counter()
    billed = run_all(periods)
    took = time.perf_counter() - started
    assert billed == customers, billed  # noqa: S101 - a broken bench is loud
    share = f"after-run hooks {HOOKS['s']:.1f}s of {took:.1f}s"
    print(f"# billing: {share}", file=sys.stderr)
    counter = WriteCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        again = run_all(periods)
    rerun = time.perf_counter() - started
    assert again == 0 and counter.writes == 0, counter.writes  # noqa: S101
    baseline = raw_copy(periods)
    return [
        (f"billing_run_{label}", took, "s", baseline),
        (f"billing_rerun_{label}", rerun, "s", raw_check(periods)),
    ]
