"""Where a payment goes (docs/decisions/0080).

* The service the payer names takes the whole amount (beyond what it owes, it
  is an advance on that service).
* Otherwise the oldest unpaid charges go first, over all the customer's
  receivables (energy, activation, water, appliance instalments, other, the
  security deposit due). A receivable's unpaid charges are its newest debits
  that add up to its balance: earlier payments and credits always paid the
  oldest charges, so what is still owed is the most recent part. Charges are
  ordered by the date their journal was posted (a bill's posting), then by
  journal; what is left after every charge is paid is an advance on energy.

Reads the accounts' balances as locked by the caller (``lock_accounts``), so two
payments at once never allocate the same charge twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from mcoms.ledger.models import Account, Entry, Service

ZERO = Decimal("0.00")
ADVANCE_SERVICE = Service.ENERGY.value
SERVICE_ORDER = {code: n for n, code in enumerate(Service.values)}


@dataclass(frozen=True)
class Charge:
    """The unpaid part of one debit of one receivable."""

    service: str
    posted_at: datetime
    journal_id: int
    unpaid: Decimal


def unpaid_charges(accounts: list[Account]) -> list[Charge]:
    """The unpaid charges of the receivables, oldest first. ``accounts`` carry
    their balances as locked and read by the caller."""
    charges: list[Charge] = []
    for account in accounts:
        owed = account.balance
        if owed <= 0:
            continue
        debits = (
            Entry.objects.filter(account=account, amount__gt=0)
            .order_by("-journal__posted_at", "-journal_id", "-pk")
            .values_list("journal__posted_at", "journal_id", "amount")
        )
        for posted_at, journal_id, amount in debits.iterator(chunk_size=50):
            part = min(owed, amount)
            charges.append(Charge(account.service, posted_at, journal_id, part))
            owed -= part
            if owed <= 0:
                break
        if owed > 0:  # a balance older than any debit (should not happen)
            first = charges[-1] if charges else None
            at = first.posted_at if first else account.created_at
            charges.append(Charge(account.service, at, 0, owed))
    charges.sort(key=lambda c: (c.posted_at, c.journal_id, SERVICE_ORDER[c.service]))
    return charges


def allocate(
    amount: Decimal, *, named: str, accounts: list[Account]
) -> dict[str, Decimal]:
    """Service -> part of ``amount``; the parts sum to ``amount``."""
    if named:
        return {named: amount}
    parts: dict[str, Decimal] = defaultdict(Decimal)
    left = amount
    for charge in unpaid_charges(accounts):
        if left <= 0:
            break
        part = min(left, charge.unpaid)
        parts[charge.service] += part
        left -= part
    if left > 0:
        parts[ADVANCE_SERVICE] += left
    return dict(parts)
