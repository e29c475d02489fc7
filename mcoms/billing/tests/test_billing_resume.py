"""A run that crashes part-way (inside a chunk's transaction, or between two
chunks) and is started again ends with exactly one bill per customer, gap-free
numbers, each adjustment billed once and a balanced ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.billing import extensions
from mcoms.billing.models import (
    Adjustment,
    Bill,
    BillingRun,
    BillLine,
    BillSequence,
    RunStatus,
)
from mcoms.billing.services import adjustment_add, billing_run_start, billing_run_work
from mcoms.billing.tests.conftest import OCT, Site
from mcoms.ledger.models import Journal
from mcoms.ledger.selectors import accounts_with_wrong_balance, journals_unbalanced


class Crash(Exception):
    pass


def customers(site: Site, n: int) -> None:
    packages = [site.prepaid, site.unmetered, site.metered]
    for i in range(n):
        site.add(f"c{i}", packages[i % 3], pole=2 + i // 90)


def assert_whole(site: Site, period, n: int) -> None:
    bills = Bill.objects.filter(period=period)
    assert bills.count() == n
    assert bills.values("customer").distinct().count() == n
    seqs = sorted(bills.values_list("seq", flat=True))
    assert seqs == list(range(1, n + 1))
    assert BillSequence.objects.get(plant=site.plant, year=2026).last == n
    assert Journal.objects.filter(kind="bill").count() == n
    assert not journals_unbalanced().exists()
    assert not accounts_with_wrong_balance().exists()
    run = BillingRun.objects.get(period=period)
    assert (run.status, run.done, run.total) == (RunStatus.DONE, n, n)


@pytest.fixture
def crash_on_call():
    """A line source that raises on its n-th call (inside a chunk's transaction)."""
    calls = {"n": 0, "crash_at": None}

    def source(*, plant, period, customer_ids):
        calls["n"] += 1
        if calls["n"] == calls["crash_at"]:
            raise Crash("killed in the middle of a chunk")
        return []

    extensions.register_line_source("crash-test", source)
    yield calls
    extensions.unregister_line_source("crash-test")


def test_a_crash_inside_a_chunk_rolls_it_back_and_a_rerun_finishes(
    site: Site, crash_on_call
):
    customers(site, 23)
    period = site.period(OCT)
    crash_on_call["crash_at"] = 3
    with pytest.raises(Crash):
        billing_run_work(run=billing_run_start(period=period, by=None), chunk_size=5)
    run = BillingRun.objects.get(period=period)
    assert (run.status, run.done) == (RunStatus.STARTED, 10)
    assert "killed in the middle" in run.error
    assert Bill.objects.filter(period=period).count() == 10
    assert BillSequence.objects.get(plant=site.plant, year=2026).last == 10
    assert not journals_unbalanced().exists()
    again = billing_run_start(period=period, by=None)
    assert (again.attempts, again.error) == (2, "")
    billing_run_work(run=again, chunk_size=5)
    assert_whole(site, period, 23)


def test_a_crash_between_chunks_keeps_the_committed_ones(site: Site):
    customers(site, 12)
    period = site.period(OCT)

    def stop_after_two(done: int, total: int) -> None:
        if done == 8:
            raise Crash("killed between chunks")

    with pytest.raises(Crash):
        billing_run_work(
            run=billing_run_start(period=period, by=None),
            chunk_size=4,
            progress=stop_after_two,
        )
    assert Bill.objects.filter(period=period).count() == 8
    billing_run_work(run=billing_run_start(period=period, by=None), chunk_size=4)
    assert_whole(site, period, 12)


def test_adjustments_are_billed_exactly_once_across_a_crash(site: Site, crash_on_call):
    customers(site, 9)
    everyone = list(site.customers.values())
    for i, customer in enumerate(everyone):
        adjustment_add(
            customer=customer,
            service="OTHER",
            amount="-10.00" if i % 2 else "25.50",
            description="Meter box repair" if i % 2 == 0 else "Goodwill",
            idempotency_key=f"adj-{i}",
            by=None,
        )
    period = site.period(OCT)
    crash_on_call["crash_at"] = 2
    with pytest.raises(Crash):
        billing_run_work(run=billing_run_start(period=period, by=None), chunk_size=4)
    assert Adjustment.objects.filter(bill__isnull=False).count() == 4
    billing_run_work(run=billing_run_start(period=period, by=None), chunk_size=4)
    assert not Adjustment.objects.filter(bill__isnull=True).exists()
    lines = BillLine.objects.filter(kind="adjustment", bill__period=period)
    assert lines.count() == 9
    for adjustment in Adjustment.objects.select_related("bill"):
        line = lines.get(source_ref=str(adjustment.pk))
        assert line.bill_id == adjustment.bill_id
        assert line.amount == adjustment.amount
        assert adjustment.bill.charges["OTHER"] == str(adjustment.amount)
    assert_whole(site, period, 9)


def test_a_credit_bigger_than_the_charges_posts_the_other_way(site: Site):
    customer = site.add("c", site.unmetered)
    adjustment_add(
        customer=customer,
        service="CHG",
        amount="-500",
        description="Outage refund",
        idempotency_key="refund-1",
        by=None,
    )
    period = site.period(OCT)
    billing_run_work(run=billing_run_start(period=period, by=None))
    bill = Bill.objects.get(period=period)
    assert bill.new_charges == Decimal("-200.00")
    assert bill.amount_due == Decimal("-200.00")
    entries = {e.account.code: e.amount for e in bill.journal.entries.all()}
    assert entries == {
        f"CUS:{customer.customer_id}:AR:CHG": Decimal("-200.00"),
        "PLT:BHKATS:REV:CHG": Decimal("200.00"),
    }
