"""One prospect through all eight stages to an active account, with who and
when at each step, the messages to the next actor, and the charges due."""

from __future__ import annotations

from decimal import Decimal

from mcoms.acquisition.models import EventKind, ProspectStatus, Stage
from mcoms.customers.models import CustomerStatus
from mcoms.ledger.selectors import customer_balances
from mcoms.metering.models import MeterLocation, MeterState
from mcoms.notifications.models import Channel, Message

from .conftest import advance, survey


def test_a_prospect_walks_through_all_eight_stages(kit) -> None:
    prospect = survey(kit)
    assert prospect.ref == "P-BHKATS-000001"
    assert (prospect.stage, prospect.status) == (Stage.SURVEY, ProspectStatus.OPEN)
    prospect = advance(kit, prospect, Stage.ACTIVATION)
    assert (prospect.stage, prospect.status) == (
        Stage.ACTIVATION,
        ProspectStatus.ACTIVE,
    )
    assert prospect.activated_at is not None
    customer = prospect.customer
    assert customer.customer_id == "BHKATS00201"
    assert customer.status == CustomerStatus.ACTIVE
    assert customer.activated_at == prospect.activated_at
    assert customer.package == kit.prepaid
    assert customer.user is not None and str(customer.user.phone) == "+919876500001"
    assignment = prospect.meter_assignment
    assert assignment.meter.serial == "LL-1" and assignment.installed_at is not None
    assert assignment.meter.location == MeterLocation.INSTALLED
    assert assignment.meter.state == MeterState.ASSIGNED
    assert prospect.connection_step == "review"
    done = list(
        prospect.events.filter(kind=EventKind.DONE).values_list("stage", "by__username")
    )
    assert done == [
        ("survey", "csa"),
        ("marketing", "csa"),
        ("acquisition", "csa"),
        ("kyc", "csa"),
        ("package", "csa"),
        ("account", "csa"),
        ("meter", "technician"),
        ("activation", "technician"),
    ]
    steps = list(
        prospect.events.filter(kind=EventKind.STEP).values_list("step", flat=True)
    )
    assert steps == ["at_pole", "house_wire", "service_wire", "review"]
    assert all(e.at is not None for e in prospect.events.all())


def test_activation_makes_the_charges_due(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.ACTIVATION)
    balances = customer_balances(kit.world.company, prospect.customer.customer_id)
    assert balances["ACT"] == Decimal("150.00")
    # The deposit receivable and the deposit liability: due, not yet held.
    assert balances["DEP"] == Decimal("0.00")


def test_each_stage_tells_the_next_actor(kit) -> None:
    prospect = advance(kit, survey(kit, by="operator"), Stage.ACTIVATION)
    inapp = Message.objects.filter(channel=Channel.INAPP, template="acq_task")
    told = [(m.user.username, m.body.split(": ", 1)[1][:20]) for m in inapp][::-1]
    # The operator surveyed: the sales team (the CSA) hears. The CSA did
    # stages 2-6 and is not told of their own steps; the technician hears of
    # the new account, the cluster in-charge of the installed meter.
    assert told == [
        ("csa", "surveyed; record a m"),
        ("technician", "pick a meter or load"),
        ("cluster_incharge", "meter installed; rev"),
    ]
    sms = Message.objects.filter(channel=Channel.SMS, phone="+919876500001")
    assert sorted(m.template for m in sms) == [
        "acq_account",
        "acq_active",
        "acq_package",
    ]
    account = sms.get(template="acq_account")
    assert prospect.customer.customer_id in account.body
    package = sms.get(template="acq_package")
    assert "100" in package.body and "150" in package.body
    assert package.language == "hi"
