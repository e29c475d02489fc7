from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.ledger.models import Account, Entry, Journal
from mcoms.ledger.selectors import account_balance
from mcoms.ledger.services import JournalSpec, journal_post, journal_post_many

pytestmark = pytest.mark.django_db


def _spec(books, key, amount):
    return JournalSpec(
        idempotency_key=key,
        kind="bill",
        lines=[(books.receivable, Decimal(amount)), (books.revenue, -Decimal(amount))],
    )


def test_it_posts_many_journals_and_updates_balances_once(books):
    specs = [_spec(books, f"b{i}", f"{i}.50") for i in range(1, 21)]
    journals = journal_post_many(company=books.company, journals=specs)
    assert [j.idempotency_key for j in journals] == [s.idempotency_key for s in specs]
    assert all(j.pk for j in journals)
    assert Entry.objects.count() == 40
    expected = sum(Decimal(f"{i}.50") for i in range(1, 21))
    assert Account.objects.get(pk=books.receivable.pk).balance == expected
    assert account_balance(books.revenue) == -expected


def test_a_replayed_batch_writes_nothing(books):
    specs = [_spec(books, f"b{i}", "10.00") for i in range(5)]
    first = journal_post_many(company=books.company, journals=specs)
    journal_post(
        company=books.company,
        idempotency_key="single",
        kind="x",
        lines=[(books.cash, Decimal("1.00")), (books.bank, Decimal("-1.00"))],
    )
    again = journal_post_many(
        company=books.company, journals=[*specs, _spec(books, "b5", "10.00")]
    )
    assert [j.pk for j in again[:5]] == [j.pk for j in first]
    assert Journal.objects.count() == 7
    assert Account.objects.get(pk=books.receivable.pk).balance == Decimal("60.00")


def test_a_bad_journal_refuses_the_whole_batch(books):
    specs = [
        _spec(books, "ok", "10.00"),
        JournalSpec(
            "bad",
            [(books.receivable, Decimal("1.00")), (books.revenue, Decimal("-2.00"))],
            "bill",
        ),
    ]
    with pytest.raises(ValidationFailed) as exc:
        journal_post_many(company=books.company, journals=specs)
    assert exc.value.code == "journal_unbalanced"
    assert Journal.objects.count() == 0


def test_a_key_twice_in_one_batch_with_other_lines_is_refused(books):
    specs = [_spec(books, "dup", "10.00"), _spec(books, "dup", "11.00")]
    with pytest.raises(Conflict) as exc:
        journal_post_many(company=books.company, journals=specs)
    assert exc.value.code == "idempotency_key_reused"
    assert Journal.objects.count() == 0


def test_a_key_twice_in_one_batch_with_the_same_lines_is_one_journal(books):
    specs = [_spec(books, "dup", "10.00"), _spec(books, "dup", "10.00")]
    journals = journal_post_many(company=books.company, journals=specs)
    assert journals[0].pk == journals[1].pk
    assert Journal.objects.count() == 1


def test_an_empty_batch_posts_nothing(books):
    assert journal_post_many(company=books.company, journals=[]) == []
