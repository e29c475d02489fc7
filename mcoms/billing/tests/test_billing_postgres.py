"""Real concurrency on PostgreSQL (threads with their own connections,
released together by a barrier): two workers on one period's run take turns
on the run lock and bill every customer once; two people starting the same
run at once get the one run; a payment posted while a run works keeps the
cached balances right."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from mcoms.billing.models import Bill, BillingRun, BillSequence, RunStatus
from mcoms.billing.services import billing_run_start, billing_run_work
from mcoms.billing.tests.conftest import OCT, Site
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Journal
from mcoms.ledger.selectors import accounts_with_wrong_balance, journals_unbalanced

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
N = 40


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
        thread.join(300)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def populate(site: Site) -> None:
    packages = [site.prepaid, site.unmetered, site.metered]
    for i in range(N):
        site.add(f"c{i}", packages[i % 3], pole=1 + i // 30)


def test_two_workers_on_one_run_bill_everyone_once(site: Site) -> None:
    populate(site)
    period = site.period(OCT)
    run = billing_run_start(period=period, by=None)

    results = run_parallel(2, lambda i: billing_run_work(run=run, chunk_size=3).billed)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == N
    bills = Bill.objects.filter(period=period)
    assert bills.count() == bills.values("customer").distinct().count() == N
    assert sorted(bills.values_list("seq", flat=True)) == list(range(1, N + 1))
    assert BillSequence.objects.get(plant=site.plant, year=2026).last == N
    assert Journal.objects.filter(kind="bill").count() == N
    assert not journals_unbalanced().exists()
    assert not accounts_with_wrong_balance().exists()
    run.refresh_from_db()
    assert (run.status, run.done) == (RunStatus.DONE, N)


def test_two_starts_at_once_make_one_run(site: Site) -> None:
    populate(site)
    period = site.period(OCT)
    results = run_parallel(2, lambda i: billing_run_start(period=period, by=None).pk)
    assert all(isinstance(r, int) for r in results), results
    assert results[0] == results[1]
    assert BillingRun.objects.get(period=period).attempts == 2


def test_payments_while_a_run_works_keep_the_balances_right(site: Site) -> None:
    populate(site)
    period = site.period(OCT)
    company = site.world.company
    cash = ledger.account_for_staff_cash(company=company, username="csa")
    receivables = [
        ledger.account_for_customer(
            company=company, customer_id=c.customer_id, plant=site.plant, service="CHG"
        )
        for c in site.customers.values()
    ]
    run = billing_run_start(period=period, by=None)

    def work(i: int) -> int:
        if i == 0:
            return billing_run_work(run=run, chunk_size=2).billed
        for n, account in enumerate(receivables):
            ledger.journal_post(
                company=company,
                idempotency_key=f"pay-{n}",
                lines=[(cash, Decimal("10.00")), (account, Decimal("-10.00"))],
                kind="payment",
            )
        return len(receivables)

    results = run_parallel(2, work)
    assert results == [N, N], results
    assert not accounts_with_wrong_balance().exists()
    assert not journals_unbalanced().exists()
    for bill in Bill.objects.filter(period=period):
        before = bill.previous_balance - bill.payments
        assert bill.amount_due == before + bill.new_charges
