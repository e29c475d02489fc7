"""Change Meter (manual 3.8.2): a customer's installed meter is swapped for
one from the plant's stock, on the approval chain as the kind ``meter_change``.

The Cluster In-charge picks the customer (the meter they have now fills in),
enters the final reading of the old meter, picks the new meter from the
plant's stock with its first reading and the reason, checks the summary and
submits. ``meter_change`` then, in one transaction, raises the request, assigns
it to the submitter and executes it: the request waits in Review for the State
In-charge, who "reviews and acknowledges meter changes" by completing it
(docs/decisions/0066). The kind can also go the long way through the chain
(raised with the same details, assigned to a technician, executed by them).

Executing (``change_perform``), under row locks taken in one order (the
customer, then the meters by primary key, then their assignments):

* the old meter's assignment is closed with a REMOVAL reading: the units since
  the previous approved reading of that installation, across the counter's
  rollover when one is declared (docs/decisions/0067);
* the old meter goes to the plant's stock, faulty or available per the reason;
* the new meter is assigned and installed with an INSTALL reading.

The helpers for readings, assignments and placing a meter in stock are shared
with the Unreleased Meter workflow (``releases.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mcoms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mcoms.core.money import KWH, quantize
from mcoms.core.services import validated_save
from mcoms.customers.models import Customer
from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    MeterKind,
    MeterLocation,
    MeterState,
    Reading,
    ReadingSource,
    ReadingStatus,
)
from mcoms.metering.selectors import (
    kinds_for_billing_type,
    meters_for,
    meters_in_stock,
)
from mcoms.org.access import staff_for
from mcoms.org.models import Plant, User
from mcoms.org.permissions import Action, allowed
from mcoms.workflow import services as chain
from mcoms.workflow.kinds import RaiseInput
from mcoms.workflow.models import Request

METER_CHANGE = "meter_change"
# Kinds whose register is read: a reading is required when one comes down.
METERED_KINDS = frozenset({MeterKind.CONVENTIONAL, MeterKind.SMART})
READING_MAX = Decimal(10) ** 9


class ChangeReason(models.TextChoices):
    FAULTY = "faulty", gettext_lazy("Faulty meter")
    DAMAGED = "damaged", gettext_lazy("Damaged or tampered")
    UPGRADE = "upgrade", gettext_lazy("Upgrade or another kind of meter")
    OTHER = "other", gettext_lazy("Other")


# The old meter of these changes goes to stock as faulty, the others available.
FAULTY_REASONS = frozenset({ChangeReason.FAULTY, ChangeReason.DAMAGED})


# --- readings, shared with releases.py ----------------------------------------------
def reading_value(raw: Any, *, field: str) -> Decimal | None:
    """A register value in kWh (3 places), or None when left empty. Floats are
    refused (send strings), like every reading input."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, float | bool):
        raise ValidationFailed("reading_invalid", "Send readings as text.", field=field)
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            "reading_invalid", f"{raw!r:.30} is not a reading.", field=field
        ) from exc
    if not value.is_finite() or value < 0 or value >= READING_MAX:
        raise ValidationFailed(
            "reading_invalid",
            "A reading is a number from 0 below 1,000,000,000 kWh.",
            field=field,
        )
    return quantize(value, KWH)


def fits_register(meter: Meter, value: Decimal, *, field: str) -> None:
    if value >= Decimal(10) ** meter.digit_capacity:
        raise ValidationFailed(
            "reading_too_many_digits",
            f"Meter {meter.serial} shows at most {meter.digit_capacity} digits.",
            field=field,
        )


@dataclass(frozen=True)
class Previous:
    """The register value the next reading of an installation counts from."""

    value: Decimal
    at: datetime | None
    reading: Reading | None


def previous_register(assignment: MeterAssignment) -> Previous:
    """The last approved reading of the meter since this installation, else
    the first reading recorded when it was installed."""
    since = assignment.installed_at or assignment.assigned_at
    last = (
        Reading.objects.filter(
            meter_id=assignment.meter_id,
            status=ReadingStatus.APPROVED,
            taken_at__gte=since,
        )
        .order_by("-taken_at", "-pk")
        .first()
    )
    if last is not None:
        return Previous(last.value, last.taken_at, last)
    return Previous(assignment.initial_reading, assignment.installed_at, None)


