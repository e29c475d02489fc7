"""Shared pieces of the Change Meter and Unreleased Meter tests: a metered
customer at BHKATS with an installed conventional meter, stock to pick from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.metering import changes
from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    Reading,
    ReadingSource,
    ReadingStatus,
)
from mcoms.metering.services import meter_assign, meter_install, meter_receive
from mcoms.org.models import Plant, Pole
from mcoms.packages.tests.factories import METERED, PREPAID, make
from mcoms.workflow.models import Request
from tests.builders import World


def receive(
    world: World, serial: str, plant: str | None = "BHKATS", **over: Any
) -> Meter:
    args: dict[str, Any] = {
        "company": world.company,
        "serial": serial,
        "kind": "conventional",
        "plant": world.plants[plant] if plant else None,
        "by": None,
    }
    meter, _created = meter_receive(**(args | over))
    return meter


def install(customer: Customer, meter: Meter, reading: str = "100") -> MeterAssignment:
    """Assign and install; dated a month ago, so readings can follow."""
    assignment = meter_assign(meter=meter, customer=customer, by=None)
    meter_install(assignment=assignment, initial_reading=reading, by=None)
    month_ago = timezone.now() - timedelta(days=30)
    MeterAssignment.objects.filter(pk=assignment.pk).update(
        assigned_at=month_ago, installed_at=month_ago
    )
    assignment.refresh_from_db()
    return assignment


def metered(world: World, key: str = "BHKATS") -> Customer:
    """The world's customer of ``key`` on a metered package of its plant."""
    customer = world.customers[key]
    customer.package = make(customer.plant, METERED)
    customer.save(update_fields=["package"])
    return customer


def prepaid(world: World, key: str = "BHKATS") -> Customer:
    customer = world.customers[key]
    customer.package = make(customer.plant, PREPAID)
    customer.save(update_fields=["package"])
    return customer


def neighbour(plant: Plant, phone: str = "+919800000031") -> Customer:
    """Another customer of the plant (pole 2)."""
    pole = Pole.objects.get(plant=plant, number=2)
    return customer_create(pole=pole, name="Neighbour", phone=phone, by=None)


@dataclass
class Site:
    customer: Customer
    old: Meter
    assignment: MeterAssignment
    new: Meter


def site(world: World, **old: Any) -> Site:
    """Customer BHKATS (metered) with meter OLD-1 installed at 100 kWh and
    NEW-1 in the plant's stock."""
    customer = metered(world)
    meter = receive(world, "OLD-1", **old)
    assignment = install(customer, meter)
    return Site(
        customer, Meter.objects.get(pk=meter.pk), assignment, receive(world, "NEW-1")
    )


def approved_reading(
    assignment: MeterAssignment, value: str, days_ago: int = 1, **over: Any
) -> Reading:
    """A reviewed manual reading of the installation."""
    fields: dict[str, Any] = {
        "meter_id": assignment.meter_id,
        "customer_id": assignment.customer_id,
        "assignment": assignment,
        "taken_at": timezone.now() - timedelta(days=days_ago),
        "value": Decimal(value),
        "units": Decimal("1"),
        "source": ReadingSource.MANUAL,
        "status": ReadingStatus.APPROVED,
    }
    return Reading.objects.create(**(fields | over))


def change(world: World, s: Site, by: str = "cluster_incharge", **over: Any) -> Any:
    args: dict[str, Any] = {
        "customer": s.customer,
        "old_meter": s.old,
        "new_meter": s.new,
        "final_reading": "150",
        "first_reading": "0",
        "reason": "faulty",
        "idempotency_key": str(uuid.uuid4()),
        "by": world.user(by),
    }
    return changes.meter_change(**(args | over))


def counts() -> tuple[int, int, int]:
    """Requests, readings and assignments: what a refused change must not add."""
    return (
        Request.objects.count(),
        Reading.objects.count(),
        MeterAssignment.objects.count(),
    )


def build_meter_work(world: World, *, release: bool = False) -> dict[str, str]:
    """For the access matrix: a load limiter ``MW-<plant>`` installed for the
    customer of BHKATS and of BHSIKA, ``MW-<plant>-NEW`` in each plant's stock
    and, with ``release``, a release of each installed one (BHKATS's assigned
    to the technician). Returns the release numbers by plant."""
    from mcoms.metering import releases
    from mcoms.workflow import services as chain

    numbers: dict[str, str] = {}
    for key in ("BHKATS", "BHSIKA"):
        customer = world.customers[key]
        meter = receive(world, f"MW-{key}", plant=key, kind="load_limiter")
        install(customer, meter, reading="0")
        receive(world, f"MW-{key}-NEW", plant=key, kind="load_limiter")
        if release:
            req, _created = releases.meter_release_raise(
                meter=Meter.objects.get(pk=meter.pk),
                reason="other",
                idempotency_key=f"mw-{key}",
                by=world.user("admin"),
            )
            numbers[key] = req.number
    if release:
        req = Request.objects.get(number=numbers["BHKATS"], company=world.company)
        chain.request_assign(
            request=req, assignee=world.user("technician"), by=world.user("admin")
        )
    return numbers
