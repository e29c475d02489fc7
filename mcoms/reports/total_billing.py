"""Total Billing (manual 3.4.3.1): per plant, what was billed to pre-paid and
to post-paid customers in a month, the total, and the share of customers
billed; each beside the month before (the month-on-month arrows), plants
grouped by cluster with subtotals, and the total of the user's scope.

A bill counts in the month its billing period starts; "billed" is the bill's
new charges (not the amount due, which carries earlier balances). Pre-paid
means the bill's billing type ``prepaid``; every other bill is post-paid.
The share billed is the customers with a bill in the month over the customers
active in it (docs/decisions/0072). Three queries whatever the number of
plants: the plants, the bills summed per plant, the customers counted (and one for the
months that have bills, for the month filter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from mcoms.billing.models import Bill, BillingPeriod
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.org import access
from mcoms.org.models import Cluster, Plant
from mcoms.org.permissions import Action
from mcoms.packages.models import BillingType

ZERO = Decimal("0.00")
COLUMNS = ("prepaid", "postpaid", "total", "percent")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass
class Figures:
    prepaid: Decimal = ZERO
    postpaid: Decimal = ZERO
    billed: int = 0  # customers with a bill in the month
    customers: int = 0  # customers active in the month

    @property
    def total(self) -> Decimal:
        return self.prepaid + self.postpaid

    @property
    def percent(self) -> Decimal | None:
        if not self.customers:
            return None
        share = Decimal(self.billed * 100) / Decimal(self.customers)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def add(self, other: Figures) -> None:
        self.prepaid += other.prepaid
        self.postpaid += other.postpaid
        self.billed += other.billed
        self.customers += other.customers


@dataclass(frozen=True)
class Change:
    """One column's month-on-month move: ``up``, ``down`` or ``same``, and the
    change in per cent of the month before (None when that was zero)."""

    direction: str
    percent: Decimal | None


def _change(now: Decimal | None, before: Decimal | None) -> Change:
    now, before = now or ZERO, before or ZERO
    direction = "up" if now > before else "down" if now < before else "same"
    if before == 0:
        return Change(direction, None)
    pct = (now - before) * 100 / before
    return Change(direction, pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Line:
    """A row of the table: a plant, a cluster subtotal or the total."""

    label: str
    key: str = ""
    now: Figures = field(default_factory=Figures)
    before: Figures = field(default_factory=Figures)

    def add(self, other: Line) -> None:
        self.now.add(other.now)
        self.before.add(other.before)

    @property
    def changes(self) -> dict[str, Change]:
        return {
            column: _change(getattr(self.now, column), getattr(self.before, column))
            for column in COLUMNS
        }


@dataclass
class ClusterLines:
    cluster: Cluster
    plants: list[Line]
    subtotal: Line


@dataclass
class TotalBilling:
    month: date
    previous: date
    groups: list[ClusterLines]
    total: Line
    plant: Plant | None
    months: list[date]  # months with bills in the user's scope, newest first


def billed_months(user: Any, limit: int = 24) -> list[date]:
    """The months (first days) whose periods have bills in the user's scope."""
    staff = access.require(user, Action.BILLING_VIEW)
    billed = Bill.objects.filter(period=OuterRef("pk"))
    starts = (
        BillingPeriod.objects.filter(access.plant_q(staff, "plant__"))
        .filter(Exists(billed))
        .values_list("start", flat=True)
    )
    return sorted({month_start(d) for d in starts}, reverse=True)[:limit]