def refuse_pending_readings(assignment: MeterAssignment, *, field: str) -> None:
    """A reading of this installation still waiting for review must be reviewed
    first: the final reading counts from the last approved one, and approving
    the waiting one afterwards would count its units twice."""
    since = assignment.installed_at or assignment.assigned_at
    pending = (
        Reading.objects.filter(
            meter_id=assignment.meter_id,
            status=ReadingStatus.PENDING,
            taken_at__gte=since,
        )
        .order_by("taken_at")
        .first()
    )
    if pending is not None:
        raise Conflict(
            "meter_reading_pending",
            f"The reading of {pending.taken_at:%Y-%m-%d} of this meter waits for "
            "review; review it first.",
            field=field,
        )


def units_since(
    meter: Meter, previous: Previous, value: Decimal, *, rollover: bool, field: str
) -> Decimal:
    """Units between ``previous`` and ``value``: the difference, or across a
    declared rollover the difference plus 10 ** digit_capacity. A value below
    the previous one without a rollover is refused."""
    fits_register(meter, value, field=field)
    if rollover:
        if value >= previous.value:
            raise ValidationFailed(
                "rollover_not_possible",
                f"{value} is not below the previous reading {previous.value}; "
                "the counter has not rolled over.",
                field="rollover",
            )
        return value + Decimal(10) ** meter.digit_capacity - previous.value
    if value < previous.value:
        raise ValidationFailed(
            "reading_below_previous",
            f"{value} is below the previous reading {previous.value}; declare a "
            "rollover if the counter passed its last digit.",
            field=field,
        )
    return value - previous.value


def reading_write(
    *,
    assignment: MeterAssignment,
    customer: Customer,
    value: Decimal,
    units: Decimal | None,
    source: str,
    at: datetime,
    rollover: bool = False,
    replacement: bool = False,
    note: str,
    key: str,
    by: User,
) -> Reading:
    """A reading taken while a meter comes down or goes up: approved at once
    (the request's review is its check, docs/decisions/0067). ``key`` is unique
    (``client_key``), so a handler run twice cannot write it twice."""
    reading = Reading(
        meter_id=assignment.meter_id,
        customer=customer,
        assignment=assignment,
        package_id=customer.package_id,
        taken_at=at,
        value=value,
        units=units,
        source=source,
        status=ReadingStatus.APPROVED,
        rollover=rollover,
        replacement=replacement,
        note=note[:200],
        entered_by=by,
        reviewed_by=by,
        reviewed_at=at,
        client_key=key,
    )
    return validated_save(reading, by=by, reason=note[:100])


# --- rows, locked in one order ----------------------------------------------------
def lock_customer(pk: int) -> Customer:
    return (
        Customer.objects.select_for_update(of=("self",))
        .select_related("package", "plant__state")
        .get(pk=pk)
    )


def lock_meters(company_id: int, serials: list[str]) -> dict[str, Meter]:
    """The meters by serial, locked in primary-key order."""
    qs = Meter.objects.filter(company_id=company_id, serial__in=serials)
    return {m.serial: m for m in qs.order_by("pk").select_for_update(of=("self",))}


def open_assignment_locked(meter: Meter) -> MeterAssignment | None:
    return (
        MeterAssignment.objects.select_for_update(of=("self",))
        .filter(meter=meter, removed_at__isnull=True)
        .first()
    )


def assignment_close(
    assignment: MeterAssignment, *, at: datetime, by: User, reason: str
) -> None:
    assignment.removed_at = at
    validated_save(assignment, by=by, reason=reason[:100])


def meter_place(
    meter: Meter, *, plant: Plant | None, faulty: bool, by: User, reason: str
) -> Meter:
    """Put a meter that came down into a plant's stock (or the warehouse with
    no plant), faulty or available."""
    meter.plant = plant
    meter.location = MeterLocation.WAREHOUSE
    if plant is not None:
        meter.location = MeterLocation.PLANT
    meter.state = MeterState.FAULTY if faulty else MeterState.AVAILABLE
    return validated_save(meter, by=by, reason=reason[:100])


