"""billing_run_start: one run per period, refused too early, resumed when
started again, and a finished run returned without writing anything."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from mcoms.billing import hooks
from mcoms.billing.models import Bill, BillingRun, RunStatus
from mcoms.billing.services import billing_run_start, billing_run_work
from mcoms.billing.tests.conftest import NOV, OCT, SEPT, Site
from mcoms.core.errors import Conflict
from mcoms.customers.models import Customer
from mcoms.notifications.testing import IMMEDIATE_TASKS


class Writes:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.statements.append(sql)
        return execute(sql, params, many, context)


def test_it_makes_one_run_per_period_and_counts_the_customers(site: Site):
    for n in range(3):
        site.add(f"c{n}", site.unmetered)
    period = site.period(OCT)
    run = billing_run_start(period=period, by=site.world.user("admin"))
    assert (run.status, run.total, run.done, run.attempts) == ("started", 3, 0, 1)
    assert run.started_by == site.world.user("admin")
    again = billing_run_start(period=period, by=None)
    assert again.pk == run.pk
    assert again.attempts == 2
    assert BillingRun.objects.count() == 1


def test_it_refuses_a_period_that_has_not_ended(site: Site):
    period = site.period(NOV, date(2026, 12, 1))  # today is in it
    with pytest.raises(Conflict) as caught:
        billing_run_start(period=period, by=None)
    assert caught.value.code == "period_not_ended"
    assert not BillingRun.objects.exists()


def test_it_refuses_while_an_earlier_period_is_still_being_billed(site: Site):
    site.add("c", site.unmetered)
    billing_run_start(period=site.period(SEPT), by=None)
    with pytest.raises(Conflict) as caught:
        billing_run_start(period=site.period(OCT), by=None)
    assert caught.value.code == "earlier_run_unfinished"
    assert BillingRun.objects.count() == 1


def test_running_a_finished_run_again_writes_nothing(site: Site):
    site.add("pre", site.prepaid)
    met = site.add("met", site.metered)
    site.read(met, OCT.replace(day=9), "12")
    period = site.period(OCT)
    run = billing_run_start(period=period, by=None)
    assert billing_run_work(run=run).billed == 2
    writes = Writes()
    with connection.execute_wrapper(writes):
        again = billing_run_start(period=period, by=None)
        result = billing_run_work(run=again)
    assert writes.statements == []
    assert (result.billed, result.missing, result.run.status) == (0, 0, "done")
    assert Bill.objects.count() == 2


def test_a_finished_run_reports_customers_billable_since_and_leaves_them(site: Site):
    site.add("early", site.unmetered)
    period = site.period(OCT)
    billing_run_work(run=billing_run_start(period=period, by=None))
    late = site.add("late", site.unmetered, activated=OCT.replace(day=20))
    result = billing_run_work(run=billing_run_start(period=period, by=None))
    assert (result.billed, result.missing) == (0, 1)
    assert not Bill.objects.filter(customer=late).exists()


def test_the_after_run_hooks_flag_credit_limits_and_run_once(site: Site):
    over = site.add("over", site.prepaid)  # 160 billed, credit limit 100
    within = site.add("within", site.metered)  # 50 fixed + estimate 0, limit 1000
    seen: list[int] = []
    hooks.register_after_run(lambda run: seen.append(run.pk))
    try:
        period = site.period(OCT)
        run = billing_run_work(run=billing_run_start(period=period, by=None)).run
        billing_run_work(run=billing_run_start(period=period, by=None))
    finally:
        hooks._AFTER_RUN.clear()
    assert seen == [run.pk]
    assert Customer.objects.get(pk=over.pk).flagged_at is not None
    assert Customer.objects.get(pk=within.pk).flagged_at is None


def test_enqueue_hands_the_run_to_the_task_worker(
    site: Site, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE_TASKS
    site.add("c", site.unmetered)
    period = site.period(OCT)
    with django_capture_on_commit_callbacks(execute=True):
        run = billing_run_start(period=period, by=None, enqueue=True)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert Bill.objects.filter(period=period).count() == 1
