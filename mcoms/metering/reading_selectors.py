"""Reads of meter readings, always through the user's scope: the Meter
Reading board (manual 3.8.6: per plant, the manually read meters and how many
are still due), the meters due at a plant, the review queue (manual 3.8.7),
the reading ledger of a meter (manual 3.5.2, 4.5) and the interval batches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.http import Http404

from mcoms.customers.models import Customer
from mcoms.metering.models import (
    MeterAssignment,
    MeterKind,
    Reading,
    ReadingBatch,
    ReadingSource,
    ReadingStatus,
)
from mcoms.metering.readings import Window, reading_window
from mcoms.org.access import plant_q, plants_for, require
from mcoms.org.models import Plant, ScopeLevel
from mcoms.org.permissions import Action

METERED = (MeterKind.CONVENTIONAL, MeterKind.SMART)


def manual_assignments(plant: Plant) -> QuerySet[MeterAssignment]:
    """The connections of ``plant`` whose installed meter is read by hand."""
    return MeterAssignment.objects.filter(
        customer__plant=plant,
        removed_at__isnull=True,
        installed_at__isnull=False,
        meter__kind=MeterKind.CONVENTIONAL,
    )


@dataclass
class PlantReadings:
    """One line of the Meter Reading board."""

    plant: Plant
    window: Window
    meters: int = 0  # manually read meters
    read: int = 0  # read in this month's window (pending or approved)
    awaiting: int = 0  # readings waiting for review

    @property
    def due(self) -> int:
        return self.meters - self.read


def reading_board(
    user: Any, action: Action = Action.READING_ENTER
) -> list[PlantReadings]:
    """Per plant of the user's scope: manually read meters, how many are read
    in this month's window and how many wait for review. Four queries plus
    one per distinct window opening (plants usually share one)."""
    plants = list(
        plants_for(user, action).order_by("state__code", "cluster__code", "code")
    )
    lines = {p.pk: PlantReadings(p, reading_window(p)) for p in plants}
    assigned = (
        MeterAssignment.objects.filter(
            customer__plant__in=plants,
            removed_at__isnull=True,
            installed_at__isnull=False,
            meter__kind=MeterKind.CONVENTIONAL,
        )
        .values_list("customer__plant_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for plant_id, n in assigned:
        lines[plant_id].meters = n
    by_opening: dict[Any, list[int]] = defaultdict(list)
    for line in lines.values():
        by_opening[line.window.opens].append(line.plant.pk)
    for opens, plant_ids in by_opening.items():
        read = (
            Reading.objects.filter(
                meter__plant_id__in=plant_ids,
                source=ReadingSource.MANUAL,
                status__in=[ReadingStatus.PENDING, ReadingStatus.APPROVED],
                taken_at__gte=opens,
                assignment__removed_at__isnull=True,
            )
            .values_list("meter__plant_id")
            .annotate(n=Count("meter_id", distinct=True))
            .order_by()
        )
        for plant_id, n in read:
            lines[plant_id].read = n
    waiting = (
        Reading.objects.filter(meter__plant__in=plants, status=ReadingStatus.PENDING)
        .values_list("meter__plant_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for plant_id, n in waiting:
        lines[plant_id].awaiting = n
    return list(lines.values())


@dataclass
class DueMeter:
    """A manually read meter of a plant with its last approved reading and
    this window's reading, if taken."""

    assignment: MeterAssignment
    previous: Reading | None
    current: Reading | None

    @property
    def previous_value(self) -> Any:
        if self.previous is not None:
            return self.previous.value
        return self.assignment.initial_reading

    @property
    def previous_at(self) -> Any:
        if self.previous is not None:
            return self.previous.taken_at
        return self.assignment.installed_at


def _latest_approved() -> Subquery:
    return Subquery(
        Reading.objects.filter(
            meter=OuterRef("meter"),
            status=ReadingStatus.APPROVED,
            taken_at__gte=OuterRef("installed_at"),
        )
        .order_by("-taken_at")
        .values("pk")[:1]
    )


def meters_due(plant: Plant, window: Window | None = None) -> list[DueMeter]:
    """The plant's manually read meters, those still due first, then those
    waiting for review, then those read: three queries."""
    window = window or reading_window(plant)
    assignments = list(
        manual_assignments(plant)
        .select_related("meter", "customer__package")
        .annotate(last_pk=_latest_approved())
        .order_by("customer__customer_id")
    )
    last = Reading.objects.in_bulk([a.last_pk for a in assignments if a.last_pk])
    current: dict[int, Reading] = {}
    for r in Reading.objects.filter(
        assignment__in=assignments,
        source=ReadingSource.MANUAL,
        status__in=[ReadingStatus.PENDING, ReadingStatus.APPROVED],
        taken_at__gte=window.opens,
    ).order_by("taken_at"):
        current[r.assignment_id] = r  # type: ignore[index]
    rows = [
        DueMeter(a, last.get(a.last_pk), current.get(a.pk))  # type: ignore[attr-defined]
        for a in assignments
    ]
    order: dict[str | None, int] = {
        None: 0,
        ReadingStatus.PENDING: 1,
        ReadingStatus.APPROVED: 2,
    }
    rows.sort(key=lambda r: order[r.current.status if r.current else None])
    return rows


