"""Demo data for meter control and tokens (docs/metering.md, "Control and
tokens"), built through the services after the rest of the demo:

* at the first two plants, six active customers get a remotely reachable
  device on the simulator driver: three load limiters with an OpenPAYGO key
  (and a token for a demo payment each) and three smart meters;
* a few commands with their history: a meter switched OFF and acknowledged, a
  load limit set, one the meter refused, and the first plant's AUTO on every
  reachable meter (the master switch), all sent through the simulator;
* the credit-limit review over those customers (who is over the limit is
  switched OFF through the control port).

Deterministic for a seed: the keys come from the demo's random generator.
"""

from __future__ import annotations

import random

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.metering.control import command_dispatch, command_request
from mcoms.metering.drivers import simulator
from mcoms.metering.models import Meter, MeterCommand, MeterKind
from mcoms.metering.services import meter_assign, meter_install, meter_receive
from mcoms.metering.supply import supply_review
from mcoms.metering.tokens import meter_payg_setup, token_issue
from mcoms.org.models import Plant

DEVICES = [MeterKind.LOAD_LIMITER] * 3 + [MeterKind.SMART] * 3
PLANTS = 2


def build_control(demo: object, *, seed: int = 1) -> list[Meter]:
    rng = random.Random(f"control:{seed}")
    installed: list[Meter] = []
    for plant in list(getattr(demo, "plants", []))[:PLANTS]:
        installed += _devices(plant, rng)
    if not installed:
        return installed
    _commands(installed)
    customers = Customer.objects.filter(
        meter_assignments__meter__in=installed
    ).distinct()
    supply_review(customers=customers)
    return installed


def _devices(plant: Plant, rng: random.Random) -> list[Meter]:
    customers = list(
        Customer.objects.filter(
            plant=plant, status=CustomerStatus.ACTIVE, meter_assignments__isnull=True
        ).order_by("pk")[: len(DEVICES)]
    )
    meters = []
    for n, (customer, kind) in enumerate(zip(customers, DEVICES, strict=False), 1):
        tag = "CLL" if kind == MeterKind.LOAD_LIMITER else "CSM"
        meter, _ = meter_receive(
            company=plant.company,
            serial=f"{plant.key}-{tag}-{n:03d}",
            kind=kind,
            driver="simulator",
            plant=plant,
            by=None,
        )
        assignment = meter_assign(meter=meter, customer=customer, by=None)
        meter_install(assignment=assignment, initial_reading="0", by=None)
        if kind == MeterKind.LOAD_LIMITER:
            meter = meter_payg_setup(
                meter=meter, secret=f"{rng.getrandbits(128):032x}", by=None
            )
            token_issue(
                meter=meter, payment_ref=f"DEMO-{customer.customer_id}-1", days=30
            )
        meters.append(Meter.objects.get(pk=meter.pk))
    return meters


def _commands(meters: list[Meter]) -> None:
    """A short history, sent through the simulator at once."""
    first, limiter, refused = meters[-1], meters[0], meters[1]
    simulator.script(refused.serial, "refused")
    sent = [
        command_request(
            target=first, action="off", reason="fault check", key="demo-1", by=None
        )[0],
        command_request(
            target=limiter,
            action="set_limit",
            params={"limit_w": 60},
            reason="package load",
            key="demo-2",
            by=None,
        )[0],
        command_request(target=refused, action="reset", key="demo-3", by=None)[0],
    ]
    for command in sent:
        command_dispatch(command_id=command.pk)
    plant = meters[0].plant
    assert plant is not None  # noqa: S101 (installed meters have a plant)
    master, _ = command_request(
        target=plant, action="auto", reason="after maintenance", key="demo-4", by=None
    )
    for command in MeterCommand.objects.filter(parent=master):
        command_dispatch(command_id=command.pk)
