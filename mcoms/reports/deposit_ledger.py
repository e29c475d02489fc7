"""The account page's Security and Deposit Ledger (manual 3.5.2: "running
record of security charges and payments"), from the ledger.

A customer's deposit lives in two accounts (docs/decisions/0016): what they
still owe towards it (``CUS:<id>:AR:DEP``, an asset) and what the company
will hold for them (``CUS:<id>:DEP``, a liability, recognised when the deposit
is asked for). One row per journal touching either, oldest to newest:

* due: the change in what is owed towards the deposit (+ charged, - paid),
  and its running balance;
* held: the change in the deposit the company holds and has been paid (+ a
  payment towards it, - a refund or a recoup), and its running balance. Held
  = - (liability + receivable): asked for and paid.

Two queries; newest first for the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum

from mcoms.billing.documents.statement import KINDS
from mcoms.customers.models import Customer
from mcoms.ledger.models import AccountKind, Entry, HolderType, Service

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DepositRow:
    journal_id: int
    posted_at: datetime
    kind: str
    label: str
    memo: str
    due_change: Decimal
    held_change: Decimal
    due: Decimal
    held: Decimal


@dataclass(frozen=True)
class DepositLedger:
    rows: list[DepositRow]  # newest first
    due: Decimal  # still owed towards the deposit
    held: Decimal  # paid and held by the company


def deposit_ledger(customer: Customer) -> DepositLedger:
    per_journal = (
        Entry.objects.filter(
            account__company_id=customer.company_id,
            account__holder_type=HolderType.CUSTOMER,
            account__holder_ref=customer.customer_id,
            account__service=Service.DEPOSIT,
        )
        .values(
            "journal_id",
            "journal__posted_at",
            "journal__kind",
            "journal__memo",
            "account__kind",
        )
        .annotate(total=Sum("amount"))
        .order_by("journal__posted_at", "journal_id")
    )
    moves: dict[int, dict[str, object]] = {}
    for r in per_journal:
        row = moves.setdefault(
            r["journal_id"],
            {
                "at": r["journal__posted_at"],
                "kind": r["journal__kind"],
                "memo": r["journal__memo"],
                AccountKind.ASSET: ZERO,
                AccountKind.LIABILITY: ZERO,
            },
        )
        row[r["account__kind"]] = Decimal(r["total"]).quantize(ZERO)
    rows, due, held = [], ZERO, ZERO
    for journal_id, m in moves.items():
        due_change: Decimal = m[AccountKind.ASSET]  # type: ignore[assignment]
        liability: Decimal = m[AccountKind.LIABILITY]  # type: ignore[assignment]
        held_change = -(due_change + liability)
        if not due_change and not held_change:
            continue
        due += due_change
        held += held_change
        kind = str(m["kind"])
        rows.append(
            DepositRow(
                journal_id=journal_id,
                posted_at=m["at"],  # type: ignore[arg-type]
                kind=kind,
                label=str(KINDS.get(kind, kind.replace("_", " ").capitalize())),
                memo=str(m["memo"]),
                due_change=due_change,
                held_change=held_change,
                due=due,
                held=held,
            )
        )
    return DepositLedger(rows[::-1], due, held)
