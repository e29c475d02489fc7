"""Property tests: for random balanced postings the ledger's invariants hold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcoms.core.errors import ValidationFailed
from mcoms.core.money import quantize
from mcoms.ledger.models import Account, Entry, Journal
from mcoms.ledger.selectors import account_balance
from mcoms.ledger.services import (
    JournalSpec,
    journal_post,
    journal_post_many,
    journal_reverse,
)

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
NAMES = ("receivable", "water", "revenue", "cash", "bank")
cents = st.integers(min_value=-(10**8), max_value=10**8).filter(bool)
# A journal: non-zero debits/credits on 1-4 accounts, balanced by one more line.
journals = st.lists(
    st.tuples(st.sampled_from(NAMES), cents), min_size=1, max_size=4
).filter(lambda legs: sum(c for _, c in legs) != 0)


def _lines(books, legs):
    lines = [(getattr(books, n), Decimal(c) / 100) for n, c in legs]
    balancer = -sum((amount for _, amount in lines), Decimal("0"))
    return [*lines, (books.bank, balancer)]


def _assert_invariants():
    per_journal = (
        Entry.objects.order_by().values("journal").annotate(total=Sum("amount"))
    )
    # quantize: SQLite sums decimals as floats (PostgreSQL is exact).
    assert all(quantize(Decimal(row["total"])) == 0 for row in per_journal)
    for account in Account.objects.all():
        assert account.balance == account_balance(account)
    assert sum(a.balance for a in Account.objects.all()) == 0


def _snapshot():
    return dict(Account.objects.values_list("pk", "balance"))


@SETTINGS
@given(postings=st.lists(journals, min_size=1, max_size=6))
def test_balanced_postings_keep_every_invariant(books, postings):
    with transaction.atomic():
        before = _snapshot()
        posted = [
            journal_post(
                company=books.company,
                idempotency_key=f"p{i}",
                kind="x",
                lines=_lines(books, legs),
            )
            for i, legs in enumerate(postings)
        ]
        _assert_invariants()
        # Replaying every key changes nothing.
        counts = (Journal.objects.count(), Entry.objects.count(), _snapshot())
        for i, legs in enumerate(postings):
            again = journal_post(
                company=books.company,
                idempotency_key=f"p{i}",
                kind="x",
                lines=_lines(books, legs),
            )
            assert again.pk == posted[i].pk
        assert (Journal.objects.count(), Entry.objects.count(), _snapshot()) == counts
        # Reversing every journal restores the balances.
        for journal in posted:
            journal_reverse(journal=journal, idempotency_key=f"r{journal.pk}")
        _assert_invariants()
        assert _snapshot() == before
        transaction.set_rollback(True)


@SETTINGS
@given(postings=st.lists(journals, min_size=1, max_size=8))
def test_post_many_agrees_with_posting_one_by_one(books, postings):
    with transaction.atomic():
        specs = [
            JournalSpec(f"m{i}", _lines(books, legs), "x")
            for i, legs in enumerate(postings)
        ]
        journal_post_many(company=books.company, journals=specs)
        _assert_invariants()
        many = _snapshot()
        transaction.set_rollback(True)
    with transaction.atomic():
        for spec in specs:
            journal_post(
                company=books.company,
                idempotency_key=spec.idempotency_key,
                kind="x",
                lines=spec.lines,
            )
        assert _snapshot() == many
        transaction.set_rollback(True)


@SETTINGS
@given(
    legs=st.lists(
        st.tuples(st.sampled_from(NAMES), cents), min_size=1, max_size=5
    ).filter(lambda legs: sum(c for _, c in legs) != 0)
)
def test_unbalanced_lines_are_always_refused_and_write_nothing(books, legs):
    lines = [(getattr(books, n), Decimal(c) / 100) for n, c in legs]
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:
        journal_post(
            company=books.company, idempotency_key="bad", kind="x", lines=lines
        )
    assert exc.value.code in {"journal_unbalanced", "journal_too_few_lines"}
    assert Journal.objects.count() == 0
    assert Entry.objects.count() == 0
    assert _snapshot() == before
