"""Consumer Status (manual 3.5.5): how far the physical connection of each
prospect waiting for its meter or its activation has gone - not started, At
Pole, House wire, Service Wire, Review - counted per plant of the user's scope.
Reads only (the steps are written by ``services.prospect_connection_step`` and
``services.prospect_meter_install``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from mcoms.acquisition.models import (
    CONNECTION_STEPS,
    Prospect,
    ProspectStatus,
    Stage,
)
from mcoms.org.access import plants_for
from mcoms.org.permissions import Action

NOT_STARTED = "not_started"
COLUMNS = [NOT_STARTED, *CONNECTION_STEPS]
# Stage 6 done (waiting for the meter) or 7 done (waiting for activation).
WAITING = (Stage.ACCOUNT, Stage.METER)


@dataclass
class ConnectionRow:
    key: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def in_connection_work(qs: QuerySet[Prospect], step: str = "") -> QuerySet[Prospect]:
    """Open prospects with an account and no activation yet; with ``step``
    (a connection step or ``not_started``) only those at that step."""
    qs = qs.filter(status=ProspectStatus.OPEN, stage__in=WAITING)
    if step == NOT_STARTED:
        return qs.filter(connection_step="")
    if step:
        return qs.filter(connection_step=step)
    return qs


def connection_counts(user: Any) -> tuple[list[ConnectionRow], ConnectionRow]:
    """Per plant of the user's scope (``customer.view``), the prospects in
    connection work by step, and the total row. One aggregate query."""
    plants = list(
        plants_for(user, Action.CUSTOMER_VIEW).order_by("state__code", "code")
    )
    rows = {p.pk: ConnectionRow(key=p.key, name=p.name) for p in plants}
    counted = (
        in_connection_work(Prospect.objects.filter(plant__in=list(rows)))
        .values("plant_id", "connection_step")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = ConnectionRow(key="", name="")
    for item in counted:
        column = item["connection_step"] or NOT_STARTED
        rows[item["plant_id"]].counts[column] += item["n"]
        total.counts[column] += item["n"]
    return list(rows.values()), total