def total_billing(
    user: Any, *, month: date | None = None, plant: Plant | None = None
) -> TotalBilling:
    """The table for ``month`` (default: the latest month billed in scope, else
    this month), for every plant in the user's scope or only ``plant`` (which
    the caller got through ``get_plant_for_user``)."""
    months = billed_months(user)  # 403 for a designation without billing.view
    this = month_start(month or (months[0] if months else timezone.localdate()))
    before = previous_month(this)
    plants_qs = access.plants_for(user, Action.BILLING_VIEW)
    if plant is not None:
        plants_qs = plants_qs.filter(pk=plant.pk)
    plants = list(
        plants_qs.select_related("cluster__state").order_by(
            "cluster__state__code", "cluster__code", "state__code", "code"
        )
    )
    ids = [p.pk for p in plants]
    sums = _bill_sums(ids, this, before)
    counts = _customer_counts(ids, this, before)
    groups: dict[int, ClusterLines] = {}
    total = Line(label="")
    for p in plants:
        line = Line(label=p.name, key=p.key)
        for when, figures in (("now", line.now), ("before", line.before)):
            got = sums.get((p.pk, when))
            if got:
                figures.prepaid, figures.postpaid, figures.billed = got
            figures.customers = counts.get((p.pk, when), 0)
        group = groups.get(p.cluster_id)
        if group is None:
            sub = Line(label=p.cluster.name, key=p.cluster.key)
            group = groups[p.cluster_id] = ClusterLines(p.cluster, [], sub)
        group.plants.append(line)
        group.subtotal.add(line)
        total.add(line)
    return TotalBilling(this, before, list(groups.values()), total, plant, months)


def _bill_sums(
    plant_ids: list[int], this: date, before: date
) -> dict[tuple[int, str], tuple[Decimal, Decimal, int]]:
    """(plant, "now" | "before") -> (pre-paid, post-paid, customers billed)."""
    prepaid = Q(billing_type=BillingType.PREPAID)
    windows = {
        "now": Q(period__start__gte=this, period__start__lt=next_month(this)),
        "before": Q(period__start__gte=before, period__start__lt=this),
    }
    aggregates: dict[str, Any] = {}
    for when, q in windows.items():
        aggregates[f"{when}_pre"] = Sum("new_charges", filter=q & prepaid)
        aggregates[f"{when}_post"] = Sum("new_charges", filter=q & ~prepaid)
        aggregates[f"{when}_n"] = Count("customer", filter=q, distinct=True)
    rows = (
        Bill.objects.filter(
            plant_id__in=plant_ids,
            period__start__gte=before,
            period__start__lt=next_month(this),
        )
        .order_by()
        .values("plant_id")
        .annotate(**aggregates)
    )
    out = {}
    for found in rows:
        row: dict[str, Any] = dict(found)
        for when in windows:
            out[(row["plant_id"], when)] = (
                _money(row[f"{when}_pre"]),
                _money(row[f"{when}_post"]),
                row[f"{when}_n"],
            )
    return out


def _money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)


def _active_in(start: date, end: date, tz: Any) -> Q:
    """Customers active at some time in [start, end): activated (or, without
    an activation date, created) before the end, and either active now or
    switched off (inactive, banned) only after the start."""
    begin = datetime.combine(start, time.min, tzinfo=tz)
    finish = datetime.combine(end, time.min, tzinfo=tz)
    started = Q(activated_at__lt=finish) | Q(
        activated_at__isnull=True, created_at__lt=finish
    )
    still = Q(status=CustomerStatus.ACTIVE) | Q(
        status__in=[CustomerStatus.INACTIVE, CustomerStatus.BANNED],
        status_changed_at__gte=begin,
    )
    return started & still


def _customer_counts(
    plant_ids: list[int], this: date, before: date
) -> dict[tuple[int, str], int]:
    tz = timezone.get_current_timezone()
    rows = (
        Customer.objects.filter(plant_id__in=plant_ids)
        .order_by()
        .values("plant_id")
        .annotate(
            now=Count("id", filter=_active_in(this, next_month(this), tz)),
            before=Count("id", filter=_active_in(before, this, tz)),
        )
    )
    out = {}
    for row in rows:
        out[(row["plant_id"], "now")] = row["now"]
        out[(row["plant_id"], "before")] = row["before"]
    return out
