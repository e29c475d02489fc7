"""Ledger reads. Every figure is computed from entries; ``Account.balance`` is
only a cache, and ``ledger_check`` proves the cache against these sums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404

from mcoms.ledger.models import Account, Entry, HolderType, Journal
from mcoms.org import access
from mcoms.org.models import Company, ScopeLevel, Staff
from mcoms.org.permissions import Action

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class StatementRow:
    journal_id: int
    posted_at: datetime
    kind: str
    memo: str
    amount: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    account: Account
    opening_balance: Decimal
    rows: list[StatementRow]
    closing_balance: Decimal


def _sum(qs: QuerySet[Entry]) -> Decimal:
    total = qs.aggregate(total=Sum("amount"))["total"]
    return ZERO if total is None else Decimal(total).quantize(ZERO)


def account_balance(account: Account, as_of: datetime | None = None) -> Decimal:
    """The balance from the entries (debit positive), optionally as of a moment."""
    qs = Entry.objects.filter(account=account)
    if as_of is not None:
        qs = qs.filter(journal__posted_at__lte=as_of)
    return _sum(qs)


def account_statement(
    account: Account, start: datetime | None = None, end: datetime | None = None
) -> Statement:
    """Entries of an account in [start, end] with the running balance."""
    opening = ZERO
    qs = Entry.objects.filter(account=account)
    if start is not None:
        opening = _sum(qs.filter(journal__posted_at__lt=start))
        qs = qs.filter(journal__posted_at__gte=start)
    if end is not None:
        qs = qs.filter(journal__posted_at__lte=end)
    rows = []
    running = opening
    for entry in qs.select_related("journal").order_by("journal__posted_at", "pk"):
        running += entry.amount
        journal = entry.journal
        rows.append(
            StatementRow(
                journal.pk,
                journal.posted_at,
                journal.kind,
                journal.memo,
                entry.amount,
                running,
            )
        )
    return Statement(account, opening, rows, running)


def customer_balances(company: Company, customer_id: str) -> dict[str, Decimal]:
    """A customer's balance per service (receivables and the deposit), from entries."""
    rows = (
        Entry.objects.filter(
            account__company=company,
            account__holder_type=HolderType.CUSTOMER,
            account__holder_ref=customer_id,
        )
        .values("account__service")
        .annotate(total=Sum("amount"))
        .order_by("account__service")
    )
    return {r["account__service"]: Decimal(r["total"]).quantize(ZERO) for r in rows}


def accounts_for_holder(
    company: Company, holder_type: str, holder_ref: str
) -> QuerySet[Account]:
    return Account.objects.filter(
        company=company, holder_type=holder_type, holder_ref=holder_ref
    )


# --- proofs for ledger_check ----------------------------------------------------
def journals_unbalanced() -> QuerySet[Journal]:
    """Journals whose entries do not sum to zero, or that have fewer than two."""
    return (
        # Rounded because SQLite sums decimals as floats; exact on PostgreSQL.
        Journal.objects.annotate(
            total=Round(Sum("entries__amount"), 2, output_field=MONEY),
            lines=Count("entries"),
        )
        .filter(Q(lines__lt=2) | ~Q(total=0))
        .order_by("pk")
    )


def accounts_with_wrong_balance() -> QuerySet[Account]:
    """Accounts whose cached balance differs from the sum of their entries."""
    computed = (
        Entry.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Account.objects.annotate(
            computed=Round(
                Coalesce(
                    Subquery(computed, output_field=MONEY), ZERO, output_field=MONEY
                ),
                2,
            ),
            cached=Round(F("balance"), 2, output_field=MONEY),
        )
        .exclude(cached=F("computed"))
        .order_by("pk")
    )


# --- access: the one helper per object kind -----------------------------------------
def _visible_q(staff: Staff) -> Q:
    """Accounts of plants in the staff's scope; company-level accounts (no plant)
    only for company-scoped staff."""
    q = Q(company_id=staff.company_id) & access.plant_q(staff, "plant__")
    if staff.scope_level == ScopeLevel.COMPANY:
        q |= Q(company_id=staff.company_id, plant__isnull=True)
    return q


def accounts_for_user(
    user: Any, action: Action = Action.LEDGER_VIEW
) -> QuerySet[Account]:
    staff = access.require(user, action)
    return Account.objects.filter(_visible_q(staff)).select_related("plant__state")


def get_account_for_user(
    user: Any, code: str, action: Action = Action.LEDGER_VIEW
) -> Account:
    account = accounts_for_user(user, action).filter(code=code).first()
    if account is None:
        raise Http404(f"No account {code} in your scope.")
    return account


def get_journal_for_user(
    user: Any, journal_id: int, action: Action = Action.LEDGER_VIEW
) -> Journal:
    """A journal of the user's company whose every entry is on a visible account."""
    staff = access.require(user, action)
    hidden = Account.objects.filter(company_id=staff.company_id).exclude(
        _visible_q(staff)
    )
    journal = (
        Journal.objects.filter(company_id=staff.company_id, pk=journal_id)
        .exclude(entries__account__in=hidden)
        .select_related("company", "posted_by", "reverses")
        .first()
    )
    if journal is None:
        raise Http404(f"No journal {journal_id} in your scope.")
    return journal
