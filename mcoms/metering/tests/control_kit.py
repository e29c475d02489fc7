"""Shared pieces of the control, token and supply tests: installed devices on
the world's plants, the simulator reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.metering.drivers import simulator
from mcoms.metering.models import Meter
from mcoms.metering.services import meter_assign, meter_install, meter_receive
from mcoms.org import services as org
from mcoms.org.models import Feeder, Pole
from tests.builders import World

KEY = "0123456789abcdef0123456789abcdef"


def installed(
    customer: Customer,
    serial: str,
    *,
    kind: str = "smart",
    driver: str = "simulator",
) -> Meter:
    """A meter received at the customer's plant, assigned and installed."""
    meter, _ = meter_receive(
        company=customer.company,
        serial=serial,
        kind=kind,
        driver=driver,
        plant=customer.plant,
        by=None,
    )
    assignment = meter_assign(meter=meter, customer=customer, by=None)
    meter_install(assignment=assignment, initial_reading="0", by=None)
    return Meter.objects.get(pk=meter.pk)


def customer_on_f2(world: World, name: str = "F2 customer", **over: Any) -> Customer:
    """A customer of BHKATS on a pole of feeder F2 (the world's poles are on F1)."""
    plant = world.plants["BHKATS"]
    feeder = Feeder.objects.get(plant=plant, code="F2")
    pole = Pole.objects.filter(feeder=feeder).first() or org.pole_create(
        feeder=feeder, number=20, by=None
    )
    return customer_create(
        pole=pole, name=name, phone=over.pop("phone", "+919800000020"), by=None, **over
    )


@pytest.fixture
def sim() -> Iterator[None]:
    simulator.reset()
    yield
    simulator.reset()


MATRIX_METERS = {"tara": ["BHKATS", "BHSIKA", "UPGORA"], "other": ["BHKATS"]}


def build_control_meters(world: World) -> None:
    """For the access matrices: an installed smart meter ``SM-<plant>`` for
    the first customer of BHKATS, BHSIKA and UPGORA, and one of the same
    serial for the other company's BHKATS customer."""
    for key in MATRIX_METERS["tara"]:
        installed(world.customers[key], f"SM-{key}")
    installed(world.customers["other"], "SM-BHKATS")