# --- review -------------------------------------------------------------------------
def readings_for(user: Any, action: Action = Action.CUSTOMER_VIEW) -> QuerySet[Reading]:
    """Readings of meters at plants of the user's scope (403 without
    ``action``)."""
    staff = require(user, action)
    return Reading.objects.select_related(
        "meter__plant__state", "customer", "package", "entered_by", "reviewed_by"
    ).filter(plant_q(staff, "meter__plant__"), meter__company_id=staff.company_id)


def get_reading_for_user(
    user: Any, pk: int, action: Action = Action.CUSTOMER_VIEW
) -> Reading:
    reading = readings_for(user, action).filter(pk=pk).first()
    if reading is None:
        raise Http404(f"No reading {pk} in your scope.")
    return reading


@dataclass
class ReviewLine:
    plant: Plant
    awaiting: int


def review_board(user: Any) -> list[ReviewLine]:
    """Manual 3.8.7, Meter Readings Approvals: per plant of the scope, the
    readings waiting for review."""
    plants = list(
        plants_for(user, Action.READING_REVIEW).order_by(
            "state__code", "cluster__code", "code"
        )
    )
    counts = dict(
        Reading.objects.filter(meter__plant__in=plants, status=ReadingStatus.PENDING)
        .values_list("meter__plant_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [ReviewLine(p, counts.get(p.pk, 0)) for p in plants]


def pending_for_review(plant: Plant) -> list[Reading]:
    """The plant's readings waiting for review, oldest first, each with
    ``previous`` (the meter's latest approved reading before it, or None:
    then the installation's first reading is the baseline)."""
    latest = Subquery(
        Reading.objects.filter(
            meter=OuterRef("meter"),
            status=ReadingStatus.APPROVED,
            taken_at__lt=OuterRef("taken_at"),
            taken_at__gte=OuterRef("assignment__installed_at"),
        )
        .order_by("-taken_at")
        .values("pk")[:1]
    )
    rows: list[Any] = list(
        Reading.objects.filter(meter__plant=plant, status=ReadingStatus.PENDING)
        .select_related("meter", "customer", "package", "entered_by", "assignment")
        .annotate(previous_pk=latest)
        .order_by("taken_at", "pk")
    )
    previous = Reading.objects.in_bulk([r.previous_pk for r in rows if r.previous_pk])  # type: ignore[attr-defined]
    for r in rows:
        r.previous = previous.get(r.previous_pk)  # type: ignore[attr-defined]
    return rows


# --- the ledger -----------------------------------------------------------------------
def customer_meters(customer: Customer) -> list[MeterAssignment]:
    """The metered connections' meters of a customer, the current one first
    (manual 4.5: "choose the meter number if there are several")."""
    return list(
        MeterAssignment.objects.filter(customer=customer, meter__kind__in=METERED)
        .select_related("meter")
        .order_by(F("removed_at").desc(nulls_first=True), "-assigned_at")
    )


def chosen_meter(
    meters: list[MeterAssignment], serial: str | None
) -> MeterAssignment | None:
    """The meter asked for by serial (404 if not among ``meters``), else the
    current one."""
    if serial:
        for a in meters:
            if a.meter.serial == serial.strip().upper():
                return a
        raise Http404("No such meter on this account.")
    return meters[0] if meters else None


def reading_ledger(
    assignment: MeterAssignment, *, with_rejected: bool = False
) -> QuerySet[Reading]:
    """Readings of one meter while it served this customer, newest first:
    date, package, reading, units since the last one (manual 3.5.2)."""
    qs = Reading.objects.filter(
        meter_id=assignment.meter_id, customer_id=assignment.customer_id
    ).select_related("package", "entered_by", "reviewed_by")
    if not with_rejected:
        qs = qs.exclude(status=ReadingStatus.REJECTED)
    return qs.order_by("-taken_at", "-pk")


# --- interval batches ---------------------------------------------------------------
def batches_for(user: Any) -> QuerySet[ReadingBatch]:
    """Interval batches: all of the company for company-wide staff, else the
    ones the user delivered (a batch may name meters of any plant)."""
    staff = require(user, Action.READING_IMPORT)
    qs = ReadingBatch.objects.filter(company_id=staff.company_id).select_related("by")
    if staff.scope_level != ScopeLevel.COMPANY:
        qs = qs.filter(by=staff.user)
    return qs


def get_batch_for_user(user: Any, pk: int) -> ReadingBatch:
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        raise Http404(f"No batch {pk} in your scope.")
    return batch
