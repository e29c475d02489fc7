"""Meter stock services: receive, move to a plant, assign, install, take back;
and who sees which meters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.metering.models import Meter, MeterAssignment, MeterLocation, MeterState
from mcoms.metering.selectors import (
    get_meter_for_user,
    kinds_for_billing_type,
    meters_for,
    meters_in_stock,
    open_assignment,
)
from mcoms.metering.services import (
    meter_assign,
    meter_install,
    meter_move_to_plant,
    meter_receive,
    meter_unassign,
)
from tests.builders import World, customer_user


def receive(world: World, serial: str, plant: str | None = "BHKATS", **over):
    args = {
        "company": world.company,
        "serial": serial,
        "kind": "load_limiter",
        "plant": world.plants[plant] if plant else None,
        "by": None,
    }
    meter, _created = meter_receive(**(args | over))
    return meter


def test_receiving_into_a_plant_or_the_warehouse(world: World) -> None:
    at_plant, created = meter_receive(
        company=world.company,
        serial=" ll-100 ",
        kind="smart",
        driver="sparkmeter",
        digit_capacity=7,
        plant=world.plants["BHKATS"],
        by=world.user("technician"),
    )
    assert created
    assert (at_plant.serial, at_plant.location, at_plant.state) == (
        "LL-100",
        MeterLocation.PLANT,
        MeterState.AVAILABLE,
    )
    assert at_plant.history.latest().history_user == world.user("technician")
    warehouse = receive(world, "WH-1", plant=None)
    assert (warehouse.plant, warehouse.location) == (None, MeterLocation.WAREHOUSE)


def test_receiving_the_same_serial_again(world: World) -> None:
    first = receive(world, "LL-1")
    again, created = meter_receive(
        company=world.company,
        serial="LL-1",
        kind="load_limiter",
        plant=world.plants["BHKATS"],
        by=None,
    )
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(Conflict) as err:
        receive(world, "LL-1", kind="smart")
    assert (err.value.code, err.value.field) == ("meter_serial_taken", "serial")
    assert Meter.objects.count() == 1


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"serial": ""}, "meter_serial_invalid"),
        ({"serial": "X" * 41}, "meter_serial_invalid"),
        ({"kind": "toaster"}, "meter_kind_unknown"),
        ({"digit_capacity": 2}, "min_value"),
    ],
)
def test_bad_receipts_write_nothing(world: World, over, code) -> None:
    with pytest.raises(ValidationFailed) as err:
        receive(world, **({"serial": "LL-9"} | over))
    assert err.value.code == code
    assert not Meter.objects.exists()


def test_a_plant_of_another_company_is_refused(world: World) -> None:
    other_plant = world.customers["other"].plant
    with pytest.raises(ValidationFailed) as err:
        meter_receive(
            company=world.company,
            serial="X1",
            kind="smart",
            plant=other_plant,
            by=None,
        )
    assert err.value.code == "plant_other_company"


def test_moving_stock_to_a_plant(world: World) -> None:
    meter = receive(world, "WH-1", plant=None)
    moved = meter_move_to_plant(meter=meter, plant=world.plants["BHMADH"], by=None)
    assert (moved.plant.key, moved.location) == ("BHMADH", MeterLocation.PLANT)
    assert list(meters_in_stock(world.plants["BHMADH"])) == [moved]


def test_assigning_and_installing(world: World) -> None:
    meter = receive(world, "LL-1")
    customer = world.customers["BHKATS"]
    assignment = meter_assign(meter=meter, customer=customer, by=None)
    meter.refresh_from_db()
    assert meter.state == MeterState.ASSIGNED
    assert open_assignment(meter) == assignment
    assert not meters_in_stock(world.plants["BHKATS"]).exists()
    with pytest.raises(Conflict) as err:
        meter_move_to_plant(meter=meter, plant=world.plants["BHMADH"], by=None)
    assert err.value.code == "meter_not_movable"
    installed = meter_install(assignment=assignment, initial_reading="42.5", by=None)
    assert installed.initial_reading == Decimal("42.500")
    meter.refresh_from_db()
    assert meter.location == MeterLocation.INSTALLED
    with pytest.raises(Conflict) as err:
        meter_install(assignment=assignment, by=None)
    assert err.value.code == "meter_already_installed"
    with pytest.raises(Conflict) as err:
        meter_unassign(assignment=assignment, reason="x", by=None)
    assert err.value.code == "meter_already_installed"


def test_a_reading_beyond_the_digits_is_refused(world: World) -> None:
    meter = receive(world, "CM-1", kind="conventional", digit_capacity=4)
    assignment = meter_assign(meter=meter, customer=world.customers["BHKATS"], by=None)
    with pytest.raises(ValidationFailed) as err:
        meter_install(assignment=assignment, initial_reading="10000", by=None)
    assert err.value.code == "reading_too_many_digits"
    with pytest.raises(ValidationFailed) as err:
        meter_install(assignment=assignment, initial_reading=1.5, by=None)
    assert err.value.code == "reading_invalid"
    assignment.refresh_from_db()
    assert assignment.installed_at is None


def test_only_stock_of_the_customers_plant_is_assigned(world: World) -> None:
    customer = world.customers["BHKATS"]
    for meter in (receive(world, "M-1", plant="BHMADH"), receive(world, "W-1", None)):
        with pytest.raises(ValidationFailed) as err:
            meter_assign(meter=meter, customer=customer, by=None)
        assert err.value.code == "meter_not_in_stock"
    assert not MeterAssignment.objects.exists()


def test_a_meter_taken_back_returns_to_stock(world: World) -> None:
    meter = receive(world, "LL-1")
    assignment = meter_assign(meter=meter, customer=world.customers["BHKATS"], by=None)
    meter_unassign(assignment=assignment, reason="wrong pick", by=None)
    meter.refresh_from_db()
    assert (meter.state, meter.location) == (MeterState.AVAILABLE, MeterLocation.PLANT)
    assert open_assignment(meter) is None
    again = meter_assign(meter=meter, customer=world.customers["BHKATS"], by=None)
    assert again.pk != assignment.pk


def test_kinds_follow_the_billing_type() -> None:
    assert kinds_for_billing_type("prepaid") == {"load_limiter"}
    assert kinds_for_billing_type("postpaid_metered") == {"conventional", "smart"}


def test_who_sees_which_meters(world: World) -> None:
    receive(world, "K-1", "BHKATS")
    receive(world, "M-1", "BHMADH")
    receive(world, "S-1", "BHSIKA")
    receive(world, "W-1", None)

    def seen(name: str) -> set[str]:
        return set(meters_for(world.user(name)).values_list("serial", flat=True))

    assert seen("technician") == {"K-1"}
    assert seen("cluster_incharge") == {"K-1", "M-1"}
    assert seen("state_incharge") == {"K-1", "M-1", "S-1"}
    assert seen("ho_manager") == {"K-1", "M-1", "S-1", "W-1"}
    assert seen("other_admin") == set()
    assert (
        get_meter_for_user(world.user("technician"), "k-1", write=True).serial == "K-1"
    )
    with pytest.raises(Http404):
        get_meter_for_user(world.user("technician"), "M-1")
    with pytest.raises(PermissionDenied):
        get_meter_for_user(world.user("csa"), "K-1", write=True)
    with pytest.raises(PermissionDenied):
        meters_for(customer_user(world))
