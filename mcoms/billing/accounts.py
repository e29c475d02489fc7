"""Ledger accounts for a chunk of bills, in bulk.

``ledger.services.account_for_customer`` makes one account per call; a run
over 100,000 customers needs them by the thousand. These helpers make the same
accounts (same code, name, kind, holder; a test keeps them equal) with one
query to read and one bulk insert for the missing ones, and lock the
customers' receivables in primary-key order like the ledger does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from mcoms.billing import bulk
from mcoms.core.money import quantize
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Account, AccountKind, Entry, HolderType, Service
from mcoms.org.models import Company, Plant

ZERO = Decimal("0.00")
BATCH = 900  # under SQLite's variable limit


def receivable_code(customer_id: str, service: str) -> str:
    return f"CUS:{customer_id}:AR:{service}"


def _batches(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


def receivables(
    *, company: Company, plant: Plant, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Account]:
    """(customer ID, service) -> the customer's receivable, made if missing."""
    wanted = {receivable_code(cid, svc): (cid, svc) for cid, svc in keys}
    found = _by_code(company, list(wanted))
    missing = [code for code in wanted if code not in found]
    if missing:
        now = bulk.db_datetime(timezone.now())
        bulk.insert(
            Account,
            ACCOUNT_FIELDS,
            (_receivable(company, plant, *wanted[code], now) for code in missing),
            ignore_conflicts=True,  # a concurrent writer made it: read it back
        )
        found.update(_by_code(company, missing))
    return {wanted[code]: account for code, account in found.items()}


ACCOUNT_FIELDS = (
    "company",
    "plant",
    "code",
    "name",
    "kind",
    "service",
    "holder_type",
    "holder_ref",
    "currency",
    "balance",
    "created_at",
)


def _receivable(
    company: Company, plant: Plant, cid: str, service: str, now: object
) -> tuple[object, ...]:
    """The row ``ledger.services.account_for_customer`` would make."""
    return (
        company.pk,
        plant.pk,
        receivable_code(cid, service),
        f"{cid} receivable, {Service(service).label}",
        AccountKind.ASSET.value,
        service,
        HolderType.CUSTOMER.value,
        cid,
        company.currency,
        ZERO,
        now,
    )


def _by_code(company: Company, codes: list[str]) -> dict[str, Account]:
    out: dict[str, Account] = {}
    for batch in _batches(codes):
        for account in Account.objects.filter(company=company, code__in=batch):
            out[account.code] = account
    return out


def revenue(*, plant: Plant, services: Iterable[str]) -> dict[str, Account]:
    return {
        svc: ledger.account_for_plant_revenue(plant=plant, service=svc)
        for svc in sorted(set(services))
    }


def owed_locked(*, company: Company, customer_ids: list[str]) -> dict[str, Decimal]:
    """Customer ID -> outstanding (the receivables but the deposit's, decision
    0012), with those accounts locked FOR UPDATE in primary-key order (as
    ``mcoms.ledger.locks`` does) so that no payment moves them before this
    chunk's journals are posted."""
    owed: dict[str, Decimal] = {}
    for batch in _batches(customer_ids):
        rows = (
            Account.objects.filter(
                company=company,
                holder_type=HolderType.CUSTOMER,
                holder_ref__in=batch,
                kind=AccountKind.ASSET,
            )
            .order_by("pk")
            .select_for_update(of=("self",))
            .values_list("holder_ref", "service", "balance")
        )
        for cid, service, balance in rows:
            if service != Service.DEPOSIT:
                owed[cid] = owed.get(cid, ZERO) + balance
    return owed


def credits_since(
    *, company: Company, since: dict[str, datetime], customer_ids: list[str]
) -> dict[str, Decimal]:
    """Customer ID -> the credits (payments, reversals) on their receivables
    (the deposit's excepted) posted after ``since[cid]`` (their last bill; all
    of them without one), as a positive amount."""
    out: dict[str, Decimal] = {}
    known = [since[cid] for cid in customer_ids if cid in since]
    floor = min(known) if len(known) == len(customer_ids) and known else None
    for batch in _batches(customer_ids):
        rows = Entry.objects.filter(
            account__company=company,
            account__holder_type=HolderType.CUSTOMER,
            account__kind=AccountKind.ASSET,
            account__holder_ref__in=batch,
            amount__lt=0,
        ).exclude(account__service=Service.DEPOSIT)
        if floor is not None:
            rows = rows.filter(journal__posted_at__gt=floor)
        for cid, posted, amount in rows.values_list(
            "account__holder_ref", "journal__posted_at", "amount"
        ):
            last = since.get(cid)
            if last is None or posted > last:
                out[cid] = out.get(cid, ZERO) - amount
    return {cid: quantize(amount) for cid, amount in out.items()}
