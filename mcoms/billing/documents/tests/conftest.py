"""A BHKATS customer on a metered package with two monthly bills (the second
estimated, with an appliance instalment), a cash payment between them and a
meter reading in the first month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mcoms.billing.models import Bill
from mcoms.customers.models import Customer
from mcoms.metering.models import Meter, MeterKind, Reading, ReadingSource
from mcoms.packages.tests.factories import METERED, make
from tests.bill_kit import make_bill, month, pay
from tests.builders import World

IST = ZoneInfo("Asia/Kolkata")


@dataclass
class Billed:
    world: World
    customer: Customer
    march: Bill
    april: Bill


def build_billed(world: World) -> Billed:
    customer = world.customers["BHKATS"]
    package = make(customer.plant, METERED)
    Customer.objects.filter(pk=customer.pk).update(package=package)
    customer.refresh_from_db()
    meter = Meter.objects.create(
        company=customer.company,
        plant=customer.plant,
        serial="SM-0001",
        kind=MeterKind.CONVENTIONAL,
        location="installed",
        state="assigned",
    )
    Reading.objects.create(
        meter=meter,
        customer=customer,
        taken_at=datetime(2026, 3, 28, 10, tzinfo=IST),
        value=Decimal("1234.500"),
        units=Decimal("45.500"),
        source=ReadingSource.MANUAL,
        status="approved",
    )
    march = make_bill(
        customer,
        month(2026, 3),
        {"CHG": "436.75"},
        package=package,
        kwh="45.500",
    )
    pay(customer, "400.00", key="march", memo="Cash, receipt R-1")
    april = make_bill(
        customer,
        month(2026, 4),
        {"CHG": "436.75", "EMI": "125.75"},
        package=package,
        previous="436.75",
        payments="400.00",
        estimated=True,
        kwh="45.500",
        descriptions={"EMI": "Fan, instalment 3 of 12"},
    )
    return Billed(world, customer, march, april)


@pytest.fixture
def billed(world: World) -> Billed:
    return build_billed(world)