def refuse_wrong_kind(meter: Meter, customer: Customer, *, field: str) -> None:
    """A prepaid or unmetered package is served by a load limiter, a metered one
    by a meter (``selectors.KINDS_FOR_BILLING``)."""
    if customer.package is None:
        return
    if meter.kind not in kinds_for_billing_type(customer.package.billing_type):
        raise ValidationFailed(
            "meter_kind_mismatch",
            f"A {meter.get_kind_display().lower()} does not serve the package "
            f"{customer.package.package_id}.",
            field=field,
        )


# --- the change: checks ------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """A change checked against the current rows (all locked)."""

    old: Meter
    new: Meter
    assignment: MeterAssignment
    final: Decimal | None
    units: Decimal | None
    first: Decimal | None
    previous: Previous | None  # what the final reading counts from


def _require_change(by: User) -> None:
    staff = staff_for(by)
    if staff is None or not allowed(staff.designation, Action.METER_CHANGE):
        raise Forbidden(
            "designation_not_allowed", "Your designation does not change meters."
        )


def _meter_in_scope(by: User, serial: Any, field: str) -> Meter:
    text = str(serial or "").strip().upper()
    if not text:
        raise ValidationFailed("meter_missing", "Name the meter.", field=field)
    meter = meters_for(by).filter(serial=text[:40]).first()
    if meter is None:
        raise NotFound("meter_not_found", f"No meter {text:.40} in your scope.")
    return meter


def _refuse_unknown(payload: dict[str, Any], known: set[str]) -> None:
    unknown = sorted(set(payload) - known)
    if unknown:
        raise ValidationFailed(
            "payload_field_unknown",
            f"Unknown detail {unknown[0]!r:.40}.",
            field=unknown[0],
        )


def _flag(payload: dict[str, Any], name: str) -> bool:
    value = payload.get(name, False)
    if not isinstance(value, bool):
        raise ValidationFailed(f"{name}_invalid", "True or false.", field=name)
    return value


def _check_new(new: Meter, customer: Customer) -> None:
    if new.company_id != customer.company_id or new.plant_id != customer.plant_id:
        raise ValidationFailed(
            "meter_other_plant",
            f"Meter {new.serial} is not at {customer.plant.key}; move it there first.",
            field="new_meter",
        )
    if new.location != MeterLocation.PLANT or new.state != MeterState.AVAILABLE:
        raise ValidationFailed(
            "meter_not_in_stock",
            f"Meter {new.serial} is not available in the stock of "
            f"{customer.plant.key}.",
            field="new_meter",
        )
    refuse_wrong_kind(new, customer, field="new_meter")


def plan_change(customer: Customer, payload: dict[str, Any]) -> Plan:
    """Check a change (cleaned payload) against the rows, which the caller has
    locked (the customer, then the meters)."""
    serials = [payload["old_meter"], payload["new_meter"]]
    if serials[0] == serials[1]:
        raise ValidationFailed(
            "meter_same", "The new meter is the old one.", field="new_meter"
        )
    meters = lock_meters(customer.company_id, serials)
    missing = [s for s in serials if s not in meters]
    if missing:
        raise NotFound("meter_not_found", f"No meter {missing[0]:.40}.")
    old, new = meters[serials[0]], meters[serials[1]]
    assignment = open_assignment_locked(old)
    if (
        assignment is None
        or assignment.customer_id != customer.pk
        or assignment.installed_at is None
    ):
        raise Conflict(
            "meter_not_current",
            f"Meter {old.serial} is not installed for {customer.customer_id} now.",
            field="old_meter",
        )
    _check_new(new, customer)
    final = reading_value(payload.get("final_reading"), field="final_reading")
    units = previous = None
    if final is None and old.kind in METERED_KINDS:
        raise ValidationFailed(
            "final_reading_missing",
            f"Enter the last reading of meter {old.serial}.",
            field="final_reading",
        )
    if final is not None:
        refuse_pending_readings(assignment, field="final_reading")
        previous = previous_register(assignment)
        units = units_since(
            old, previous, final, rollover=payload["rollover"], field="final_reading"
        )
    first = reading_value(payload.get("first_reading"), field="first_reading")
    if first is None and new.kind in METERED_KINDS:
        first = Decimal("0.000")
    if first is not None:
        fits_register(new, first, field="first_reading")
    return Plan(old, new, assignment, final, units, first, previous)


