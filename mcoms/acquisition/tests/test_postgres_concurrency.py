"""Real races on PostgreSQL: threads with their own connections, released at
once by a barrier. Two agents creating accounts on one pole get different
customer IDs; two technicians picking one meter: one gets it; two agents
surveying at once get different references; one step sent twice at once with
its key is done once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mcoms.acquisition import services
from mcoms.acquisition.models import Prospect, Stage
from mcoms.core.errors import Conflict
from mcoms.metering.models import MeterAssignment

from .conftest import advance, survey

pytestmark = [
    pytest.mark.postgres,
    # The default package types come from a data migration: keep them.
    pytest.mark.django_db(transaction=True),
]


def run_parallel(n: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        try:
            connection.ensure_connection()
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
        thread.join(120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def test_two_accounts_on_one_pole_at_once_get_different_ids(kit) -> None:
    prospects = [
        advance(kit, survey(kit, phone=f"+91987650010{i}"), Stage.PACKAGE)
        for i in range(2)
    ]

    def create(i: int) -> str:
        prospect = services.prospect_account_create(
            prospect=prospects[i], by=kit.user("csa")
        )
        assert prospect.customer is not None
        return prospect.customer.customer_id

    results = run_parallel(2, create)
    assert sorted(results) == ["BHKATS00201", "BHKATS00202"], results
    stored = Prospect.objects.values_list("customer__customer_id", flat=True)
    assert sorted(stored) == ["BHKATS00201", "BHKATS00202"]


def test_one_meter_picked_by_two_technicians_goes_to_one(kit) -> None:
    prospects = [
        advance(kit, survey(kit, phone=f"+91987650020{i}"), Stage.ACCOUNT)
        for i in range(2)
    ]

    def pick(i: int) -> str:
        services.prospect_meter_assign(
            prospect=prospects[i], meter=kit.meters["LL-1"], by=None
        )
        return "ok"

    results = run_parallel(2, pick)
    assert results.count("ok") == 1, results
    [refused] = [r for r in results if r != "ok"]
    assert isinstance(refused, Conflict) and refused.code == "meter_already_assigned"
    assert MeterAssignment.objects.filter(meter=kit.meters["LL-1"]).count() == 1


def test_surveys_at_once_get_different_refs(kit) -> None:
    def make(i: int) -> str:
        return survey(kit, phone=f"+91987650030{i}").ref

    results = run_parallel(4, make)
    assert sorted(results) == [f"P-BHKATS-00000{n}" for n in range(1, 5)], results


def test_one_step_sent_twice_at_once_is_done_once(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.METER)

    def activate(i: int) -> str:
        done = services.prospect_activate(
            prospect=prospect, idempotency_key="same-tap", by=None
        )
        return done.status

    assert run_parallel(2, activate) == ["active", "active"]
    assert prospect.events.filter(stage="activation").count() == 1
    from mcoms.ledger.models import Journal

    assert Journal.objects.filter(idempotency_key__startswith="acq:").count() == 2
