"""Demo meter readings (docs/metering.md, "Readings"), built through the
services:

* every plant: of its first five post-paid metered customers, two get a smart
  meter on the simulator driver, installed 35 days ago, and a month of
  15-minute readings through the ingestion path (so their daily readings
  reach billing);
* and three get a conventional meter, installed four months ago; its
  readings of the two months' reading days before are approved, and this
  month's (or, before the reading day, last month's) waits for review at two
  of them; the third is due.

Deterministic for a seed (the serials, the monthly use and the simulator's
counters); the dates follow today.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.metering.feed import interval_floor, simulator_feed
from mcoms.metering.models import Meter, MeterAssignment, MeterKind
from mcoms.metering.readings import reading_approve, reading_record, reading_window
from mcoms.metering.services import meter_assign, meter_install, meter_receive
from mcoms.metering.simulator import simulate_intervals
from mcoms.org.models import Plant, Staff
from mcoms.packages.models import BillingType

MANUAL_PER_PLANT = 3
SMART_PER_PLANT = 2
PENDING = 2  # of the manual meters, this many wait for review; the rest are due
SMART_DAYS = 30


def build_readings(demo: Any, *, seed: int = 1) -> None:
    rng = random.Random(f"readings:{seed}")
    now = timezone.now()
    for plant in demo.plants:
        customers = list(
            Customer.objects.filter(
                plant=plant,
                status=CustomerStatus.ACTIVE,
                package__billing_type=BillingType.POSTPAID_METERED,
                meter_assignments__isnull=True,
            ).order_by("customer_id")[: MANUAL_PER_PLANT + SMART_PER_PLANT]
        )
        # Alternately, so that a small demo has both kinds at every plant.
        manual = customers[0::2][:MANUAL_PER_PLANT]
        smart = customers[1::2][:SMART_PER_PLANT]
        _manual(plant, manual, rng, now)
        _smart(plant, smart, seed, now)


def _people(plant: Plant) -> tuple[Any, Any]:
    """The plant's technician (reads) and its cluster in-charge (reviews)."""
    tech = Staff.objects.filter(plant=plant, designation="technician").first()
    boss = Staff.objects.filter(
        cluster=plant.cluster, designation="cluster_incharge"
    ).first()
    return (tech.user if tech else None), (boss.user if boss else None)


def _install(
    plant: Plant, customer: Customer, serial: str, kind: str, initial: Decimal, at: Any
) -> Meter:
    meter, _ = meter_receive(
        company=plant.company,
        serial=serial,
        kind=kind,
        driver="simulator" if kind == MeterKind.SMART else "manual",
        digit_capacity=7 if kind == MeterKind.SMART else 6,
        plant=plant,
        by=None,
    )
    assignment = meter_assign(meter=meter, customer=customer, by=None)
    meter_install(assignment=assignment, initial_reading=str(initial), by=None)
    # The demo's history: installed some time ago.
    MeterAssignment.objects.filter(pk=assignment.pk).update(installed_at=at)
    return meter


def _reading_days(plant: Plant, now: datetime) -> list[datetime]:
    """This month's reading day (or last month's, before it) and the two
    before it, oldest first, at 11:00 at the plant."""
    window = reading_window(plant, now)
    zone = ZoneInfo(plant.timezone)
    first = window.opens.astimezone(zone).date().replace(day=1)
    if not window.is_open:
        first = (first - timedelta(days=1)).replace(day=1)
    months = [first]
    for _ in range(2):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    day = window.day + 1 if window.day < 28 else window.day
    return [
        datetime.combine(date(m.year, m.month, day), time(11), zone) for m in months
    ]


def _manual(
    plant: Plant, customers: list[Customer], rng: random.Random, now: datetime
) -> None:
    tech, boss = _people(plant)
    days = [d for d in _reading_days(plant, now) if d <= now]
    installed = days[0] - timedelta(days=40)
    for n, customer in enumerate(customers, 1):
        value = Decimal(rng.randrange(200, 5000))
        meter = _install(
            plant,
            customer,
            f"{plant.key}-RCM-{n:03d}",
            MeterKind.CONVENTIONAL,
            value,
            installed,
        )
        for k, taken in enumerate(days):
            value += Decimal(rng.randrange(15, 60)) + Decimal(rng.randrange(10)) / 10
            last = k == len(days) - 1
            if last and n > PENDING:
                break  # still due this month
            reading, _ = reading_record(
                meter=meter,
                value=value,
                taken_at=taken,
                by=tech,
                client_key=f"demo:{meter.serial}:{taken:%Y%m}",
            )
            if not last and boss is not None:
                reading_approve(reading=reading, by=boss)


def _smart(plant: Plant, customers: list[Customer], seed: int, now: datetime) -> None:
    if not customers:
        return
    installed = interval_floor(now - timedelta(days=SMART_DAYS + 5))
    for n, customer in enumerate(customers, 1):
        serial = f"{plant.key}-RSM-{n:03d}"
        first = simulate_intervals(
            meter_serial=serial,
            seed=seed,
            start=installed - timedelta(minutes=15),
            end=installed,
            tz=plant.timezone,
        )
        _install(plant, customer, serial, MeterKind.SMART, first[0][1], installed)
    simulator_feed(
        plant=plant, start=now - timedelta(days=SMART_DAYS), end=now, seed=seed
    )
