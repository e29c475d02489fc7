from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.ledger.models import Account, Entry, Journal
from mcoms.ledger.selectors import account_balance
from mcoms.ledger.services import journal_post

pytestmark = pytest.mark.django_db


def _bill(books, key="bill-1", amount="150.00"):
    return journal_post(
        company=books.company,
        idempotency_key=key,
        kind="bill",
        lines=[(books.receivable, Decimal(amount)), (books.revenue, -Decimal(amount))],
    )


def _balance(account: Account) -> Decimal:
    return Account.objects.get(pk=account.pk).balance


def test_it_posts_a_balanced_journal_and_moves_cached_balances(books):
    journal = _bill(books)
    amounts = sorted(journal.entries.values_list("amount", flat=True))
    assert amounts == [Decimal("-150.00"), Decimal("150.00")]
    assert _balance(books.receivable) == Decimal("150.00")
    assert _balance(books.revenue) == Decimal("-150.00")
    assert account_balance(books.receivable) == Decimal("150.00")
    assert set(journal.entries.values_list("currency", flat=True)) == {"INR"}


def test_a_replay_with_the_same_key_returns_the_first_journal_and_writes_nothing(books):
    first = _bill(books)
    again = _bill(books)
    assert again.pk == first.pk
    assert Journal.objects.count() == 1
    assert Entry.objects.count() == 2
    assert _balance(books.receivable) == Decimal("150.00")


def test_the_same_key_with_other_lines_is_refused(books):
    _bill(books)
    with pytest.raises(Conflict) as exc:
        _bill(books, amount="151.00")
    assert exc.value.code == "idempotency_key_reused"
    assert Entry.objects.count() == 2


def test_the_same_key_in_another_company_is_a_different_journal(books, world):
    _bill(books)
    other_lines = [(books.foreign, Decimal("5.00")), (books.foreign, Decimal("-5.00"))]
    journal_post(
        company=world.other_company,
        idempotency_key="bill-1",
        kind="x",
        lines=other_lines,
    )
    assert Journal.objects.count() == 2


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([("receivable", "10.00"), ("revenue", "-9.99")], "journal_unbalanced"),
        ([("receivable", "10.00")], "journal_too_few_lines"),
        ([], "journal_too_few_lines"),
        ([("receivable", "0.00"), ("revenue", "0")], "amount_zero"),
        ([("receivable", "10.001"), ("revenue", "-10.001")], "amount_too_precise"),
        ([("receivable", "10.00"), ("foreign", "-10.00")], "account_other_company"),
        ([("receivable", 10.0), ("revenue", -10.0)], "amount_not_decimal"),
        ([("receivable", 10), ("revenue", -10)], "amount_not_decimal"),
    ],
)
def test_it_refuses_bad_lines_and_writes_nothing(books, lines, code):
    real = [
        (getattr(books, name), Decimal(v) if isinstance(v, str) else v)
        for name, v in lines
    ]
    with pytest.raises(ValidationFailed) as exc:
        journal_post(company=books.company, idempotency_key="k", kind="x", lines=real)
    assert exc.value.code == code
    assert Journal.objects.count() == 0
    assert Entry.objects.count() == 0
    assert _balance(books.receivable) == 0


def test_it_refuses_a_blank_key(books):
    with pytest.raises(ValidationFailed) as exc:
        _bill(books, key="")
    assert exc.value.code == "idempotency_key_invalid"


def test_it_refuses_mixed_currencies(books):
    Account.objects.filter(pk=books.water.pk).update(currency="USD")
    books.water.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        journal_post(
            company=books.company,
            idempotency_key="k",
            kind="x",
            lines=[(books.water, Decimal("1.00")), (books.revenue, Decimal("-1.00"))],
        )
    assert exc.value.code == "currency_mismatch"


def test_the_same_account_may_appear_twice(books):
    journal = journal_post(
        company=books.company,
        idempotency_key="split",
        kind="x",
        lines=[
            (books.receivable, Decimal("10.00")),
            (books.receivable, Decimal("5.00")),
            (books.revenue, Decimal("-15.00")),
        ],
    )
    assert journal.entries.count() == 3
    assert _balance(books.receivable) == Decimal("15.00")


def test_entries_are_never_updated_or_deleted_through_the_orm(books):
    entry = _bill(books).entries.first()
    entry.amount = Decimal("1.00")
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    assert Entry.objects.get(pk=entry.pk).amount != Decimal("1.00")


def test_it_records_who_posted_and_the_memo(books, world):
    journal = journal_post(
        company=books.company,
        idempotency_key="m",
        kind="manual",
        memo="fix",
        posted_by=world.user("admin"),
        lines=[(books.cash, Decimal("20.00")), (books.receivable, Decimal("-20.00"))],
    )
    journal.refresh_from_db()
    assert (journal.memo, journal.kind, journal.posted_by) == (
        "fix",
        "manual",
        world.user("admin"),
    )
