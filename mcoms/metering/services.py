"""Writes for meter stock: receive meters and load limiters into the company
warehouse or a plant's stock, move them to a plant, assign one to a connection
and install it. Each service is one transaction; the meter row is locked before
it is judged, so two agents can never pick the same meter.

Permission checks are the interfaces' (``METER_STOCK_EDIT`` to receive and
move, ``CONNECTION_WORK`` to assign and install, always on a plant in the
user's scope); ``by`` is recorded for the audit trail.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.money import KWH, quantize
from mcoms.core.services import validated_save
from mcoms.customers.models import Customer
from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    MeterKind,
    MeterLocation,
    MeterState,
)
from mcoms.org.models import Company, Plant

SERIAL_MAX = 40


def _serial(raw: str) -> str:
    serial = (raw or "").strip().upper()
    if not serial or len(serial) > SERIAL_MAX or not serial.isprintable():
        raise ValidationFailed(
            "meter_serial_invalid",
            f"A serial number is 1 to {SERIAL_MAX} printable characters.",
            field="serial",
        )
    return serial


def _lock(meter: Meter) -> Meter:
    return Meter.objects.select_for_update().get(pk=meter.pk)


def _check_plant(company: Company, plant: Plant | None) -> None:
    if plant is not None and plant.company_id != company.pk:
        raise ValidationFailed(
            "plant_other_company",
            "The plant belongs to another company.",
            field="plant",
        )


@transaction.atomic
def meter_receive(
    *,
    company: Company,
    serial: str,
    kind: str,
    driver: str = "manual",
    digit_capacity: int = 6,
    plant: Plant | None = None,
    by: Any,
) -> tuple[Meter, bool]:
    """Take a new meter or load limiter into stock: the plant's stock when
    ``plant`` is given, else the company warehouse.

    The serial is the natural key of a receipt: receiving the same serial again
    with the same details returns the meter and ``False`` (a retry writes
    nothing); with other details it is refused (``meter_serial_taken``).
    """
    serial = _serial(serial)
    if kind not in MeterKind.values:
        raise ValidationFailed(
            "meter_kind_unknown", f"Unknown meter kind {kind!r:.30}.", field="kind"
        )
    _check_plant(company, plant)
    location = MeterLocation.PLANT if plant is not None else MeterLocation.WAREHOUSE
    existing = Meter.objects.filter(company=company, serial=serial).first()
    if existing is not None:
        same = (existing.kind, existing.driver, existing.digit_capacity) == (
            kind,
            driver,
            digit_capacity,
        ) and existing.plant_id == (plant.pk if plant else None)
        if same and existing.state == MeterState.AVAILABLE:
            return existing, False
        raise Conflict(
            "meter_serial_taken",
            f"Meter {serial} is already in the records.",
            field="serial",
        )
    meter = Meter(
        company=company,
        plant=plant,
        serial=serial,
        kind=kind,
        driver=driver or "manual",
        digit_capacity=digit_capacity,
        location=location,
        state=MeterState.AVAILABLE,
    )
    return validated_save(meter, by=by, reason="received into stock"), True


@transaction.atomic
def meter_move_to_plant(*, meter: Meter, plant: Plant, by: Any) -> Meter:
    """Move an available meter from the warehouse (or another plant's stock)
    into ``plant``'s stock."""
    meter = _lock(meter)
    _check_plant(meter.company, plant)
    if meter.state != MeterState.AVAILABLE or meter.location == (
        MeterLocation.INSTALLED
    ):
        raise Conflict(
            "meter_not_movable",
            f"Meter {meter.serial} is {meter.get_state_display().lower()}; "
            "only available meters in stock can be moved.",
        )
    if meter.location == MeterLocation.PLANT and meter.plant_id == plant.pk:
        return meter
    meter.plant = plant
    meter.location = MeterLocation.PLANT
    return validated_save(meter, by=by, reason=f"moved to {plant.key}")


@transaction.atomic
def meter_assign(*, meter: Meter, customer: Customer, by: Any) -> MeterAssignment:
    """Assign a meter from the customer's plant's stock to the connection.

    Refused: a meter that is not available in that plant's stock
    (``meter_not_in_stock``) or already serves a connection
    (``meter_already_assigned``).
    """
    meter = _lock(meter)
    if meter.state == MeterState.ASSIGNED or _open_assignment(meter) is not None:
        raise Conflict(
            "meter_already_assigned",
            f"Meter {meter.serial} is already assigned to a connection.",
            field="meter",
        )
    if (
        meter.company_id != customer.company_id
        or meter.plant_id != customer.plant_id
        or meter.location != MeterLocation.PLANT
        or meter.state != MeterState.AVAILABLE
    ):
        raise ValidationFailed(
            "meter_not_in_stock",
            f"Meter {meter.serial} is not available in the stock of "
            f"{customer.plant.key}.",
            field="meter",
        )
    meter.state = MeterState.ASSIGNED
    validated_save(meter, by=by, reason=f"assigned to {customer.customer_id}")
    assignment = MeterAssignment(
        meter=meter, customer=customer, assigned_at=timezone.now(), by=by
    )
    return validated_save(assignment, by=by)


def _reading(raw: Any) -> Decimal:
    if isinstance(raw, float):
        raise ValidationFailed(
            "reading_invalid", "Send readings as strings.", field="initial_reading"
        )
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            "reading_invalid", f"{raw!r:.30} is not a reading.", field="initial_reading"
        ) from exc
    if not value.is_finite() or value < 0 or value >= Decimal(10) ** 9:
        raise ValidationFailed(
            "reading_invalid",
            "A reading is a number from 0 below 1,000,000,000 kWh.",
            field="initial_reading",
        )
    return quantize(value, KWH)


