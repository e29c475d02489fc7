"""Stages 7 and 8: a meter or load limiter from the plant's stock, the
connection steps, the installation and the activation with its charges."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from mcoms.acquisition import services
from mcoms.acquisition.models import Stage
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.ledger.models import Entry, Journal
from mcoms.metering.models import MeterAssignment, MeterState
from mcoms.metering.services import meter_receive
from mcoms.notifications.models import Message
from mcoms.packages.tests.factories import UNMETERED, make

from .conftest import advance, survey


@pytest.fixture
def account(kit):
    return advance(kit, survey(kit), Stage.ACCOUNT)


def assign(kit, prospect, serial, by="technician"):
    return services.prospect_meter_assign(
        prospect=prospect, meter=kit.meters[serial], by=kit.user(by)
    )


def steps(prospect, *names):
    for step in names:
        services.prospect_connection_step(prospect=prospect, step=step, by=None)


@pytest.mark.parametrize(
    ("serial", "code"),
    [
        ("LL-MADH", "meter_not_in_stock"),  # another plant's stock
        ("LL-WH", "meter_not_in_stock"),  # still in the warehouse
        ("CM-1", "meter_kind_mismatch"),  # a meter for a pre-paid package
    ],
)
def test_only_a_fitting_device_from_the_plants_stock(kit, account, serial, code):
    with pytest.raises(ValidationFailed) as err:
        assign(kit, account, serial)
    assert (err.value.code, err.value.field) == (code, "meter")
    account.refresh_from_db()
    assert account.meter_assignment is None
    assert not MeterAssignment.objects.exists()
    assert kit.meters[serial].state == MeterState.AVAILABLE


def test_a_meter_serving_another_connection_is_refused(kit, account) -> None:
    assign(kit, account, "LL-1")
    other = advance(kit, survey(kit, phone="+919876500002"), Stage.ACCOUNT)
    with pytest.raises(Conflict) as err:
        assign(kit, other, "LL-1")
    assert err.value.code == "meter_already_assigned"
    assert MeterAssignment.objects.get().customer == account.customer


def test_metered_packages_take_meters(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.ACCOUNT, package=kit.metered)
    with pytest.raises(ValidationFailed) as err:
        assign(kit, prospect, "LL-1")
    assert err.value.code == "meter_kind_mismatch"
    assert assign(kit, prospect, "SM-1").meter_assignment.meter.serial == "SM-1"


def test_picking_another_meter_gives_the_first_back(kit, account) -> None:
    assign(kit, account, "LL-1")
    prospect = assign(kit, account, "LL-2", by="cluster_incharge")
    assert prospect.meter_assignment.meter.serial == "LL-2"
    kit.meters["LL-1"].refresh_from_db()
    assert kit.meters["LL-1"].state == MeterState.AVAILABLE
    assert list(
        prospect.events.filter(stage="meter").values_list("kind", flat=True)
    ) == [
        "meter_assigned",
        "meter_released",
        "meter_assigned",
    ]
    # The cluster in-charge picked it: the technician is told to install it.
    told = Message.objects.filter(template="acq_task").latest("pk")
    assert told.user == kit.user("technician") and "LL-2" not in told.body


def test_connection_steps_go_in_order(kit, account) -> None:
    with pytest.raises(Conflict) as err:
        steps(account, "house_wire")
    assert err.value.code == "connection_step_wrong_order"
    assert "At Pole comes next" in err.value.message
    steps(account, "at_pole", "house_wire", "service_wire")
    with pytest.raises(Conflict) as err:
        steps(account, "review")
    assert "Review follows the meter installation" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        steps(account, "roof")
    assert err.value.code == "connection_step_unknown"
    account.refresh_from_db()
    assert account.connection_step == "service_wire"


def test_the_installation_needs_a_meter_and_the_service_wire(kit, account) -> None:
    install = services.prospect_meter_install
    with pytest.raises(Conflict) as err:
        install(prospect=account, by=None)
    assert err.value.code == "meter_not_assigned"
    assign(kit, account, "LL-1")
    steps(account, "at_pole")
    with pytest.raises(Conflict) as err:
        install(prospect=account, by=None)
    assert err.value.code == "connection_step_wrong_order"
    steps(account, "house_wire", "service_wire")
    with pytest.raises(ValidationFailed) as err:
        install(prospect=account, initial_reading="-3", by=None)
    assert err.value.code == "reading_invalid"
    prospect = install(prospect=account, initial_reading="12.5", by=None)
    assert (prospect.stage, prospect.connection_step) == (Stage.METER, "review")
    assert prospect.meter_assignment.initial_reading == Decimal("12.500")


def test_activation_waits_for_the_installation(kit, account) -> None:
    with pytest.raises(Conflict) as err:
        services.prospect_activate(prospect=account, by=None)
    assert err.value.code == "stage_wrong_order"
    account.customer.refresh_from_db()
    assert account.customer.status == "new"
    assert not Journal.objects.filter(idempotency_key__startswith="acq:").exists()


def _acq_journals():
    return Journal.objects.filter(idempotency_key__startswith="acq:")


def test_activation_posts_two_balanced_journals_once(kit, account) -> None:
    prospect = advance(kit, account, Stage.METER)
    services.prospect_activate(prospect=prospect, idempotency_key="a1", by=None)
    services.prospect_activate(prospect=prospect, idempotency_key="a1", by=None)
    journals = {j.kind: j for j in _acq_journals()}
    assert set(journals) == {"activation_charge", "security_deposit_due"}
    lines = {
        kind: sorted((e.account.code, e.amount) for e in j.entries.all())
        for kind, j in journals.items()
    }
    assert lines["activation_charge"] == [
        ("CUS:BHKATS00201:AR:ACT", Decimal("150.00")),
        ("PLT:BHKATS:REV:ACT", Decimal("-150.00")),
    ]
    assert lines["security_deposit_due"] == [
        ("CUS:BHKATS00201:AR:DEP", Decimal("100.00")),
        ("CUS:BHKATS00201:DEP", Decimal("-100.00")),
    ]
    # Posting the charges again (a crash and a retry) writes nothing new.
    prospect.refresh_from_db()
    again = services.connection.post_charges(prospect, by=None)
    assert {j.pk for j in again} == {j.pk for j in journals.values()}
    assert Entry.objects.filter(journal__in=journals.values()).count() == 4
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "OK" in out.getvalue()


def test_a_free_package_posts_nothing(kit) -> None:
    free = make(kit.plant, UNMETERED, deposit_amount="0")  # ACT 0, deposit 0
    prospect = advance(kit, survey(kit), Stage.ACTIVATION, package=free)
    assert prospect.status == "active"
    assert not _acq_journals().exists()


def test_the_customer_hears_of_the_activation(kit, account) -> None:
    advance(kit, account, Stage.ACTIVATION)
    sms = Message.objects.get(template="acq_active")
    assert "BHKATS00201" in sms.body and "100" in sms.body and "150" in sms.body


def test_a_warehouse_meter_moved_to_the_plant_can_be_picked(kit, account) -> None:
    from mcoms.metering.services import meter_move_to_plant

    meter_move_to_plant(meter=kit.meters["LL-WH"], plant=kit.plant, by=None)
    assert assign(kit, account, "LL-WH").meter_assignment.meter.serial == "LL-WH"
    fresh, created = meter_receive(
        company=kit.world.company,
        serial="LL-NEW",
        kind="load_limiter",
        plant=kit.plant,
        by=None,
    )
    assert created and fresh.state == MeterState.AVAILABLE
