"""Row locks for the ledger, always taken in one fixed order (by primary key) so
that two postings touching the same accounts can never deadlock."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from mcoms.ledger.models import Account


def accounts_locked(account_ids: Iterable[int]) -> QuerySet[Account]:
    """The accounts, locked FOR UPDATE in primary-key order (evaluate it)."""
    return (
        Account.objects.filter(pk__in=sorted(set(account_ids)))
        .order_by("pk")
        .select_for_update(of=("self",))
    )


def lock_accounts(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock the accounts now; return them by pk, freshly read."""
    return {account.pk: account for account in accounts_locked(account_ids)}
