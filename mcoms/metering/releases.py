"""Unreleased Meter (manual 3.8.3): meters to be unmounted (malfunction or
expired subscription), then sent to the warehouse or re-assigned, on the
approval chain as the kind ``meter_release``.

The manual's tabs map onto the chain's states (docs/decisions/0068):

* Pending: Approved (raised, waiting for the Cluster In-charge to assign it)
  and In Process (assigned to an agent);
* Review: Review (executed, waiting for an in-charge to confirm it);
* Completed: Completed (and Rejected, a release called off).

A release has no approval step: raising it puts it straight into Approved.
The assignee records where the meter goes (the warehouse, the plant's stock,
or another connection of the plant) and executes it in one call
(``meter_release_execute``): the final reading is recorded if the meter was
installed, its assignment is closed and the meter placed. One open meter
request per meter (the exclusive key ``meter:<serial>``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.models import Customer
from mcoms.metering import services as stock_services
from mcoms.metering.changes import (
    METERED_KINDS,
    assignment_close,
    lock_meters,
    meter_place,
    open_assignment_locked,
    previous_register,
    reading_value,
    reading_write,
    refuse_pending_readings,
    refuse_wrong_kind,
    units_since,
)
from mcoms.metering.models import Meter, MeterAssignment, ReadingSource
from mcoms.metering.selectors import meters_for, open_assignment
from mcoms.org.access import can
from mcoms.org.models import Plant, User
from mcoms.org.permissions import Action
from mcoms.workflow import services as chain
from mcoms.workflow.kinds import RaiseInput
from mcoms.workflow.locks import lock_request
from mcoms.workflow.models import Request, RequestState
from mcoms.workflow.selectors import requests_for

METER_RELEASE = "meter_release"
S = RequestState


class ReleaseReason(models.TextChoices):
    MALFUNCTION = "malfunction", gettext_lazy("Malfunction")
    EXPIRED = "subscription_expired", gettext_lazy("Subscription expired")
    OTHER = "other", gettext_lazy("Other")


class Destination(models.TextChoices):
    WAREHOUSE = "warehouse", gettext_lazy("Company warehouse")
    PLANT = "plant", gettext_lazy("Plant stock")
    REASSIGN = "reassign", gettext_lazy("Re-assigned to another connection")


# The manual's tabs as states of the chain.
TABS: dict[str, tuple[str, ...]] = {
    "pending": (S.APPROVED, S.IN_PROCESS),
    "review": (S.REVIEW,),
    "completed": (S.COMPLETED,),
    "rejected": (S.REJECTED,),
}
TAB_LABELS = {
    "pending": gettext_lazy("Pending"),
    "review": gettext_lazy("Review"),
    "completed": gettext_lazy("Completed"),
    "rejected": gettext_lazy("Rejected"),
}


def _serial(raw: Any) -> str:
    return str(raw or "").strip().upper()[:40]


# --- raising ------------------------------------------------------------------------
def release_validate(data: RaiseInput) -> dict[str, Any]:
    """On raise (the customer locked): a meter of the scope that serves this
    customer now; a reason."""
    unknown = sorted(set(data.payload) - {"meter", "reason"})
    if unknown:
        raise ValidationFailed(
            "payload_field_unknown",
            f"Unknown detail {unknown[0]!r:.40}.",
            field=unknown[0],
        )
    reason = data.payload.get("reason")
    if reason not in ReleaseReason.values:
        raise ValidationFailed(
            "release_reason_unknown",
            f"Choose a reason: {', '.join(ReleaseReason.values)}.",
            field="reason",
        )
    serial = _serial(data.payload.get("meter"))
    meter = meters_for(data.by).filter(serial=serial).first() if serial else None
    if meter is None:
        raise ValidationFailed(
            "meter_not_found", f"No meter {serial!r:.40} in your scope.", field="meter"
        )
    customer = data.subject
    if not isinstance(customer, Customer):
        raise ValidationFailed(
            "request_customer_missing", "Name the customer.", field="customer"
        )
    current = open_assignment(meter)
    if current is None or current.customer_id != customer.pk:
        raise Conflict(
            "meter_not_in_service",
            f"Meter {meter.serial} does not serve {customer.customer_id}.",
            field="meter",
        )
    return {"meter": meter.serial, "reason": str(reason)}


def release_exclusive_key(data: RaiseInput) -> str:
    """One open meter request per meter."""
    return f"meter:{_serial(data.payload.get('meter'))}"


def release_describe(payload: dict[str, Any]) -> list[tuple[str, str]]:
    lines = [(_("Meter"), str(payload.get("meter", "")))]
    if payload.get("reason") in ReleaseReason.values:
        lines.append((_("Reason"), str(ReleaseReason(payload["reason"]).label)))
    execution = payload.get("execution") or {}
    if execution.get("destination") in Destination.values:
        where = str(Destination(execution["destination"]).label)
        if execution.get("customer"):
            where = f"{where}: {execution['customer']}"
        lines.append((_("New location"), where))
    if execution.get("final_reading"):
        lines.append((_("Final reading (kWh)"), str(execution["final_reading"])))
    return lines


@transaction.atomic
def meter_release_raise(
    *, meter: Meter, reason: str, comments: str = "", idempotency_key: str, by: User
) -> tuple[Request, bool]:
    """Raise the release of a meter that serves a connection (its customer
    becomes the request's subject). A retry with the same key returns the
    first request, even after the meter came down."""
    key = (idempotency_key or "").strip()
    first = Request.objects.filter(company_id=meter.company_id, idempotency_key=key)
    if key and (req := first.first()) is not None:
        if req.kind != METER_RELEASE or req.payload.get("meter") != meter.serial:
            raise Conflict(
                "idempotency_key_reused",
                f"Key {key!r:.40} was used for another request.",
            )
        return req, False
    current = open_assignment(meter)
    if current is None:
        raise Conflict(
            "meter_not_in_service",
            f"Meter {meter.serial} serves no connection; move it in the stock "
            "screens instead.",
            field="meter",
        )
    customer = current.customer
    return chain.request_raise(
        kind=METER_RELEASE,
        plant=customer.plant,
        subject=customer,
        comments=comments,
        payload={"meter": meter.serial, "reason": reason},
        idempotency_key=key,
        by=by,
    )


# --- executing ----------------------------------------------------------------------
def release_input(
    req: Request, *, destination: str, customer: str, final_reading: Any, rollover: bool
) -> dict[str, Any]:
    """The assignee's record of where the meter goes, checked (no rows read)."""
    if destination not in Destination.values:
        raise ValidationFailed(
            "release_destination_unknown",
            f"Choose where the meter goes: {', '.join(Destination.values)}.",
            field="destination",
        )
    target = str(customer or "").strip().upper()
    if destination == Destination.REASSIGN:
        if not target:
            raise ValidationFailed(
                "reassign_customer_missing",
                "Name the connection the meter goes to.",
                field="customer",
            )
        if req.payload.get("reason") == ReleaseReason.MALFUNCTION:
            raise ValidationFailed(
                "meter_faulty_not_reassignable",
                "A malfunctioning meter goes to stock, not to another connection.",
                field="destination",
            )
    final = reading_value(final_reading, field="final_reading")
    return {
        "destination": destination,
        "customer": target if destination == Destination.REASSIGN else "",
        "final_reading": None if final is None else str(final),
        "rollover": bool(rollover),
    }


@transaction.atomic
def meter_release_execute(
    *,
    request: Request,
    destination: str,
    customer: str = "",
    final_reading: Any = None,
    rollover: bool = False,
    note: str = "",
    idempotency_key: str | None = None,
    by: User,
) -> Request:
    """The assignee records the meter's new location (and its final reading if
    it was installed) and executes the release: In Process -> Review. The
    chain's own checks (designation, scope, state, assignee) apply; a refusal
    rolls back the record too. A retry with the key of the step taken returns
    the request; a run after a send-back keeps the first release."""
    key = (idempotency_key or "").strip() or None
    if key is not None and request.steps.filter(idempotency_key=key).exists():
        return chain.request_execute(request=request, by=by, idempotency_key=key)
    req = lock_request(request.pk)
    if req.kind != METER_RELEASE:
        raise ValidationFailed("request_kind_wrong", "This is not a meter release.")
    if not req.result.get("released"):
        req.payload = req.payload | {
            "execution": release_input(
                req,
                destination=destination,
                customer=customer,
                final_reading=final_reading,
                rollover=rollover,
            )
        }
        req.save(update_fields=["payload", "updated_at"])
    return chain.request_execute(request=req, by=by, note=note, idempotency_key=key)


def _lock_customers(req: Request, target_id: str) -> tuple[Customer, Customer | None]:
    """The request's customer and the re-assignment target, locked by pk."""
    assert req.subject_id is not None  # noqa: S101 (needs_subject)
    ids = [req.subject_id]
    target = None
    if target_id:
        target = Customer.objects.filter(
            company_id=req.company_id, customer_id=target_id
        ).first()
        if target is None or target.plant_id != req.plant_id:
            raise ValidationFailed(
                "customer_other_plant",
                f"No connection {target_id:.11} at {req.plant.key}.",
                field="customer",
            )
        if target.pk == req.subject_id:
            raise ValidationFailed(
                "reassign_same_customer",
                "The meter comes down from this connection.",
                field="customer",
            )
        ids.append(target.pk)
    locked = {
        c.pk: c
        for c in Customer.objects.filter(pk__in=ids)
        .select_related("package", "plant__state")
        .order_by("pk")
        .select_for_update(of=("self",))
    }
    return locked[req.subject_id], locked[target.pk] if target else None


def release_perform(req: Request, by: User) -> dict[str, Any]:
    """On execute: the final reading, the assignment closed, the meter placed."""
    if req.result.get("released"):
        return dict(req.result)
    execution = req.payload.get("execution")
    if not execution:
        raise ValidationFailed(
            "release_location_missing",
            "Record where the meter goes (Unreleased Meter) to execute this.",
            field="destination",
        )
    subject, target = _lock_customers(req, execution["customer"])
    meter = lock_meters(req.company_id, [req.payload["meter"]])[req.payload["meter"]]
    assignment = open_assignment_locked(meter)
    if assignment is None or assignment.customer_id != subject.pk:
        raise Conflict(
            "meter_not_in_service",
            f"Meter {meter.serial} no longer serves {subject.customer_id}.",
        )
    if target is not None:
        refuse_wrong_kind(meter, target, field="customer")
    at = timezone.now()
    note = f"{req.number} meter release"
    reading = _final_reading(req, meter, assignment, subject, execution, at, by)
    assignment_close(assignment, at=at, by=by, reason=note)
    _place(req, meter, execution, target, note=note, by=by)
    return {
        "released": True,
        "meter": meter.serial,
        "customer": subject.customer_id,
        "destination": execution["destination"],
        "reassigned_to": target.customer_id if target else None,
        "state": meter.state,
        "final_reading": None if reading is None else str(reading.value),
        "units": str(reading.units) if reading and reading.units is not None else None,
        "reading": reading.pk if reading else None,
        "at": at.isoformat(),
    }


def _final_reading(
    req: Request,
    meter: Meter,
    assignment: MeterAssignment,
    customer: Customer,
    execution: dict[str, Any],
    at: Any,
    by: User,
) -> Any:
    value = reading_value(execution.get("final_reading"), field="final_reading")
    if assignment.installed_at is None:
        if value is not None:
            raise ValidationFailed(
                "meter_not_installed",
                f"Meter {meter.serial} was never installed; leave the reading empty.",
                field="final_reading",
            )
        return None
    if value is None:
        if meter.kind in METERED_KINDS:
            raise ValidationFailed(
                "final_reading_missing",
                f"Enter the last reading of meter {meter.serial}.",
                field="final_reading",
            )
        return None
    refuse_pending_readings(assignment, field="final_reading")
    rollover = bool(execution.get("rollover"))
    previous = previous_register(assignment)
    units = units_since(
        meter, previous, value, rollover=rollover, field="final_reading"
    )
    return reading_write(
        assignment=assignment,
        customer=customer,
        value=value,
        units=units,
        source=ReadingSource.REMOVAL,
        at=at,
        rollover=rollover,
        note=f"{req.number} meter release",
        key=f"mrel:{req.pk}",
        by=by,
    )


def _place(
    req: Request,
    meter: Meter,
    execution: dict[str, Any],
    target: Customer | None,
    *,
    note: str,
    by: User,
) -> None:
    faulty = req.payload.get("reason") == ReleaseReason.MALFUNCTION
    destination = execution["destination"]
    plant: Plant | None = None if destination == Destination.WAREHOUSE else req.plant
    meter_place(meter, plant=plant, faulty=faulty, by=by, reason=note)
    if target is not None:
        stock_services.meter_assign(meter=meter, customer=target, by=by)
        meter.refresh_from_db()


# --- reads --------------------------------------------------------------------------
def releases_for(
    user: Any,
    *,
    tab: str = "",
    plant: Plant | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Request]:
    """Meter release requests of the user's plants: a tab of the manual, a
    plant, and (for the Completed list) the dates they were closed."""
    qs = requests_for(user).filter(kind=METER_RELEASE)
    if plant is not None:
        qs = qs.filter(plant=plant)
    if since is not None:
        qs = qs.filter(closed_at__date__gte=since)
    if until is not None:
        qs = qs.filter(closed_at__date__lte=until)
    if tab in TABS:
        qs = qs.filter(state__in=TABS[tab])
    return qs.select_related("executed_by", "closed_by")


def tab_counts(qs: QuerySet[Request]) -> dict[str, int]:
    """How many of ``qs`` are in each tab."""
    counts = dict.fromkeys(TABS, 0)
    rows = qs.order_by().values("state").annotate(n=models.Count("pk"))
    for row in rows:
        for tab, states in TABS.items():
            if row["state"] in states:
                counts[tab] += row["n"]
    return counts


def waiting_on(user: Any) -> QuerySet[Request]:
    """Meter release requests that wait for this user's step: to assign (an
    assigner), to execute (the assignee), to confirm (a reviewer who did not
    execute it). The bell counts them (manual 3.3.3)."""
    if not can(user, Action.FIELD_USE) and not can(user, Action.BACKOFFICE_USE):
        return Request.objects.none()
    cond = Q(state=S.IN_PROCESS, assigned_to=user)
    if can(user, Action.REQUEST_ASSIGN):
        cond |= Q(state=S.APPROVED)
    if can(user, Action.REQUEST_REVIEW):
        cond |= Q(state=S.REVIEW) & ~Q(executed_by=user)
    return requests_for(user).filter(cond, kind=METER_RELEASE)
