from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mcoms.ledger.models import Journal
from mcoms.ledger.selectors import account_balance, account_statement, customer_balances
from mcoms.ledger.services import journal_post

pytestmark = pytest.mark.django_db


def _post(books, key, debit, credit, amount, days_ago):
    journal = journal_post(
        company=books.company,
        idempotency_key=key,
        kind=key,
        lines=[(debit, Decimal(amount)), (credit, -Decimal(amount))],
    )
    Journal.objects.filter(pk=journal.pk).update(
        posted_at=timezone.now() - timedelta(days=days_ago)
    )
    return journal


@pytest.fixture
def history(books):
    _post(books, "bill-1", books.receivable, books.revenue, "100.00", 30)
    _post(books, "pay-1", books.cash, books.receivable, "60.00", 20)
    _post(books, "bill-2", books.receivable, books.revenue, "40.50", 10)
    _post(books, "water", books.water, books.revenue, "12.00", 5)
    return books


def test_balance_is_computed_from_entries_and_as_of(history):
    books = history
    assert account_balance(books.receivable) == Decimal("80.50")
    assert account_balance(
        books.receivable, timezone.now() - timedelta(days=15)
    ) == Decimal("40.00")
    assert account_balance(books.bank) == Decimal("0.00")


def test_statement_has_running_balance(history):
    statement = account_statement(history.receivable)
    assert [(r.kind, r.amount, r.balance) for r in statement.rows] == [
        ("bill-1", Decimal("100.00"), Decimal("100.00")),
        ("pay-1", Decimal("-60.00"), Decimal("40.00")),
        ("bill-2", Decimal("40.50"), Decimal("80.50")),
    ]
    assert (statement.opening_balance, statement.closing_balance) == (
        0,
        Decimal("80.50"),
    )


def test_statement_window_starts_from_the_opening_balance(history):
    now = timezone.now()
    statement = account_statement(
        history.receivable, start=now - timedelta(days=25), end=now - timedelta(days=15)
    )
    assert statement.opening_balance == Decimal("100.00")
    assert [(r.kind, r.balance) for r in statement.rows] == [
        ("pay-1", Decimal("40.00"))
    ]
    assert statement.closing_balance == Decimal("40.00")


def test_customer_balances_per_service(history, world):
    balances = customer_balances(world.company, world.customers["BHKATS"].customer_id)
    assert balances == {"CHG": Decimal("80.50"), "WATER": Decimal("12.00")}
    assert customer_balances(world.company, "NOBODY") == {}
