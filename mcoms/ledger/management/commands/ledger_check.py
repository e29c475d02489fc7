"""Prove the ledger: every journal balances and every cached balance equals the
sum of its account's entries. Exit 1 and name the offenders otherwise."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mcoms.core.money import quantize
from mcoms.ledger.models import Account, Entry, Journal
from mcoms.ledger.selectors import accounts_with_wrong_balance, journals_unbalanced

SHOWN = 50


def _money(value: object) -> str:
    return str(quantize(Decimal(str(value or 0))))


class Command(BaseCommand):
    help = "Check that every journal balances and every cached balance is right."

    def handle(self, *args: Any, **options: Any) -> None:
        journals = list(journals_unbalanced()[: SHOWN + 1])
        accounts = list(accounts_with_wrong_balance()[: SHOWN + 1])
        self.stdout.write(
            f"ledger_check: {Journal.objects.count()} journals, "
            f"{Entry.objects.count()} entries, {Account.objects.count()} accounts"
        )
        for journal in journals[:SHOWN]:
            self.stdout.write(
                f"UNBALANCED journal {journal.pk} key={journal.idempotency_key} "
                f"lines={journal.lines} sum={_money(journal.total)}"  # type: ignore[attr-defined]
            )
        for account in accounts[:SHOWN]:
            self.stdout.write(
                f"WRONG BALANCE account {account.code} cached={account.balance} "
                f"entries={_money(account.computed)}"  # type: ignore[attr-defined]
            )
        if journals or accounts:
            more = (
                " (first 50 shown)" if max(len(journals), len(accounts)) > SHOWN else ""
            )
            raise CommandError(
                f"ledger_check failed: {len(journals[:SHOWN])} unbalanced journals, "
                f"{len(accounts[:SHOWN])} wrong cached balances{more}."
            )
        self.stdout.write(self.style.SUCCESS("ledger_check: OK, the ledger balances."))
