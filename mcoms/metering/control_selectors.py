"""Reads for meter control, always through the user's scope: the controllable
meters of a plant with their customer (Smart Meter Status, Spark Server,
TERMS Status), search by name, customer ID or meter, a meter's command
history, the switch counts of a plant's feeders, commands and tokens.

A meter outside the user's scope is a 404; a designation without the action
asked for is a 403 (``mcoms.org.access``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from mcoms.metering.control import CONTROLLABLE_KINDS, is_reachable
from mcoms.metering.models import (
    CommandEvent,
    Meter,
    MeterAssignment,
    MeterCommand,
    MeterLocation,
    TokenIssue,
)
from mcoms.metering.selectors import meters_for
from mcoms.org.access import plant_q, require
from mcoms.org.models import Feeder, Plant
from mcoms.org.permissions import Action


def _open(field: str) -> Subquery:
    return Subquery(
        MeterAssignment.objects.filter(meter=OuterRef("pk"), removed_at__isnull=True)
        .order_by("-assigned_at")
        .values(field)[:1]
    )


def controlled_meters_for(
    user: Any, action: Action = Action.CUSTOMER_VIEW
) -> QuerySet[Meter]:
    """Installed smart meters and load limiters at plants in the user's scope,
    with their customer's ID, name and status (``customer_id``,
    ``customer_name``, ``customer_status``, empty when none)."""
    return (
        meters_for(user, action)
        .filter(
            kind__in=CONTROLLABLE_KINDS,
            plant__isnull=False,
            location=MeterLocation.INSTALLED,
        )
        .annotate(
            customer_id=_open("customer__customer_id"),
            customer_name=_open("customer__name"),
            customer_status=_open("customer__status"),
        )
        .order_by("plant_id", "serial")
    )


def meter_search(qs: QuerySet[Meter], q: str) -> QuerySet[Meter]:
    """Meters whose serial holds ``q``, or whose customer's name holds it, or
    whose customer ID or package ID starts with it."""
    q = q.strip()[:60]
    if not q:
        return qs
    customer = MeterAssignment.objects.filter(
        meter=OuterRef("pk"), removed_at__isnull=True
    ).filter(
        Q(customer__name__icontains=q)
        | Q(customer__customer_id__startswith=q.upper())
        | Q(customer__package__package_id__istartswith=q)
    )
    return qs.filter(Q(serial__contains=q.upper()) | Exists(customer))


def get_meter_for_control(user: Any, serial: str, action: Action) -> Meter:
    """One meter by serial for a page or a command: 403 when the designation
    lacks ``action``, 404 outside the user's scope."""
    require(user, action)
    meter = (
        meters_for(user, action)
        .select_related("plant__cluster")
        .filter(serial=serial.strip().upper())
        .first()
    )
    if meter is None:
        raise Http404(f"No meter {serial:.40} in your scope.")
    return meter


def meter_customer(meter: Meter) -> MeterAssignment | None:
    return (
        MeterAssignment.objects.select_related("customer__package", "customer__pole")
        .filter(meter=meter, removed_at__isnull=True)
        .first()
    )


def with_events(qs: QuerySet[MeterCommand]) -> QuerySet[MeterCommand]:
    return qs.select_related(
        "meter", "feeder", "plant__state", "requested_by", "parent"
    ).prefetch_related(
        Prefetch("events", CommandEvent.objects.select_related("by").order_by("pk"))
    )


def meter_commands(meter: Meter, limit: int = 20) -> list[MeterCommand]:
    """The meter's commands (its own and its share of feeder and plant ones),
    newest first, with their events."""
    return list(with_events(MeterCommand.objects.filter(meter=meter))[:limit])


def commands_for(user: Any) -> QuerySet[MeterCommand]:
    """Top-level commands (one meter, feeder, plant) at plants in scope."""
    staff = require(user, Action.CUSTOMER_VIEW)
    return with_events(
        MeterCommand.objects.filter(company_id=staff.company_id, parent__isnull=True)
        .filter(plant_q(staff, "plant__"))
        .order_by("-pk")
    )


def get_command_for_user(user: Any, pk: int) -> MeterCommand:
    command = commands_for(user).filter(pk=pk).first()
    if command is None:
        raise Http404(f"No command {pk} in your scope.")
    return command


@dataclass
class SwitchCounts:
    """Reachable installed meters by their last acknowledged switch state."""

    on: int = 0
    off: int = 0
    auto: int = 0
    other: int = 0  # installed but no remote driver

    @property
    def total(self) -> int:
        return self.on + self.off + self.auto


def _count(meters: list[Meter]) -> SwitchCounts:
    counts = SwitchCounts()
    for meter in meters:
        if not is_reachable(meter):
            counts.other += 1
            continue
        setattr(counts, meter.switch_state, getattr(counts, meter.switch_state) + 1)
    return counts


def plant_switch_counts(plant: Plant) -> SwitchCounts:
    meters = Meter.objects.filter(
        plant=plant, location=MeterLocation.INSTALLED, kind__in=CONTROLLABLE_KINDS
    ).only("kind", "driver", "switch_state")
    return _count(list(meters))


def feeders_with_counts(plant: Plant) -> list[tuple[Feeder, SwitchCounts]]:
    """The plant's feeders, each with its meters' switch counts."""
    rows = (
        MeterAssignment.objects.filter(
            removed_at__isnull=True,
            meter__plant=plant,
            meter__location=MeterLocation.INSTALLED,
            meter__kind__in=CONTROLLABLE_KINDS,
        )
        .select_related("meter")
        .values_list("customer__pole__feeder_id", "meter")
    )
    meters = {m.pk: m for m in Meter.objects.filter(pk__in=[m for _f, m in rows])}
    by_feeder: dict[int, list[Meter]] = {}
    for feeder_id, meter_id in rows:
        by_feeder.setdefault(feeder_id, []).append(meters[meter_id])
    return [
        (feeder, _count(by_feeder.get(feeder.pk, [])))
        for feeder in Feeder.objects.filter(plant=plant).order_by("code")
    ]


def tokens_for_meter(meter: Meter, limit: int = 50) -> QuerySet[TokenIssue]:
    return TokenIssue.objects.filter(meter=meter).select_related("by")[:limit]
