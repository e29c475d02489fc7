"""Ledger posting speed.

* ``ledger_post_100k`` (``ledger_post_10k`` with --quick): seconds to post that
  many two-line journals through ``journal_post_many`` in batches of 5,000, with
  validation, idempotency and cached balances; baseline: raw SQL ``executemany``
  inserting the same journal and entry rows (no checks, no balances).
* ``ledger_post_single``: ms per journal for 1,000 ``journal_post`` calls, each
  its own transaction; baseline: the same three rows by raw single inserts.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from mcoms.ledger.models import Account, AccountKind, HolderType, Journal
from mcoms.ledger.services import JournalSpec, journal_post, journal_post_many
from mcoms.org.models import Company

BATCH = 5_000
CUSTOMERS = 2_000
SINGLE = 1_000


def _amount(i: int) -> Decimal:
    return Decimal(f"{1 + i % 500}.{i % 100:02d}")


def _books(code: str) -> tuple[Company, list[Account], Account]:
    company = Company.objects.create(code=code, name=code)
    customers = Account.objects.bulk_create(
        Account(
            company=company,
            code=f"CUS:C{n:06d}:AR:CHG",
            name=f"C{n}",
            kind=AccountKind.ASSET,
            holder_type=HolderType.CUSTOMER,
            holder_ref=f"C{n:06d}",
            service="CHG",
        )
        for n in range(CUSTOMERS)
    )
    revenue = Account.objects.create(
        company=company,
        code="PLT:BENCH:REV:CHG",
        name="revenue",
        kind=AccountKind.INCOME,
        holder_type=HolderType.PLANT,
        service="CHG",
    )
    return company, customers, revenue


def _post_many(total: int) -> float:
    company, customers, revenue = _books("bench-many")
    started = time.perf_counter()
    for start in range(0, total, BATCH):
        specs = [
            JournalSpec(
                f"bill-{i}",
                [(customers[i % CUSTOMERS], _amount(i)), (revenue, -_amount(i))],
                "bill",
            )
            for i in range(start, min(start + BATCH, total))
        ]
        journal_post_many(company=company, journals=specs)
    return time.perf_counter() - started


def _next_journal_id() -> int:
    last = Journal.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _raw_many(total: int) -> float:
    company, customers, revenue = _books("bench-raw")
    now = timezone.now()
    started = time.perf_counter()
    first_id = _next_journal_id()
    for start in range(0, total, BATCH):
        ids = range(start, min(start + BATCH, total))
        journals = [
            (first_id + i, company.pk, f"raw-{i}", "bill", "", now) for i in ids
        ]
        entries = []
        for i in ids:
            entries.append((first_id + i, customers[i % CUSTOMERS].pk, _amount(i)))
            entries.append((first_id + i, revenue.pk, -_amount(i)))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO ledger_journal (id, company_id, idempotency_key, kind, "
                "memo, posted_at) VALUES (%s, %s, %s, %s, %s, %s)",
                journals,
            )
            cursor.executemany(
                "INSERT INTO ledger_entry (journal_id, account_id, amount, currency) "
                "VALUES (%s, %s, %s, 'INR')",
                entries,
            )
    return time.perf_counter() - started


def _post_single() -> float:
    company, customers, revenue = _books("bench-one")
    started = time.perf_counter()
    for i in range(SINGLE):
        journal_post(
            company=company,
            idempotency_key=f"one-{i}",
            kind="bill",
            lines=[(customers[i % CUSTOMERS], _amount(i)), (revenue, -_amount(i))],
        )
    return (time.perf_counter() - started) * 1000 / SINGLE


def _raw_single() -> float:
    company, customers, revenue = _books("bench-one-raw")
    now = timezone.now()
    started = time.perf_counter()
    for i in range(SINGLE):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_journal (company_id, idempotency_key, kind, memo, "
                "posted_at) VALUES (%s, %s, 'bill', '', %s)",
                [company.pk, f"one-raw-{i}", now],
            )
            journal_id = cursor.lastrowid
            for account, amount in (
                (customers[i % CUSTOMERS], _amount(i)),
                (revenue, -_amount(i)),
            ):
                cursor.execute(
                    "INSERT INTO ledger_entry (journal_id, account_id, amount, "
                    "currency) VALUES (%s, %s, %s, 'INR')",
                    [journal_id, account.pk, amount],
                )
    return (time.perf_counter() - started) * 1000 / SINGLE


def run(quick: bool) -> list[tuple[str, float, str, float]]:
    total = 10_000 if quick else 100_000
    name = "ledger_post_10k" if quick else "ledger_post_100k"
    baseline = _raw_many(total)
    many = _post_many(total)
    single_baseline = _raw_single()
    single = _post_single()
    return [
        (name, many, "s", baseline),
        ("ledger_post_single", single, "ms", single_baseline),
    ]
