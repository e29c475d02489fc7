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
from django.utils import timezone

from mcoms.billing import accounts, engine, extensions
from mcoms.billing import tariffs as t
from mcoms.billing.locks import sequence_locked
from mcoms.billing.models import (
    BILLED_SERVICES,
    Bill,
    BillingPeriod,
    BillingRun,
    BillLine,
    LineKind,
)
from mcoms.core.errors import Conflict
from mcoms.core.money import KWH, quantize
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.ledger.models import Account
from mcoms.ledger.services import JournalSpec, journal_post_many
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
    estimated = [pk for pk in metered if pk not in set(actual)]
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


# --- writing ----------------------------------------------------------------------
def _last_bills(period: BillingPeriod, pks: list[int]) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    for batch in _batches(pks):
        rows = (
            Bill.objects.filter(customer_id__in=batch)
            .exclude(period=period)
            .values_list("customer_id", "issued_at")
        )
        for pk, issued in rows:
            if pk not in out or issued > out[pk]:
                out[pk] = issued
    return out


def _journal_spec(
    ctx: Context,
    draft: engine.Draft,
    cid: str,
    number: str,
    receivable: dict[tuple[str, str], Account],
) -> JournalSpec | None:
    lines: list[tuple[Account, Decimal]] = []
    for service, amount in sorted(draft.charges().items()):
        if amount != 0:
            lines.append((receivable[(cid, service)], amount))
            lines.append((ctx.revenue[service], -amount))
    if not lines:
        return None
    return JournalSpec(
        idempotency_key=f"bill:{ctx.period.pk}:{draft.customer_pk}",
        lines=lines,
        kind="bill",
        memo=f"Bill {number}",
        posted_by=ctx.run.started_by,
    )


def write(ctx: Context, rows: list[Row], drafts: list[engine.Draft]) -> list[Bill]:
    """Journals, bills and lines of the chunk; the estimates it settles; the
    sources told what they billed."""
    period, plant = ctx.period, ctx.period.plant
    company = plant.company
    cids = {r.pk: r.customer_id for r in rows}
    owed = accounts.owed_locked(company=company, customer_ids=list(cids.values()))
    last = _last_bills(period, list(cids))
    credits = accounts.credits_since(
        company=company,
        since={cids[pk]: when for pk, when in last.items()},
        customer_ids=list(cids.values()),
    )
    wanted = {
        (cids[d.customer_pk], svc)
        for d in drafts
        for svc, amount in d.charges().items()
        if amount != 0
    }
    receivable = accounts.receivables(company=company, plant=plant, keys=wanted)
    missing = {svc for _cid, svc in wanted} - set(ctx.revenue)
    ctx.revenue.update(accounts.revenue(plant=plant, services=missing))
    year = period.start.year
    sequence = sequence_locked(plant, year)
    first = sequence.last + 1
    sequence.last += len(drafts)
    sequence.save(update_fields=["last"])
    now = timezone.now()
    numbers = [f"{plant.key}-{year}-{first + i:06d}" for i in range(len(drafts))]
    specs = [
        _journal_spec(ctx, d, cids[d.customer_pk], n, receivable)
        for d, n in zip(drafts, numbers, strict=True)
    ]
    posted = journal_post_many(
        company=company, journals=[s for s in specs if s is not None]
    )
    journals = iter(posted)
    bills = []
    for i, (draft, spec) in enumerate(zip(drafts, specs, strict=True)):
        cid = cids[draft.customer_pk]
        before = owed.get(cid, ZERO)
        paid = credits.get(cid, ZERO)
        bills.append(
            Bill(
                company_id=company.pk,
                plant_id=plant.pk,
                period_id=period.pk,
                run_id=ctx.run.pk,
                customer_id=draft.customer_pk,
                number=numbers[i],
                year=year,
                seq=first + i,
                package_id=draft.tariff.package_pk,
                billing_type=draft.tariff.billing_type,
                issued_at=now,
                due_date=period.due_date,
                previous_balance=before + paid,
                payments=paid,
                new_charges=draft.total,
                amount_due=before + draft.total,
                charges={k: str(v) for k, v in sorted(draft.charges().items())},
                estimated=draft.estimated,
                kwh=draft.kwh,
                journal_id=next(journals).pk if spec is not None else None,
            )
        )
    Bill.objects.bulk_create(bills, batch_size=1000)
    _write_lines(ctx, bills, drafts)
    return bills


def _write_lines(ctx: Context, bills: list[Bill], drafts: list[engine.Draft]) -> None:
    lines: list[BillLine] = []
    settles: list[tuple[BillLine, list[int]]] = []
    for bill, draft in zip(bills, drafts, strict=True):
        for d in draft.lines:
            line = BillLine(
                bill=bill,
                service=d.service,
                kind=d.kind,
                description=d.description,
                quantity=d.quantity,
                unit_price=d.unit_price,
                amount=d.amount,
                estimated=d.estimated,
                source=d.source,
                source_ref=d.source_ref,
            )
            lines.append(line)
            if d.settles:
                settles.append((line, d.settles))
    BillLine.objects.bulk_create(lines, batch_size=1000)
    for line, pks in settles:
        done = BillLine.objects.filter(pk__in=pks, settled_by__isnull=True).update(
            settled_by=line
        )
        if done != len(pks):
            raise Conflict("estimate_settled", "An estimate was settled meanwhile.")
    _tell_sources(ctx, lines)


def _tell_sources(ctx: Context, lines: list[BillLine]) -> None:
    by_source: dict[str, list[BillLine]] = defaultdict(list)
    for line in lines:
        if line.source:
            by_source[line.source].append(line)
    for name, _fn, on_billed in extensions.line_sources():
        if on_billed is not None and by_source.get(name):
            on_billed(period=ctx.period, lines=by_source[name])
