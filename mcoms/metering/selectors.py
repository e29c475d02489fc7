"""Reads of meter stock, always through the user's scope.

Meters at a plant are seen by staff whose scope holds the plant; meters in the
company warehouse (no plant) only by company-wide staff, like the company-level
ledger accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.http import Http404

from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    MeterKind,
    MeterLocation,
    MeterState,
    Reading,
    ReadingStatus,
)
from mcoms.org.access import plant_q, require
from mcoms.org.models import Plant, ScopeLevel
from mcoms.org.permissions import Action
from mcoms.packages.models import BillingType

# Which kinds of device may serve a package of each billing type: prepaid and
# unmetered connections are load limited, metered ones need a meter.
KINDS_FOR_BILLING: dict[str, frozenset[str]] = {
    BillingType.PREPAID: frozenset({MeterKind.LOAD_LIMITER}),
    BillingType.POSTPAID_UNMETERED: frozenset({MeterKind.LOAD_LIMITER}),
    BillingType.POSTPAID_METERED: frozenset({MeterKind.CONVENTIONAL, MeterKind.SMART}),
}


def meters_for(user: Any, action: Action = Action.ORG_VIEW) -> QuerySet[Meter]:
    """Meters the user may see (or act on, for ``action``): 403 for non-staff."""
    staff = require(user, action)
    visible = Q(company_id=staff.company_id) & plant_q(staff, "plant__")
    if staff.scope_level == ScopeLevel.COMPANY:
        visible = Q(company_id=staff.company_id)
    return Meter.objects.select_related("plant__state").filter(visible)


def get_meter_for_user(user: Any, serial: str, write: bool = False) -> Meter:
    """One meter by serial, or 404 outside the user's scope (403 if the
    designation may not see or, with ``write``, edit meter stock)."""
    action = Action.METER_STOCK_EDIT if write else Action.ORG_VIEW
    meter = meters_for(user, action).filter(serial=serial.strip().upper()).first()
    if meter is None:
        raise Http404(f"No meter {serial:.40} in your scope.")
    return meter


def meters_in_stock(
    plant: Plant, kinds: Iterable[str] | None = None
) -> QuerySet[Meter]:
    """Meters available in ``plant``'s stock (optionally only these kinds),
    the ones a technician may pick for a new connection."""
    qs = Meter.objects.filter(
        plant=plant, location=MeterLocation.PLANT, state=MeterState.AVAILABLE
    )
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.order_by("serial")


def open_assignment(meter: Meter) -> MeterAssignment | None:
    """The connection a meter serves now, if any."""
    return (
        MeterAssignment.objects.select_related("customer")
        .filter(meter=meter, removed_at__isnull=True)
        .first()
    )


def kinds_for_billing_type(billing_type: str) -> frozenset[str]:
    return KINDS_FOR_BILLING.get(billing_type, frozenset(MeterKind.values))


# --- usage for billing ------------------------------------------------------------
@dataclass(frozen=True)
class Usage:
    """A customer's metered energy in a billing window, from approved register
    readings: ``kwh`` is the sum of their ``units`` (rollovers and meter changes
    are already inside ``units``), ``closing`` the last register value seen."""

    kwh: Decimal
    actual: bool
    closing: Decimal | None


def usage_for_period(
    *, plant: Plant, start: datetime, end: datetime
) -> dict[int, Usage]:
    """Energy per customer (keyed by Customer pk) of ``plant`` in [start, end),
    from approved readings with units (manual readings once reviewed, and the
    daily register readings rolled up from smart meters' interval data). A
    customer without such a reading in the window is absent: billing estimates.
    Two queries whatever the number of customers."""
    rows = (
        Reading.objects.filter(
            customer__plant=plant,
            status=ReadingStatus.APPROVED,
            units__isnull=False,
            taken_at__gte=start,
            taken_at__lt=end,
        )
        .values("customer_id")
        .annotate(kwh=Sum("units"), last=Max("taken_at"))
    )
    sums = {r["customer_id"]: (r["kwh"], r["last"]) for r in rows}
    if not sums:
        return {}
    closing = {
        (cid, taken): value
        for cid, taken, value in Reading.objects.filter(
            customer__plant=plant,
            status=ReadingStatus.APPROVED,
            units__isnull=False,
            taken_at__gte=start,
            taken_at__lt=end,
        ).values_list("customer_id", "taken_at", "value")
    }
    return {
        cid: Usage(kwh=kwh, actual=True, closing=closing.get((cid, last)))
        for cid, (kwh, last) in sums.items()
    }