@transaction.atomic
def meter_install(
    *, assignment: MeterAssignment, initial_reading: Any = "0", by: Any
) -> MeterAssignment:
    """The technician mounted the assigned meter: record the first reading and
    the time; the meter's location becomes ``installed``."""
    meter = _lock(assignment.meter)
    assignment = MeterAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.removed_at is not None:
        raise Conflict(
            "meter_assignment_closed", "This meter no longer serves the connection."
        )
    if assignment.installed_at is not None:
        raise Conflict(
            "meter_already_installed", f"Meter {meter.serial} is already installed."
        )
    reading = _reading(initial_reading)
    if reading >= Decimal(10) ** meter.digit_capacity:
        raise ValidationFailed(
            "reading_too_many_digits",
            f"Meter {meter.serial} shows at most {meter.digit_capacity} digits.",
            field="initial_reading",
        )
    assignment.installed_at = timezone.now()
    assignment.initial_reading = reading
    validated_save(assignment, by=by, reason="installed")
    meter.location = MeterLocation.INSTALLED
    validated_save(meter, by=by, reason=f"installed for {assignment.customer_id}")
    return assignment


@transaction.atomic
def meter_unassign(*, assignment: MeterAssignment, by: Any, reason: str) -> Meter:
    """Take back a meter that was assigned but not yet installed: the meter
    returns to its plant's stock, available again. (An installed meter comes
    down through the Unreleased Meter workflow of the metering issue.)"""
    meter = _lock(assignment.meter)
    assignment = MeterAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.removed_at is not None:
        return meter
    if assignment.installed_at is not None:
        raise Conflict(
            "meter_already_installed",
            f"Meter {meter.serial} is installed; release it through the "
            "unreleased-meter workflow.",
        )
    assignment.removed_at = timezone.now()
    validated_save(assignment, by=by, reason=reason[:100])
    meter.state = MeterState.AVAILABLE
    meter.location = MeterLocation.PLANT
    return validated_save(meter, by=by, reason=reason[:100])


def _open_assignment(meter: Meter) -> MeterAssignment | None:
    return MeterAssignment.objects.filter(meter=meter, removed_at__isnull=True).first()