# --- the kind's handlers (workflow_kinds.py) ----------------------------------------
CHANGE_FIELDS = {
    "old_meter",
    "new_meter",
    "final_reading",
    "first_reading",
    "rollover",
    "reason",
}


def change_validate(data: RaiseInput) -> dict[str, Any]:
    """On raise (the customer locked): who may, what is asked, and whether it
    can be done now. Returns the payload to keep."""
    payload = _clean(data)
    plan_change(_subject(data), payload)
    return payload


@transaction.atomic
def change_preview(
    *, customer: Customer, payload: dict[str, Any], by: User
) -> tuple[dict[str, Any], Plan]:
    """The review step: the change checked as it would be made now, with the
    units the final reading implies; nothing is written."""
    data = RaiseInput(
        plant=customer.plant,
        subject=lock_customer(customer.pk),
        payload=payload,
        comments="",
        by=by,
    )
    cleaned = _clean(data)
    return cleaned, plan_change(_subject(data), cleaned)


def _subject(data: RaiseInput) -> Customer:
    if not isinstance(data.subject, Customer):
        raise ValidationFailed(
            "request_customer_missing", "Name the customer.", field="customer"
        )
    return data.subject


def _clean(data: RaiseInput) -> dict[str, Any]:
    _require_change(data.by)
    _refuse_unknown(data.payload, CHANGE_FIELDS)
    _subject(data)
    reason = data.payload.get("reason")
    if reason not in ChangeReason.values:
        raise ValidationFailed(
            "change_reason_unknown",
            f"Choose a reason: {', '.join(ChangeReason.values)}.",
            field="reason",
        )
    old = _meter_in_scope(data.by, data.payload.get("old_meter"), "old_meter")
    new = _meter_in_scope(data.by, data.payload.get("new_meter"), "new_meter")
    final = reading_value(data.payload.get("final_reading"), field="final_reading")
    first = reading_value(data.payload.get("first_reading"), field="first_reading")
    return {
        "old_meter": old.serial,
        "new_meter": new.serial,
        "final_reading": None if final is None else str(final),
        "first_reading": None if first is None else str(first),
        "rollover": _flag(data.payload, "rollover"),
        "reason": str(reason),
    }


def change_perform(req: Request, by: User) -> dict[str, Any]:
    """On execute: the swap. Run again after a reviewer sent the request back,
    it finds the swap done and changes nothing."""
    if req.result.get("new_meter"):
        return dict(req.result)
    assert req.subject_id is not None  # noqa: S101 (needs_subject)
    customer = lock_customer(req.subject_id)
    plan = plan_change(customer, req.payload)
    at = timezone.now()
    note = f"{req.number} meter change"
    removal = None
    if plan.final is not None:
        removal = reading_write(
            assignment=plan.assignment,
            customer=customer,
            value=plan.final,
            units=plan.units,
            source=ReadingSource.REMOVAL,
            at=at,
            rollover=bool(req.payload.get("rollover")),
            note=note,
            key=f"mchg:{req.pk}:out",
            by=by,
        )
    assignment_close(plan.assignment, at=at, by=by, reason=note)
    faulty = req.payload["reason"] in FAULTY_REASONS
    meter_place(plan.old, plant=customer.plant, faulty=faulty, by=by, reason=note)
    new_assignment, install = _install(plan, customer, at=at, note=note, req=req, by=by)
    return {
        "old_meter": plan.old.serial,
        "old_meter_state": plan.old.state,
        "final_reading": None if plan.final is None else str(plan.final),
        "units": None if plan.units is None else str(plan.units),
        "removal_reading": removal.pk if removal else None,
        "new_meter": plan.new.serial,
        "first_reading": str(new_assignment.initial_reading),
        "install_reading": install.pk if install else None,
        "at": at.isoformat(),
    }


