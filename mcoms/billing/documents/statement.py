"""A customer's money as the customer app shows it, computed from the ledger:

* ``amount_payable`` (manual 4.6): what they owe per service, with the total;
* ``customer_statement`` (manual 4.7, 4.5 Payments): every bill and charge
  (debits) and every payment and credit (credits), oldest first, with the
  running balance owed, searchable.

Both read the customer's receivable accounts (asset accounts held by the
customer ID, one per service, the security deposit *due* among them); the
deposit the company holds (a liability) is not owed and not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from mcoms.billing.models import Bill
from mcoms.customers.models import Customer
from mcoms.ledger.models import AccountKind, Entry, HolderType, Service

ZERO = Decimal("0.00")
KINDS = {
    "bill": _("Bill"),
    "activation_charge": _("Activation charge"),
    "security_deposit_due": _("Security deposit due"),
    "cash_collection": _("Payment (cash)"),
    "payment": _("Payment"),
    "reversal": _("Correction"),
    "manual": _("Adjustment"),
}


def _receivables(customer: Customer) -> QuerySet[Entry]:
    return Entry.objects.filter(
        account__company_id=customer.company_id,
        account__holder_type=HolderType.CUSTOMER,
        account__holder_ref=customer.customer_id,
        account__kind=AccountKind.ASSET,
    )


@dataclass(frozen=True)
class Payable:
    service: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class AmountPayable:
    rows: list[Payable]  # services with a balance, in the ledger's order
    total: Decimal
    last_bill: Bill | None

    @property
    def in_credit(self) -> bool:
        return self.total < 0


def amount_payable(customer: Customer) -> AmountPayable:
    """Outstanding per service and the total (two queries)."""
    sums = dict(
        _receivables(customer)
        .order_by()
        .values_list("account__service")
        .annotate(total=Sum("amount"))
    )
    labels = dict(Service.choices)
    rows = [
        Payable(code, str(labels[code]), Decimal(sums[code]).quantize(ZERO))
        for code in Service.values
        if code in sums and Decimal(sums[code]).quantize(ZERO) != 0
    ]
    total = sum((r.amount for r in rows), ZERO)
    last = customer.bills.order_by("-issued_at", "-pk").first()
    return AmountPayable(rows, total, last)


@dataclass(frozen=True)
class StatementRow:
    journal_id: int
    posted_at: datetime
    kind: str
    label: str
    memo: str
    services: tuple[str, ...]
    amount: Decimal  # positive: a debit (owed more); negative: a credit
    balance: Decimal  # owed after this row
    bill_number: str

    @property
    def debit(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None

    def matches(self, q: str) -> bool:
        q = q.casefold()
        hay = [
            self.label,
            self.memo,
            self.bill_number,
            f"{abs(self.amount):.2f}",
            self.posted_at.strftime("%d/%m/%Y"),
            *(str(dict(Service.choices).get(s, s)) for s in self.services),
        ]
        return any(q in str(h).casefold() for h in hay)


@dataclass(frozen=True)
class Statement:
    rows: list[StatementRow]  # newest first, after the search
    balance: Decimal  # owed now
    count: int  # rows before the search


def customer_statement(customer: Customer, q: str = "") -> Statement:
    """One row per journal that touched the customer's receivables, with the
    running balance; ``q`` keeps the rows whose text, bill number, amount or
    date (dd/mm/yyyy) contains it. Three queries."""
    per_journal = list(
        _receivables(customer)
        .values("journal_id", "journal__posted_at", "journal__kind", "journal__memo")
        .annotate(total=Sum("amount"))
        .order_by("journal__posted_at", "journal_id")
    )
    ids = [r["journal_id"] for r in per_journal]
    services: dict[int, set[str]] = {}
    for jid, service in (
        _receivables(customer)
        .filter(journal_id__in=ids)
        .values_list("journal_id", "account__service")
        .distinct()
    ):
        services.setdefault(jid, set()).add(service)
    numbers = dict(
        Bill.objects.filter(journal_id__in=ids).values_list("journal_id", "number")
    )
    rows, running = [], ZERO
    for r in per_journal:
        amount = Decimal(r["total"]).quantize(ZERO)
        if amount == 0:
            continue
        running += amount
        jid, kind = r["journal_id"], r["journal__kind"]
        rows.append(
            StatementRow(
                journal_id=jid,
                posted_at=r["journal__posted_at"],
                kind=kind,
                label=str(KINDS.get(kind, kind.replace("_", " ").capitalize())),
                memo=r["journal__memo"],
                services=tuple(sorted(services.get(jid, ()))),
                amount=amount,
                balance=running,
                bill_number=numbers.get(jid, ""),
            )
        )
    count = len(rows)
    q = q.strip()
    if q:
        rows = [row for row in rows if row.matches(q)]
    return Statement(rows[::-1], running, count)


def bills_of(customer: Customer) -> QuerySet[Bill]:
    """The customer's bills, newest first, with their period."""
    return customer.bills.select_related("period").order_by("-issued_at", "-pk")
