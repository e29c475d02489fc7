"""Real races on PostgreSQL (threads with their own connections released by a
barrier): two agents editing one customer at once leave one change waiting;
one request sent twice at once with its key makes one change; two devices
confirming at once apply the change once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mcoms.customers.models import Customer, ProfileChange
from mcoms.customers.profile import profile_change_confirm, profile_change_request
from mcoms.customers.tests.profile_helpers import OLD, code_sent_to
from mcoms.notifications.models import Message
from tests.builders import World

pytestmark = [
    pytest.mark.postgres,
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


def test_two_agents_at_once_leave_one_change_waiting(world: World) -> None:
    customer = world.customers["BHKATS"]
    people = ["csa", "technician"]

    def edit(i: int) -> int:
        change, _ = profile_change_request(
            customer=customer,
            changes={"address": f"Ward {i}"},
            by=world.user(people[i]),
        )
        return change.pk

    results = run_parallel(2, edit)
    assert all(isinstance(r, int) for r in results), results
    states = sorted(ProfileChange.objects.values_list("state", flat=True))
    assert states == ["cancelled", "pending"]


def test_one_key_sent_twice_at_once_makes_one_change(world: World) -> None:
    customer = world.customers["BHKATS"]

    def edit(i: int) -> int:
        change, _ = profile_change_request(
            customer=customer,
            changes={"address": "Ward 1"},
            by=world.user("csa"),
            idempotency_key="same",
        )
        return change.pk

    results = run_parallel(2, edit)
    assert results[0] == results[1], results
    assert ProfileChange.objects.count() == 1
    assert Message.objects.filter(template="otp_verify").count() == 1


def test_two_devices_confirming_at_once_apply_once(world: World) -> None:
    change, _ = profile_change_request(
        customer=world.customers["BHKATS"],
        changes={"address": "Ward 5"},
        by=world.user("csa"),
    )
    code = code_sent_to(OLD)
    users = [world.user("csa"), world.customers["BHKATS"].user]

    def confirm(i: int) -> str:
        return profile_change_confirm(
            change=change, by=users[i], code_registered=code
        ).state

    results = run_parallel(2, confirm)
    assert "confirmed" in results, results  # the other: confirmed or otp_used
    customer = Customer.objects.get(pk=change.customer_id)
    assert customer.address == "Ward 5"
    assert customer.history.filter(history_type="~").count() == 1
