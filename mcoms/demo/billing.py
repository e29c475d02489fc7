"""Demo bills (docs/billing.md): the last two months billed at every demo
plant through the billing services, so the back office, the API and the
customer app show periods, runs and bills.

* Two monthly periods per plant (the month before last and last month, in the
  plant's time zone), each run to the end.
* Metered customers with a meter reading in a month are billed on it; the
  others get an estimate (no history: 0 kWh) that a later reading trues up.
* A few customers get an adjustment on the second bill (a repair charge, a
  goodwill credit), to show the extension point's lines.

Deterministic for a seed and a day.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from mcoms.billing.models import Bill, BillingPeriod
from mcoms.billing.services import (
    adjustment_add,
    billing_period_create,
    billing_run_start,
    billing_run_work,
    plant_today,
)
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.org.models import Plant

ADJUSTMENTS = [
    ("OTHER", "150.00", "Meter box repair"),
    ("CHG", "-50.00", "Goodwill credit for the outage"),
]


def month_start(plant: Plant, back: int) -> date:
    """The first day of the month ``back`` months before this one."""
    day = plant_today(plant).replace(day=1)
    for _ in range(back):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


def build_billing(demo: Any, *, seed: int = 1) -> list[BillingPeriod]:
    rng = random.Random(f"billing:{seed}")
    periods: list[BillingPeriod] = []
    for plant in getattr(demo, "plants", []):
        first = billing_period_create(plant=plant, start=month_start(plant, 2), by=None)
        _run(first)
        _adjust(plant, rng)
        second = billing_period_create(
            plant=plant, start=month_start(plant, 1), by=None
        )
        _run(second)
        periods += [first, second]
    return periods


def _run(period: BillingPeriod) -> None:
    run = billing_run_start(period=period, by=None)
    billing_run_work(run=run)


def _adjust(plant: Plant, rng: random.Random) -> None:
    active = list(
        Customer.objects.filter(
            plant=plant, status=CustomerStatus.ACTIVE, package__isnull=False
        ).order_by("pk")[:40]
    )
    for customer in rng.sample(active, min(3, len(active))):
        service, amount, text = rng.choice(ADJUSTMENTS)
        adjustment_add(
            customer=customer,
            service=service,
            amount=amount,
            description=text,
            idempotency_key=f"demo:adj:{customer.customer_id}",
            by=None,
        )


def billed_total(plant: Plant) -> Decimal:
    """What the demo billed at a plant (for the seed's summary and tests)."""
    return sum(
        (b.new_charges for b in Bill.objects.filter(plant=plant)), Decimal("0.00")
    )
