"""``journal_post_once`` and ``journal_reverse_once`` tell a first posting
(created) from a replay of its key, in the transaction that posts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.core.errors import Conflict
from mcoms.ledger.models import Account, Journal
from mcoms.ledger.services import (
    journal_post,
    journal_post_once,
    journal_reverse,
    journal_reverse_once,
)

pytestmark = pytest.mark.django_db


def _lines(books, amount="10.00"):
    return [
        (books.receivable, Decimal(amount)),
        (books.revenue, -Decimal(amount)),
    ]


def test_the_first_post_is_created_and_replays_are_not(books):
    first, created = journal_post_once(
        company=books.company, idempotency_key="k", kind="bill", lines=_lines(books)
    )
    assert created is True
    for _ in range(2):
        again, created = journal_post_once(
            company=books.company,
            idempotency_key="k",
            kind="bill",
            lines=_lines(books)[::-1],
        )
        assert (again.pk, created) == (first.pk, False)
    assert Journal.objects.count() == 1
    assert Account.objects.get(pk=books.receivable.pk).balance == Decimal("10.00")


def test_a_journal_posted_by_journal_post_is_a_replay_for_post_once(books):
    journal = journal_post(
        company=books.company, idempotency_key="k", kind="bill", lines=_lines(books)
    )
    again, created = journal_post_once(
        company=books.company, idempotency_key="k", kind="bill", lines=_lines(books)
    )
    assert (again.pk, created) == (journal.pk, False)


def test_post_once_refuses_the_key_with_other_lines(books):
    journal_post_once(
        company=books.company, idempotency_key="k", kind="bill", lines=_lines(books)
    )
    with pytest.raises(Conflict) as exc:
        journal_post_once(
            company=books.company,
            idempotency_key="k",
            kind="bill",
            lines=_lines(books, "11.00"),
        )
    assert exc.value.code == "idempotency_key_reused"


def test_reverse_once_flags_the_first_reversal_and_its_replays(books):
    bill = journal_post(
        company=books.company, idempotency_key="bill", kind="bill", lines=_lines(books)
    )
    mirror, created = journal_reverse_once(journal=bill, idempotency_key="rev")
    assert created is True
    assert mirror.reverses_id == bill.pk
    again, created = journal_reverse_once(journal=bill, idempotency_key="rev")
    assert (again.pk, created) == (mirror.pk, False)
    assert journal_reverse(journal=bill, idempotency_key="rev").pk == mirror.pk
    with pytest.raises(Conflict) as exc:
        journal_reverse_once(journal=bill, idempotency_key="rev-2")
    assert exc.value.code == "journal_already_reversed"
    assert Journal.objects.count() == 2
