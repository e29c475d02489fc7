"""Builders for the reading tests: a metered package, meters installed at a
world customer's connection at a chosen time, and a clock inside the
reading window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from mcoms.customers.models import Customer
from mcoms.metering.models import Meter, MeterAssignment
from mcoms.metering.services import meter_assign, meter_install, meter_receive
from mcoms.packages.models import Package
from mcoms.packages.services import package_create
from tests.builders import World

# The 25th of last month, noon: inside the default window (from the 24th).
NOW = datetime.now(UTC)
IN_WINDOW = (NOW.replace(day=1) - timedelta(days=5)).replace(
    day=25, hour=6, minute=30, second=0, microsecond=0
)


def metered_package(world: World, plant: str = "BHKATS") -> Package:
    return package_create(
        plant=world.plants[plant],
        type_code="B1.1",
        timing_code="FD",
        load_w=500,
        rate_per_kwh="9",
        fixed_monthly="50",
        deposit_amount="100",
        by=None,
    )


def install(
    world: World,
    serial: str,
    *,
    customer: str | Customer = "BHKATS",
    kind: str = "conventional",
    digits: int = 6,
    initial: str = "100",
    installed_at: datetime | None = None,
) -> Meter:
    """A meter received into the customer's plant stock, assigned and
    installed with ``initial`` on its register at ``installed_at``."""
    if isinstance(customer, str):
        customer = world.customers[customer]
    meter, _ = meter_receive(
        company=customer.company,
        serial=serial,
        kind=kind,
        digit_capacity=digits,
        plant=customer.plant,
        by=None,
    )
    assignment = meter_assign(meter=meter, customer=customer, by=None)
    meter_install(assignment=assignment, initial_reading=initial, by=None)
    when = installed_at or IN_WINDOW - timedelta(days=90)
    MeterAssignment.objects.filter(pk=assignment.pk).update(installed_at=when)
    meter.refresh_from_db()
    return meter


def kwh(value: str) -> Decimal:
    return Decimal(value)
