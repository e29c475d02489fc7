"""Supply and the credit limit (issue 4 item 7): a smart-metered or
load-limited customer over the limit is switched OFF through the control port
(reason "credit limit") and back to AUTO when a payment brings them within
it; a conventional one is only flagged for the de-activation list."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from mcoms.customers.models import Customer
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Service
from mcoms.metering.control import command_dispatch
from mcoms.metering.drivers import simulator
from mcoms.metering.models import Meter, MeterCommand
from mcoms.metering.supply import OFF_REASON, ON_REASON, supply_review
from mcoms.metering.tests.control_kit import customer_on_f2, installed, sim
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World

__all__ = ["sim"]


def owe(customer: Customer, amount: str) -> None:
    """A bill (positive) or a payment (negative, cash in the CSA's hand) on the
    customer's energy receivable, as balanced journals through the ledger."""
    company = customer.plant.company
    receivable = ledger.account_for_customer(
        company=company,
        customer_id=customer.customer_id,
        plant=customer.plant,
        service=Service.ENERGY,
    )
    value = Decimal(amount)
    other = (
        ledger.account_for_plant_revenue(plant=customer.plant, service=Service.ENERGY)
        if value > 0
        else ledger.account_for_staff_cash(company=company, username="csa")
    )
    ledger.journal_post(
        company=company,
        idempotency_key=str(uuid.uuid4()),
        kind="bill" if value > 0 else "payment",
        lines=[(receivable, value), (other, -value)],
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def people(world: World, sim: None) -> dict[str, Customer]:
    """On a package with a credit limit of 100: a smart meter, a load limiter,
    a conventional meter and a load limiter no driver reaches."""
    package = make(world.plants["BHKATS"], PREPAID, credit_limit="100")
    first = world.customers["BHKATS"]
    Customer.objects.filter(pk=first.pk).update(package=package)
    out = {"smart": fresh(first)}
    for n, name in enumerate(("limiter", "conventional", "offline"), start=1):
        out[name] = customer_on_f2(
            world, name=name, phone=f"+91980000003{n}", package=package
        )
    installed(out["smart"], "SM-1")
    installed(out["limiter"], "LL-1", kind="load_limiter")
    installed(out["conventional"], "CM-1", kind="conventional", driver="manual")
    installed(out["offline"], "LL-2", kind="load_limiter", driver="manual")
    return out


def supply_commands() -> list[tuple[str, str, str]]:
    return list(
        MeterCommand.objects.order_by("pk").values_list(
            "meter__serial", "action", "reason"
        )
    )


def test_over_the_limit_reachable_devices_are_switched_off(people) -> None:
    for customer in people.values():
        owe(customer, "250")
    counts = supply_review(customers=people.values())
    assert (counts.flags.flagged, counts.switched_off, counts.restored) == (4, 2, 0)
    assert all(fresh(c).flagged_at is not None for c in people.values())
    assert supply_commands() == [
        ("SM-1", "off", OFF_REASON),
        ("LL-1", "off", OFF_REASON),
    ]
    for command in MeterCommand.objects.all():
        assert command_dispatch(command_id=command.pk) == "acknowledged"
    assert Meter.objects.get(serial="SM-1").switch_state == "off"
    assert simulator.state("LL-1").switch == "off"


def test_within_the_limit_nothing_happens(people) -> None:
    owe(people["smart"], "100")  # exactly at the limit is within it
    counts = supply_review(customers=people.values())
    assert (counts.flags.over, counts.switched_off) == (0, 0)
    assert not MeterCommand.objects.exists()


def test_a_payment_brings_the_supply_back(people) -> None:
    smart = people["smart"]
    owe(smart, "300")
    supply_review(customers=[smart])
    command_dispatch(command_id=MeterCommand.objects.get().pk)
    owe(smart, "-250")  # the payment journal: 50 left, within the limit
    counts = supply_review(customers=[smart])
    assert (counts.flags.cleared, counts.restored) == (1, 1)
    assert fresh(smart).flagged_at is None
    assert supply_commands() == [
        ("SM-1", "off", OFF_REASON),
        ("SM-1", "auto", ON_REASON),
    ]
    on = MeterCommand.objects.get(action="auto")
    assert on.key == f"supply:{on.meter_id}:2"
    assert command_dispatch(command_id=on.pk) == "acknowledged"
    assert Meter.objects.get(serial="SM-1").switch_state == "auto"


def test_running_the_review_again_changes_nothing(people) -> None:
    owe(people["smart"], "300")
    supply_review(customers=people.values())
    again = supply_review(customers=people.values())
    assert (again.switched_off, again.restored) == (0, 0)
    assert MeterCommand.objects.count() == 1


def test_a_failed_switch_off_is_tried_again_at_the_next_review(people) -> None:
    smart = people["smart"]
    owe(smart, "300")
    supply_review(customers=[smart])
    simulator.script("SM-1", "refused")
    first = MeterCommand.objects.get()
    assert command_dispatch(command_id=first.pk) == "failed"
    assert supply_review(customers=[smart]).switched_off == 1
    assert list(MeterCommand.objects.values_list("key", "state")) == [
        (f"supply:{first.meter_id}:2", "queued"),
        (f"supply:{first.meter_id}:1", "failed"),
    ]


def test_an_inactive_customer_is_not_switched_back_on(people) -> None:
    smart = people["smart"]
    owe(smart, "300")
    supply_review(customers=[smart])
    Customer.objects.filter(pk=smart.pk).update(status="inactive")
    owe(smart, "-300")
    assert supply_review(customers=[smart]).restored == 0
    assert MeterCommand.objects.count() == 1


def test_a_whole_plant_after_a_billing_run(world: World, people) -> None:
    owe(people["limiter"], "500")
    plant = Customer.objects.filter(plant=world.plants["BHKATS"])
    counts = supply_review(customers=plant)
    assert counts.switched_off == 1
    assert supply_commands() == [("LL-1", "off", OFF_REASON)]
    assert fresh(people["conventional"]).flagged_at is None
