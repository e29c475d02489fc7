"""The sweep of waiting profile changes whose codes died (decision 0037): the
service, its task and its command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from mcoms.core.errors import Conflict
from mcoms.customers.models import ProfileChange, ProfileChangeState
from mcoms.customers.profile import (
    profile_change_cancel,
    profile_change_confirm,
    profile_change_request,
)
from mcoms.customers.profile_expiry import (
    expire_profile_changes_task,
    profile_changes_expire,
)
from mcoms.customers.tests.profile_helpers import OLD, code_sent_to, fresh, request
from mcoms.notifications.testing import IMMEDIATE_TASKS
from tests.builders import World

S = ProfileChangeState
LATER = timedelta(hours=1)


def state(change: ProfileChange) -> str:
    return ProfileChange.objects.get(pk=change.pk).state


def other_company_change(world: World) -> ProfileChange:
    change, _created = profile_change_request(
        customer=world.customers["other"],
        changes={"address": "Far away"},
        by=world.user("other_admin"),
    )
    return change


def past_their_time(*changes: ProfileChange) -> None:
    """The codes of these changes died a minute ago."""
    ago = timezone.now() - timedelta(minutes=1)
    ProfileChange.objects.filter(pk__in=[c.pk for c in changes]).update(expires_at=ago)


def test_a_change_past_its_time_is_closed_as_expired(world: World) -> None:
    change = request(world, address="Ward 4")
    now = timezone.now() + LATER
    assert profile_changes_expire(now=now) == 1
    closed = ProfileChange.objects.get(pk=change.pk)
    assert (closed.state, closed.closed_at, closed.closed_by) == (S.EXPIRED, now, None)
    assert closed.note == "The codes expired."
    assert fresh(world).address == ""


def test_a_change_still_in_time_waits(world: World) -> None:
    change = request(world, address="Ward 4")
    assert profile_changes_expire() == 0
    assert state(change) == S.PENDING


def test_confirmed_and_cancelled_changes_are_left_alone(world: World) -> None:
    confirmed = request(world, address="Ward 4")
    profile_change_confirm(
        change=confirmed, by=world.user("csa"), code_registered=code_sent_to(OLD)
    )
    cancelled = request(world, key="BHSIKA", by="admin", address="Ward 9")
    profile_change_cancel(change=cancelled, by=world.user("admin"))
    assert profile_changes_expire(now=timezone.now() + LATER) == 0
    assert (state(confirmed), state(cancelled)) == (S.CONFIRMED, S.CANCELLED)


def test_an_expired_change_no_longer_confirms_nor_blocks(world: World) -> None:
    change = request(world, address="Ward 4")
    code = code_sent_to(OLD)
    past_their_time(change)
    assert profile_changes_expire() == 1
    with pytest.raises(Conflict) as err:
        profile_change_confirm(
            change=change, by=world.user("csa"), code_registered=code
        )
    assert err.value.code == "profile_change_expired"
    newer = request(world, address="Ward 5")  # the customer's one waiting change
    assert state(newer) == S.PENDING
    assert state(change) == S.EXPIRED  # not "replaced": it had expired
    pending = ProfileChange.objects.filter(
        customer=world.customers["BHKATS"], state=S.PENDING
    )
    assert list(pending) == [newer]


def test_running_it_twice_changes_nothing_more(world: World) -> None:
    request(world, address="Ward 4")
    now = timezone.now() + LATER
    assert profile_changes_expire(now=now) == 1
    assert profile_changes_expire(now=now + LATER) == 0


def test_one_company_at_a_time(world: World) -> None:
    ours = request(world, address="Ward 4")
    theirs = other_company_change(world)
    now = timezone.now() + LATER
    assert profile_changes_expire(company=world.company, now=now) == 1
    assert (state(ours), state(theirs)) == (S.EXPIRED, S.PENDING)
    assert profile_changes_expire(now=now) == 1
    assert state(theirs) == S.EXPIRED


def test_the_command_prints_how_many(world: World) -> None:
    ours, theirs = request(world, address="Ward 4"), other_company_change(world)
    past_their_time(ours, theirs)
    out = StringIO()
    call_command("expire_profile_changes", "--company", "tara", stdout=out)
    assert out.getvalue().strip() == "expired 1"
    assert (state(ours), state(theirs)) == (S.EXPIRED, S.PENDING)
    call_command("expire_profile_changes", stdout=out)
    assert out.getvalue().strip().endswith("expired 1")
    assert state(theirs) == S.EXPIRED


def test_the_command_refuses_an_unknown_company(world: World) -> None:
    with pytest.raises(CommandError, match="No company 'nope'"):
        call_command("expire_profile_changes", "--company", "nope")


def test_the_command_can_hand_the_job_to_the_worker(world: World, settings) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    change = request(world, address="Ward 4")
    past_their_time(change)
    out = StringIO()
    call_command("expire_profile_changes", "--enqueue", stdout=out)
    assert out.getvalue().startswith("Queued the profile-change sweep")
    assert state(change) == S.EXPIRED


def test_the_task_returns_the_count(world: World, settings) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    past_their_time(request(world, address="Ward 4"), other_company_change(world))
    result = expire_profile_changes_task.enqueue(company_code="other")
    assert result.return_value == {"expired": 1}
