"""The database's own guard on PostgreSQL: an unbalanced journal is refused at
commit, and entries cannot be updated or deleted even with raw SQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from mcoms.ledger.models import Account, AccountKind, Entry, HolderType, Journal
from mcoms.ledger.services import journal_post
from mcoms.org.models import Company

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accounts() -> tuple[Account, Account]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the triggers exist only there")
    company = Company.objects.create(code="pg", name="PG")
    return tuple(  # type: ignore[return-value]
        Account.objects.create(
            company=company,
            code=code,
            name=code,
            kind=AccountKind.ASSET,
            holder_type=HolderType.COMPANY,
        )
        for code in ("A", "B")
    )


def _raw_journal(company_id: int, lines: list[tuple[int, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journal (company_id, idempotency_key, kind, memo, "
            "posted_at) VALUES (%s, 'raw', 'raw', '', %s) RETURNING id",
            [company_id, timezone.now()],
        )
        journal_id = cursor.fetchone()[0]
        for account_id, amount in lines:
            cursor.execute(
                "INSERT INTO ledger_entry (journal_id, account_id, amount, currency) "
                "VALUES (%s, %s, %s, 'INR')",
                [journal_id, account_id, amount],
            )


def test_an_unbalanced_journal_is_refused_at_commit(accounts):
    a, b = accounts
    refused = pytest.raises(IntegrityError, match="does not balance")
    with refused, transaction.atomic():
        _raw_journal(a.company_id, [(a.pk, "10.00"), (b.pk, "-9.00")])
        # Deferred: inside the transaction the rows are there.
        assert Entry.objects.count() == 2
    assert Journal.objects.count() == 0
    assert Entry.objects.count() == 0


def test_a_one_line_journal_is_refused_at_commit(accounts):
    a, _ = accounts
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_journal(a.company_id, [(a.pk, "10.00")])
    assert Entry.objects.count() == 0


def test_a_balanced_raw_journal_commits(accounts):
    a, b = accounts
    with transaction.atomic():
        _raw_journal(a.company_id, [(a.pk, "10.00"), (b.pk, "-4.00"), (b.pk, "-6.00")])
    assert Entry.objects.count() == 3


def test_entries_cannot_be_updated_or_deleted_with_raw_sql(accounts):
    a, b = accounts
    journal = journal_post(
        company=a.company,
        idempotency_key="k",
        kind="x",
        lines=[(a, Decimal("5.00")), (b, Decimal("-5.00"))],
    )
    entry_id = journal.entries.first().pk
    for sql in (
        "UPDATE ledger_entry SET amount = 6 WHERE id = %s",
        "DELETE FROM ledger_entry WHERE id = %s",
    ):
        refused = pytest.raises(DatabaseError, match="never updated or deleted")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry_id])
    assert Entry.objects.get(pk=entry_id).amount == Decimal("5.00")
    assert Entry.objects.count() == 2
