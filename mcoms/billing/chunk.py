"""One chunk of a billing run: read in bulk, compose, write in bulk, in the
caller's transaction (``services.billing_run_work``).

Per chunk, whatever its size: a few reads (customers, packages, bills and
estimates of earlier periods, balances and credits, the line sources), then
the journals (``journal_post_many``), the bills, the lines and the progress,
each in one bulk statement. The bill numbers come from the plant's sequence
row, locked and advanced here, so a chunk that rolls back leaves no gap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from mcoms.billing import engine, extensions
from mcoms.billing import tariffs as t
from mcoms.billing.models import (
    BILLED_SERVICES,
    Bill,
    BillingPeriod,
    BillingRun,
    BillLine,
    LineKind,
)
from mcoms.core.money import KWH, quantize
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.ledger.models import Account
from mcoms.metering.selectors import usage_for_period
from mcoms.packages.models import Package

ZERO = Decimal("0.00")
SERVICES = {code for code, _label in BILLED_SERVICES}
IN_BATCH = 900


def billable(period: BillingPeriod) -> QuerySet[Customer]:
    """Customers a period bills: active with a package, activated (if the date
    is known) before the period ends."""
    return Customer.objects.filter(
        Q(activated_at__isnull=True) | Q(activated_at__lt=period.end_at),
        plant_id=period.plant_id,
        status=CustomerStatus.ACTIVE,
        package__isnull=False,
    )


def unbilled(period: BillingPeriod) -> QuerySet[Customer]:
    billed = Bill.objects.filter(period=period, customer=OuterRef("pk"))
    return billable(period).filter(~Exists(billed))


def _batches(items: list[Any]) -> Any:
    for i in range(0, len(items), IN_BATCH):
        yield items[i : i + IN_BATCH]


@dataclass
class Context:
    """What a worker reads once per run (the period's plant, its usage) and
    caches across chunks (tariffs, revenue accounts)."""

    run: BillingRun
    period: BillingPeriod
    info: engine.PeriodInfo
    usage: dict[int, engine.Reading]
    tariffs: dict[int, t.Tariff] = field(default_factory=dict)
    revenue: dict[str, Account] = field(default_factory=dict)

    @classmethod
    def load(cls, run: BillingRun) -> Context:
        period = (
            BillingPeriod.objects.select_related("plant__state", "plant__company")
            .filter(pk=run.period_id)
            .get()
        )
        info = engine.PeriodInfo(period.start, period.end, period.days, period.is_month)
        return cls(run, period, info, _usage(period))

    def tariff(self, package_pk: int) -> t.Tariff:
        return self.tariffs[package_pk]

    def load_tariffs(self, pks: set[int]) -> None:
        missing = list(pks - set(self.tariffs))
        for batch in _batches(missing):
            for package in Package.objects.filter(pk__in=batch):
                self.tariffs[package.pk] = t.Tariff.from_package(package)


def _usage(period: BillingPeriod) -> dict[int, engine.Reading]:
    """The metering app's usage per customer of the period's plant."""
    found = usage_for_period(
        plant=period.plant, start=period.start_at, end=period.end_at
    )
    return {
        pk: engine.Reading(quantize(Decimal(u.kwh), KWH), u.actual)
        for pk, u in found.items()
    }


@dataclass(frozen=True)
class Row:
    pk: int
    customer_id: str
    package_id: int
    activated_at: datetime | None


# --- reading ----------------------------------------------------------------------
def next_rows(period: BillingPeriod, size: int) -> list[Row]:
    qs = unbilled(period).order_by("pk")
    fields = ("pk", "customer_id", "package_id", "activated_at")
    return [Row(*r) for r in qs.values_list(*fields)[:size]]


def _history(period: BillingPeriod, pks: list[int]) -> dict[int, list[Decimal]]:
    """Customer pk -> kWh counted by their metered bills before the period,
    oldest first."""
    out: dict[int, list[Decimal]] = defaultdict(list)
    for batch in _batches(pks):
        rows = (
            Bill.objects.filter(
                customer_id__in=batch,
                kwh__isnull=False,
                period__start__lt=period.start,
            )
            .order_by("customer_id", "period__start")
            .values_list("customer_id", "kwh")
        )
        for pk, kwh in rows:
            if kwh is not None:
                out[pk].append(kwh)
    return out


def _open_estimates(
    period: BillingPeriod, pks: list[int]
) -> dict[int, list[engine.OpenEstimate]]:
    out: dict[int, list[engine.OpenEstimate]] = defaultdict(list)
    for batch in _batches(pks):
        rows = (
            BillLine.objects.filter(
                bill__customer_id__in=batch,
                bill__period__start__lt=period.start,
                kind=LineKind.ENERGY,
                estimated=True,
                settled_by__isnull=True,
            )
            .order_by("bill__period__start", "pk")
            .values_list("bill__customer_id", "pk", "quantity", "amount")
        )
        for cpk, pk, kwh, amount in rows:
            out[cpk].append(engine.OpenEstimate(pk, kwh, amount))
    return out


def _extras(ctx: Context, pks: list[int]) -> dict[int, list[engine.LineDraft]]:
    """Lines from the registered sources, by customer."""
    out: dict[int, list[engine.LineDraft]] = defaultdict(list)
    period = ctx.period
    for name, fn, _on_billed in extensions.line_sources():
        found = fn(plant=period.plant, period=period, customer_ids=pks)
        for line in found:
            extensions.check_line(line, SERVICES)
            out[line.customer_id] += engine.extra_lines([line], name)
    return out


def _changes(ctx: Context, pks: list[int]) -> dict[int, list[tuple[Any, t.Tariff]]]:
    period = ctx.period
    found = extensions.package_changes(
        plant=period.plant, period=period, customer_ids=pks
    )
    ctx.load_tariffs({p.pk for changes in found.values() for _, p in changes})
    return {
        pk: [(when, ctx.tariff(p.pk)) for when, p in changes]
        for pk, changes in found.items()
    }


def compose(ctx: Context, rows: list[Row]) -> list[engine.Draft]:
    ctx.load_tariffs({r.package_id for r in rows})
    pks = [r.pk for r in rows]
    metered = [r.pk for r in rows if ctx.tariff(r.package_id).metered]
    actual = [pk for pk in metered if pk in ctx.usage and ctx.usage[pk].actual]
    read = set(actual)
    estimated = [pk for pk in metered if pk not in read]
    history = _history(ctx.period, estimated)
    open_estimates = _open_estimates(ctx.period, actual)
    extras = _extras(ctx, pks)
    changes = _changes(ctx, pks)
    tz = ctx.period.tz
    return [
        engine.compose(
            r.pk,
            ctx.info,
            ctx.tariff(r.package_id),
            activated_on=r.activated_at.astimezone(tz).date()
            if r.activated_at
            else None,
            changes=changes.get(r.pk, ()),
            reading=ctx.usage.get(r.pk),
            history=history.get(r.pk, ()),
            open_estimates=open_estimates.get(r.pk, ()),
            extras=extras.get(r.pk, ()),
        )
        for r in rows
    ]
