"""Real concurrency on PostgreSQL: many threads, each with its own connection,
released together by a barrier, post on the same accounts at once. The row
locks (taken in pk order), the idempotency key's unique index and the one
reversal per journal must hold: no deadlock, no IntegrityError escaping, no
double posting, and ``ledger_check`` passes afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from mcoms.core.errors import Conflict
from mcoms.ledger.models import Account, Entry, Journal
from mcoms.ledger.selectors import account_balance
from mcoms.ledger.services import journal_post, journal_post_once, journal_reverse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOIN_TIMEOUT = 120


def run_parallel(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads released at once; return each result or
    the exception it raised. Every thread closes its own connection."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        try:
            connection.ensure_connection()  # connect before the start line
            barrier.wait(timeout=60)
            results[i] = work(i)
        except BaseException as exc:  # reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def errors(results: list[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


def assert_ledger_check_passes() -> None:
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "OK" in out.getvalue()


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks between connections")


def test_fifty_journals_on_one_customer_account_at_once(books):
    """Each journal debits the one receivable and credits one or two other
    accounts, the lines given in varying orders: the locks are still taken in
    pk order, so nobody deadlocks and every amount lands exactly once."""
    receivable = books.receivable
    others = [books.revenue, books.cash, books.bank, books.water]
    amounts = [Decimal(i + 1) + Decimal("0.01") * i for i in range(50)]

    def post(i: int) -> Journal:
        amount = amounts[i]
        a, b = others[i % 4], others[(i + 1) % 4]
        half = (amount / 2).quantize(Decimal("0.01"))
        lines = [(receivable, amount), (a, -half), (b, half - amount)]
        if i % 2:
            lines.reverse()
        return journal_post(
            company=books.company,
            idempotency_key=f"bill-{i}",
            kind="bill",
            lines=lines,
        )

    results = run_parallel(50, post)

    assert errors(results) == []
    assert len({j.pk for j in results}) == 50
    assert Journal.objects.count() == 50
    assert Entry.objects.count() == 150
    expected = sum(amounts, Decimal("0"))
    assert Account.objects.get(pk=receivable.pk).balance == expected
    assert account_balance(receivable) == expected
    others_total = sum(
        (Account.objects.get(pk=a.pk).balance for a in others), Decimal("0")
    )
    assert others_total == -expected
    assert_ledger_check_passes()


def test_twenty_replays_of_one_key_at_once_post_once(books):
    lines = [(books.receivable, Decimal("12.34")), (books.revenue, Decimal("-12.34"))]

    def post(i: int) -> Journal:
        # Lines in either order are the same posting.
        return journal_post(
            company=books.company,
            idempotency_key="same-key",
            kind="bill",
            lines=lines if i % 2 else lines[::-1],
        )

    results = run_parallel(20, post)

    assert errors(results) == []
    journal = Journal.objects.get(idempotency_key="same-key")
    assert {j.pk for j in results} == {journal.pk}
    assert Journal.objects.count() == 1
    assert Entry.objects.count() == 2
    assert Account.objects.get(pk=books.receivable.pk).balance == Decimal("12.34")
    assert Account.objects.get(pk=books.revenue.pk).balance == Decimal("-12.34")
    assert account_balance(books.receivable) == Decimal("12.34")
    assert_ledger_check_passes()


def test_ten_reversals_of_one_journal_at_once_reverse_it_once(books):
    bill = journal_post(
        company=books.company,
        idempotency_key="bill",
        kind="bill",
        lines=[
            (books.receivable, Decimal("80.00")),
            (books.revenue, Decimal("-80.00")),
        ],
    )

    def reverse(i: int) -> Journal:
        return journal_reverse(
            journal=Journal.objects.get(pk=bill.pk), idempotency_key=f"rev-{i}"
        )

    results = run_parallel(10, reverse)

    mirrors = [r for r in results if isinstance(r, Journal)]
    refused = errors(results)
    assert len(mirrors) == 1
    assert len(refused) == 9
    assert all(isinstance(e, Conflict) for e in refused), refused
    assert {e.code for e in refused} == {"journal_already_reversed"}  # type: ignore[attr-defined]
    assert Journal.objects.filter(reverses=bill).get().pk == mirrors[0].pk
    assert Journal.objects.count() == 2
    for account in (books.receivable, books.revenue):
        assert Account.objects.get(pk=account.pk).balance == 0
        assert account_balance(account) == 0
    assert_ledger_check_passes()


def test_twenty_racing_post_once_calls_see_created_exactly_once(books):
    lines = [(books.receivable, Decimal("7.00")), (books.revenue, Decimal("-7.00"))]

    def post(i: int) -> tuple[Journal, bool]:
        return journal_post_once(
            company=books.company, idempotency_key="once", kind="bill", lines=lines
        )

    results = run_parallel(20, post)

    assert errors(results) == []
    assert sorted(created for _, created in results) == [False] * 19 + [True]
    assert len({journal.pk for journal, _ in results}) == 1
    assert Journal.objects.count() == 1
    assert Account.objects.get(pk=books.receivable.pk).balance == Decimal("7.00")


@pytest.mark.urls("mcoms.ledger.tests.urls")
def test_racing_api_replays_answer_201_once_and_200_for_the_others(books, world):
    admin = world.user("admin")
    body = {
        "memo": "cash found",
        "lines": [
            {"account": books.cash.code, "amount": "25.50"},
            {"account": books.receivable.code, "amount": "-25.50"},
        ],
    }

    def post(i: int) -> tuple[int, int]:
        client = APIClient()
        client.force_authenticate(admin)
        response = client.post(
            "/api/v1/ledger/journals/",
            body,
            format="json",
            headers={"Idempotency-Key": "api-once"},
        )
        return response.status_code, response.json()["id"]

    results = run_parallel(12, post)

    assert errors(results) == []
    assert sorted(code for code, _ in results) == [200] * 11 + [201]
    journal = Journal.objects.get(idempotency_key="api-once")
    assert {pk for _, pk in results} == {journal.pk}
    assert Account.objects.get(pk=books.cash.pk).balance == Decimal("25.50")
    assert_ledger_check_passes()
