from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.core.errors import Conflict
from mcoms.ledger.models import Account, Journal
from mcoms.ledger.selectors import account_balance
from mcoms.ledger.services import journal_post, journal_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def bill(books):
    return journal_post(
        company=books.company,
        idempotency_key="bill",
        kind="bill",
        lines=[
            (books.receivable, Decimal("80.00")),
            (books.revenue, Decimal("-80.00")),
        ],
    )


def test_it_posts_the_mirror_journal_and_restores_balances(books, bill, world):
    mirror = journal_reverse(
        journal=bill,
        idempotency_key="rev",
        memo="wrong meter",
        posted_by=world.user("admin"),
    )
    assert mirror.reverses == bill
    assert mirror.kind == "reversal"
    pairs = sorted(mirror.entries.values_list("account_id", "amount"))
    assert pairs == sorted(
        [(books.receivable.pk, Decimal("-80.00")), (books.revenue.pk, Decimal("80.00"))]
    )
    for account in (books.receivable, books.revenue):
        assert account_balance(account) == 0
        assert Account.objects.get(pk=account.pk).balance == 0


def test_a_replay_of_the_reversal_returns_it(bill):
    first = journal_reverse(journal=bill, idempotency_key="rev")
    again = journal_reverse(journal=bill, idempotency_key="rev")
    assert again.pk == first.pk
    assert Journal.objects.count() == 2


def test_reversing_twice_is_refused(books, bill):
    journal_reverse(journal=bill, idempotency_key="rev")
    with pytest.raises(Conflict) as exc:
        journal_reverse(journal=bill, idempotency_key="rev-2")
    assert exc.value.code == "journal_already_reversed"
    assert Journal.objects.count() == 2
    assert account_balance(books.receivable) == 0


def test_a_key_already_used_by_another_journal_is_refused(bill):
    with pytest.raises(Conflict) as exc:
        journal_reverse(journal=bill, idempotency_key="bill")
    assert exc.value.code == "idempotency_key_reused"
