"""A plant (BHKATS of the test world) with one package per billing type and a
few customers on them, periods in the past, and meter readings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mcoms.billing.models import BillingPeriod
from mcoms.billing.services import billing_period_create
from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.metering.models import Meter, MeterKind, Reading, ReadingSource
from mcoms.org.models import Plant, Pole
from mcoms.packages.models import Package
from mcoms.packages.services import package_create
from tests.builders import World

IST = ZoneInfo("Asia/Kolkata")
SEPT, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")
    )


def local(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=IST)


@dataclass
class Site:
    world: World
    plant: Plant
    prepaid: Package  # 160 for 30 days
    metered: Package  # 30 kWh at 6, to 100 at 8, then 9; 50 a month
    unmetered: Package  # 300 a month
    customers: dict[str, Customer] = field(default_factory=dict)
    meters: dict[int, Meter] = field(default_factory=dict)

    def add(
        self,
        name: str,
        package: Package,
        *,
        pole: int = 2,
        activated: date | None = None,
    ) -> Customer:
        customer = customer_create(
            pole=Pole.objects.get(plant=self.plant, number=pole),
            name=name,
            phone=f"+9198{len(self.customers) + 10:08d}",
            package=package,
            by=None,
        )
        if activated is not None:
            customer.activated_at = local(activated, 9)
            customer.save(update_fields=["activated_at"])
        self.customers[name] = customer
        return customer

    def period(self, start: date, end: date | None = None) -> BillingPeriod:
        return billing_period_create(plant=self.plant, start=start, end=end, by=None)

    def read(self, customer: Customer, day: date, units: str) -> Reading:
        """An approved register reading with ``units`` since the last one."""
        meter = self.meters.get(customer.pk)
        if meter is None:
            meter = Meter.objects.create(
                company=self.plant.company,
                plant=self.plant,
                serial=f"M{customer.pk:06d}",
                kind=MeterKind.CONVENTIONAL,
                location="installed",
                state="assigned",
            )
            self.meters[customer.pk] = meter
        before = Reading.objects.filter(meter=meter).order_by("-taken_at").first()
        value = (before.value if before else Decimal(0)) + Decimal(units)
        return Reading.objects.create(
            meter=meter,
            customer=customer,
            taken_at=local(day),
            value=value,
            units=Decimal(units),
            source=ReadingSource.MANUAL,
            status="approved",
        )


def build_site(world: World) -> Site:
    plant = world.plants["BHKATS"]
    prepaid = package_create(
        plant=plant,
        type_code="A1.1",
        timing_code="NN",
        load_w=17,
        prepaid_amount="160",
        prepaid_period_days=30,
        deposit_amount="100",
        credit_limit="100",
        by=None,
    )
    metered = package_create(
        plant=plant,
        type_code="B1.1",
        timing_code="FD",
        load_w=500,
        rate_per_kwh="9",
        slabs=[{"upto_kwh": "30", "rate": "6"}, {"upto_kwh": "100", "rate": "8"}],
        fixed_monthly="50",
        deposit_amount="500",
        credit_limit="1000",
        by=None,
    )
    unmetered = package_create(
        plant=plant,
        type_code="C1.1",
        timing_code="DD",
        load_w=100,
        monthly_amount="300",
        deposit_amount="300",
        credit_limit="250",
        by=None,
    )
    return Site(world, plant, prepaid, metered, unmetered)


@pytest.fixture
def site(world: World) -> Site:
    return build_site(world)
