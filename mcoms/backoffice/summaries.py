"""Figures for the dashboard, read through the access helpers only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from mcoms.customers.models import CustomerStatus
from mcoms.customers.selectors import customers_for
from mcoms.org.access import (
    can,
    clusters_for,
    feeders_for,
    plants_for,
    poles_for,
    staff_list_for,
    states_for,
)
from mcoms.org.models import Cluster, Plant
from mcoms.org.permissions import Action

STATUSES = [s.value for s in CustomerStatus]


@dataclass
class Line:
    """One row of the per-plant table (a plant, a cluster subtotal or the total)."""

    label: str
    key: str = ""
    kwp: Decimal = Decimal("0")
    feeders: int = 0
    poles: int = 0
    customers: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(STATUSES, 0)
    )

    def add(self, other: Line) -> None:
        self.kwp += other.kwp
        self.feeders += other.feeders
        self.poles += other.poles
        for status in STATUSES:
            self.customers[status] += other.customers[status]

    @property
    def customers_total(self) -> int:
        return sum(self.customers.values())


@dataclass
class Group:
    cluster: Cluster
    plants: list[Line]
    subtotal: Line


def _per_plant(qs: Any) -> dict[int, int]:
    return dict(qs.values_list("plant_id").annotate(n=Count("id")))


def plant_table(user: Any) -> tuple[list[Group], Line]:
    """Plants of the user's scope grouped by cluster, with subtotals and a total."""
    plants: list[Plant] = list(
        plants_for(user).order_by("cluster__state__code", "cluster__code", "code")
    )
    feeders = _per_plant(feeders_for(user))
    poles = _per_plant(poles_for(user))
    customers: dict[int, dict[str, int]] = defaultdict(dict)
    counts = (
        customers_for(user).values_list("plant_id", "status").annotate(n=Count("id"))
    )
    for plant_id, status, n in counts:
        customers[plant_id][status] = n
    groups: dict[int, Group] = {}
    total = Line(label="")
    for plant in plants:
        line = Line(
            label=plant.name,
            key=plant.key,
            kwp=plant.capacity_kwp,
            feeders=feeders.get(plant.pk, 0),
            poles=poles.get(plant.pk, 0),
        )
        line.customers.update(customers.get(plant.pk, {}))
        group = groups.get(plant.cluster_id)
        if group is None:
            subtotal = Line(label=plant.cluster.name, key=plant.cluster.key)
            group = groups[plant.cluster_id] = Group(plant.cluster, [], subtotal)
        group.plants.append(line)
        group.subtotal.add(line)
        total.add(line)
    return list(groups.values()), total


def counts(user: Any, total: Line) -> dict[str, Any]:
    """The headline figures; ``total`` comes from :func:`plant_table`."""
    figures: dict[str, Any] = {
        "states": states_for(user).count(),
        "clusters": clusters_for(user).count(),
        "plants": plants_for(user).count(),
        "kwp": plants_for(user).aggregate(s=Sum("capacity_kwp"))["s"] or Decimal("0"),
        "feeders": total.feeders,
        "poles": total.poles,
        "customers": total.customers,
        "staff": None,
    }
    if can(user, Action.STAFF_VIEW):
        figures["staff"] = staff_list_for(user).filter(is_active=True).count()
    return figures