def _install(
    plan: Plan, customer: Customer, *, at: datetime, note: str, req: Request, by: User
) -> tuple[MeterAssignment, Reading | None]:
    new = plan.new
    new.state = MeterState.ASSIGNED
    new.location = MeterLocation.INSTALLED
    validated_save(new, by=by, reason=note)
    assignment = validated_save(
        MeterAssignment(
            meter=new,
            customer=customer,
            assigned_at=at,
            installed_at=at,
            initial_reading=plan.first or Decimal("0.000"),
            by=by,
        ),
        by=by,
        reason=note,
    )
    if plan.first is None:
        return assignment, None
    reading = reading_write(
        assignment=assignment,
        customer=customer,
        value=plan.first,
        units=None,
        source=ReadingSource.INSTALL,
        at=at,
        replacement=True,
        note=note,
        key=f"mchg:{req.pk}:in",
        by=by,
    )
    return assignment, reading


def change_describe(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The change's details as people read them."""
    lines = [
        (_("Old meter"), str(payload.get("old_meter", ""))),
        (_("Final reading (kWh)"), str(payload.get("final_reading") or "—")),
        (_("New meter"), str(payload.get("new_meter", ""))),
        (_("First reading (kWh)"), str(payload.get("first_reading") or "—")),
    ]
    if payload.get("rollover"):
        lines.append((_("Counter rolled over"), _("Yes")))
    if payload.get("reason") in ChangeReason.values:
        lines.append((_("Reason"), str(ChangeReason(payload["reason"]).label)))
    return lines


# --- what the form fills in -----------------------------------------------------
@dataclass(frozen=True)
class Options:
    """For one customer: the meters installed for them (each with the reading
    the final one counts from) and the plant's stock that fits the package."""

    installed: list[dict[str, Any]]
    stock: QuerySet[Meter]


def change_options(customer: Customer) -> Options:
    installed = []
    current = (
        MeterAssignment.objects.filter(
            customer=customer, removed_at__isnull=True, installed_at__isnull=False
        )
        .select_related("meter")
        .order_by("installed_at", "pk")
    )
    for assignment in current:
        previous = previous_register(assignment)
        installed.append(
            {
                "serial": assignment.meter.serial,
                "kind": assignment.meter.kind,
                "digit_capacity": assignment.meter.digit_capacity,
                "installed_at": assignment.installed_at,
                "previous_reading": previous.value,
                "previous_at": previous.at,
            }
        )
    kinds = None
    if customer.package is not None:
        kinds = kinds_for_billing_type(customer.package.billing_type)
    return Options(installed, meters_in_stock(customer.plant, kinds))


def change_by_key(company_id: int, key: str) -> Request | None:
    """The change made before with this key (a resent confirmation)."""
    if not key:
        return None
    return Request.objects.filter(
        company_id=company_id, idempotency_key=key, kind=METER_CHANGE
    ).first()


# --- the one-step change: what the screens and the API call ---------------------------
@transaction.atomic
def meter_change(
    *,
    customer: Customer,
    old_meter: Meter,
    new_meter: Meter,
    final_reading: Any,
    reason: str,
    first_reading: Any = None,
    rollover: bool = False,
    comments: str = "",
    idempotency_key: str,
    by: User,
) -> tuple[Request, bool]:
    """Change the customer's meter now: raise the ``meter_change`` request,
    assign it to ``by`` and execute it; it waits in Review for the
    acknowledgement. Returns the request and whether this call made it (False:
    a retry with the same key returned the first one and wrote nothing)."""
    _require_change(by)
    payload = {
        "old_meter": old_meter.serial,
        "new_meter": new_meter.serial,
        "final_reading": None if final_reading is None else str(final_reading),
        "first_reading": None if first_reading is None else str(first_reading),
        "rollover": bool(rollover),
        "reason": reason,
    }
    req, created = chain.request_raise(
        kind=METER_CHANGE,
        plant=customer.plant,
        subject=customer,
        comments=comments,
        payload=payload,
        idempotency_key=idempotency_key,
        by=by,
    )
    if not created:
        return req, False
    req = chain.request_assign(request=req, assignee=by, by=by)
    return chain.request_execute(request=req, by=by), True
