from __future__ import annotations

import pytest
from django.core.management import call_command

from mcoms.billing import chunk
from mcoms.billing.models import Bill, BillingPeriod, BillingRun, BillLine
from mcoms.demo.billing import billed_total
from mcoms.ledger.selectors import accounts_with_wrong_balance, journals_unbalanced
from mcoms.org.models import Plant


@pytest.mark.django_db
def test_the_demo_bills_the_last_two_months_at_every_plant() -> None:
    call_command("seed_demo", customers=80, seed=5)
    for plant in Plant.objects.filter(company__code="tara-demo"):
        periods = BillingPeriod.objects.filter(plant=plant).order_by("start")
        assert periods.count() == 2
        assert periods[0].end == periods[1].start
        for period in periods:
            run = BillingRun.objects.get(period=period)
            assert run.status == "done"
            billable = chunk.billable(period).count()
            assert Bill.objects.filter(period=period).count() == billable == run.done
        assert billed_total(plant) > 0
    later = Bill.objects.filter(
        period__start__gt=BillingPeriod.objects.order_by("start").first().start
    )
    assert later.filter(previous_balance__gt=0).exists()
    assert BillLine.objects.filter(kind="adjustment").exists()
    assert not journals_unbalanced().exists()
    assert not accounts_with_wrong_balance().exists()
