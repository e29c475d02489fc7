"""Writing one chunk of a billing run, in the caller's transaction: the
customers' balances read under lock, the accounts made, the numbers taken
from the sequence, one journal per bill (``journal_post_many``), then the
bills and lines in bulk, the estimates settled and the line sources told."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from mcoms.billing import accounts, bulk, engine, extensions
from mcoms.billing.chunk import Context, Row
from mcoms.billing.locks import sequence_locked
from mcoms.billing.models import Bill, BillingPeriod, BillLine, LineKind
from mcoms.core.errors import Conflict
from mcoms.ledger.models import Account, Journal
from mcoms.ledger.services import JournalSpec, journal_post_many

ZERO = Decimal("0.00")
IN_BATCH = 900
BILL_FIELDS = (
    "company",
    "plant",
    "period",
    "run",
    "customer",
    "number",
    "year",
    "seq",
    "package",
    "billing_type",
    "issued_at",
    "due_date",
    "previous_balance",
    "payments",
    "new_charges",
    "amount_due",
    "charges",
    "estimated",
    "kwh",
    "journal",
)
LINE_FIELDS = (
    "bill",
    "service",
    "kind",
    "description",
    "quantity",
    "unit_price",
    "amount",
    "estimated",
    "source",
    "source_ref",
)


def _last_bills(period: BillingPeriod, pks: list[int]) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    for i in range(0, len(pks), IN_BATCH):
        rows = (
            Bill.objects.filter(customer_id__in=pks[i : i + IN_BATCH])
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
    """Debit the customer's receivable and credit the plant's revenue, per
    service (a net credit the other way round); nothing for a zero bill."""
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


def _accounts(
    ctx: Context, cids: dict[int, str], drafts: list[engine.Draft]
) -> dict[tuple[str, str], Account]:
    plant = ctx.period.plant
    wanted = {
        (cids[d.customer_pk], svc)
        for d in drafts
        for svc, amount in d.charges().items()
        if amount != 0
    }
    receivable = accounts.receivables(company=plant.company, plant=plant, keys=wanted)
    missing = {svc for _cid, svc in wanted} - set(ctx.revenue)
    ctx.revenue.update(accounts.revenue(plant=plant, services=missing))
    return receivable


def _numbers(ctx: Context, count: int) -> tuple[int, list[str]]:
    """Take ``count`` numbers from the plant's sequence of the period's year."""
    plant, year = ctx.period.plant, ctx.period.start.year
    sequence = sequence_locked(plant, year)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return first, [f"{plant.key}-{year}-{first + i:06d}" for i in range(count)]


def write(ctx: Context, rows: list[Row], drafts: list[engine.Draft]) -> dict[int, int]:
    """Everything the chunk writes; returns customer pk -> bill pk."""
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
    receivable = _accounts(ctx, cids, drafts)
    first, numbers = _numbers(ctx, len(drafts))
    specs = [
        _journal_spec(ctx, d, cids[d.customer_pk], n, receivable)
        for d, n in zip(drafts, numbers, strict=True)
    ]
    posted = iter(journal_post_many(company=company, journals=[s for s in specs if s]))
    journals: list[Journal | None] = [next(posted) if s else None for s in specs]
    now, due = bulk.db_datetime(timezone.now()), bulk.db_date(period.due_date)
    bill_rows = []
    for i, draft in enumerate(drafts):
        cid, charges = cids[draft.customer_pk], draft.charges()
        before, paid = owed.get(cid, ZERO), credits.get(cid, ZERO)
        journal = journals[i]
        bill_rows.append(
            (
                company.pk,
                plant.pk,
                period.pk,
                ctx.run.pk,
                draft.customer_pk,
                numbers[i],
                period.start.year,
                first + i,
                draft.tariff.package_pk,
                draft.tariff.billing_type,
                now,
                due,
                before + paid,
                paid,
                draft.total,
                before + draft.total,
                bulk.db_json(
                    Bill, "charges", {k: str(v) for k, v in sorted(charges.items())}
                ),
                draft.estimated,
                draft.kwh,
                journal.pk if journal is not None else None,
            )
        )
    bulk.insert(Bill, BILL_FIELDS, bill_rows)
    bills = _bill_ids(period, list(cids))
    _write_lines(ctx, bills, drafts)
    return bills


def _bill_ids(period: BillingPeriod, pks: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for i in range(0, len(pks), IN_BATCH):
        out.update(
            Bill.objects.filter(
                period=period, customer_id__in=pks[i : i + IN_BATCH]
            ).values_list("customer_id", "pk")
        )
    return out


def _write_lines(
    ctx: Context, bills: dict[int, int], drafts: list[engine.Draft]
) -> None:
    rows = []
    settles: dict[int, list[int]] = {}  # bill pk -> estimate lines it settles
    sourced: set[int] = set()
    for draft in drafts:
        bill = bills[draft.customer_pk]
        for d in draft.lines:
            rows.append(
                (
                    bill,
                    d.service,
                    d.kind,
                    d.description,
                    d.quantity,
                    d.unit_price,
                    d.amount,
                    d.estimated,
                    d.source,
                    d.source_ref,
                )
            )
            if d.settles:
                settles[bill] = d.settles
            if d.source:
                sourced.add(bill)
    bulk.insert(BillLine, LINE_FIELDS, rows)
    if settles:
        _settle(settles)
    if sourced:
        _tell_sources(ctx, sorted(sourced))


def _settle(settles: dict[int, list[int]]) -> None:
    """Point each settled estimate at the true-up line of its new bill; every
    one must still be open (else a concurrent run settled it: roll back)."""
    bill_pks = list(settles)
    true_ups: dict[int, int] = {}
    for i in range(0, len(bill_pks), IN_BATCH):
        true_ups.update(
            BillLine.objects.filter(
                bill_id__in=bill_pks[i : i + IN_BATCH], kind=LineKind.TRUE_UP
            ).values_list("bill_id", "pk")
        )
    pairs = [(true_ups[b], e) for b, estimates in settles.items() for e in estimates]
    table = connection.ops.quote_name(BillLine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET settled_by_id = %s "  # noqa: S608
            "WHERE id = %s AND settled_by_id IS NULL",
            pairs,
        )
    done = 0
    estimates = [e for _t, e in pairs]
    for i in range(0, len(estimates), IN_BATCH):
        done += BillLine.objects.filter(
            pk__in=estimates[i : i + IN_BATCH],
            settled_by_id__in=set(true_ups.values()),
        ).count()
    if done != len(pairs):
        raise Conflict("estimate_settled", "An estimate was settled meanwhile.")


def _tell_sources(ctx: Context, bill_pks: list[int]) -> None:
    by_source: dict[str, list[BillLine]] = defaultdict(list)
    for i in range(0, len(bill_pks), IN_BATCH):
        lines = BillLine.objects.filter(bill_id__in=bill_pks[i : i + IN_BATCH]).exclude(
            source=""
        )
        for line in lines.order_by("pk"):
            by_source[line.source].append(line)
    for name, _fn, on_billed in extensions.line_sources():
        if on_billed is not None and by_source.get(name):
            on_billed(period=ctx.period, lines=by_source[name])
