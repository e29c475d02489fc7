"""Meter stock as the screens show it (manual 4.4): every meter and load
limiter of the user's scope with the connection it serves now, filtered by
plant (or the company warehouse), kind, state and location, and the counts per
plant. Reads only; the writes are ``services.meter_receive`` and
``services.meter_move_to_plant``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from mcoms.metering.models import Meter, MeterAssignment, MeterLocation, MeterState
from mcoms.metering.selectors import meters_for
from mcoms.org.access import get_plant_for_user

WAREHOUSE = "-"  # the plant filter's value for the company warehouse


def with_customer(qs: QuerySet[Meter]) -> QuerySet[Meter]:
    """Annotate each meter with the customer it serves now (``customer_id``,
    ``customer_name``; None for stock): one subquery per column, no N+1."""
    current = MeterAssignment.objects.filter(
        meter=OuterRef("pk"), removed_at__isnull=True
    )
    return qs.annotate(
        customer_id=Subquery(current.values("customer__customer_id")[:1]),
        customer_name=Subquery(current.values("customer__name")[:1]),
    )


@dataclass(frozen=True)
class StockFilter:
    plant: str = ""  # a plant key, ``-`` for the warehouse, or empty for all
    kind: str = ""
    state: str = ""
    location: str = ""
    q: str = ""  # part of a serial


def stock_for(user: Any, chosen: StockFilter) -> QuerySet[Meter]:
    """The user's meters matching ``chosen``, by serial, with their customer.
    A plant outside the scope is a 404 (``get_plant_for_user``)."""
    qs = meters_for(user)
    if chosen.plant == WAREHOUSE:
        qs = qs.filter(plant__isnull=True)
    elif chosen.plant:
        qs = qs.filter(plant=get_plant_for_user(user, chosen.plant))
    for name in ("kind", "state", "location"):
        value = getattr(chosen, name)
        if value:
            qs = qs.filter(**{name: value})
    serial = chosen.q.strip().upper()
    if serial:
        qs = qs.filter(serial__contains=serial)
    return with_customer(qs).order_by("serial")


@dataclass
class StockRow:
    """One plant's (or the warehouse's) meters by state."""

    key: str  # plant key, or ``-`` for the warehouse
    name: str
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(MeterState.values, 0)
    )

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def stock_counts(user: Any) -> list[StockRow]:
    """Meters per plant of the scope by state, the warehouse last (company
    scope only); one aggregate query."""
    rows = (
        meters_for(user)
        .order_by()
        .values("plant__state__code", "plant__code", "plant__name", "state")
        .annotate(n=Count("pk"))
    )
    out: dict[str, StockRow] = {}
    for r in rows:
        if r["plant__code"] is None:
            key, name = WAREHOUSE, str(MeterLocation.WAREHOUSE.label)
        else:
            key = f"{r['plant__state__code']}{r['plant__code']}"
            name = r["plant__name"]
        row = out.setdefault(key, StockRow(key=key, name=name))
        row.counts[r["state"]] = row.counts.get(r["state"], 0) + r["n"]
    return sorted(out.values(), key=lambda row: (row.key == WAREHOUSE, row.key))
