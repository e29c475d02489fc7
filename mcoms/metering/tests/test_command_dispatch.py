"""command_dispatch and the sweep: acknowledgement and the meter's settings,
retries with back-off then failure, refusals, fan-out parents settling,
superseded commands, claims that happen once, and stale sends taken back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mcoms.metering import control
from mcoms.metering.control import (
    MAX_ATTEMPTS,
    backoff,
    command_dispatch,
    command_request,
    commands_sweep,
)
from mcoms.metering.drivers import simulator
from mcoms.metering.models import Meter, MeterCommand
from mcoms.metering.tests.control_kit import customer_on_f2, installed, sim
from mcoms.notifications.testing import IMMEDIATE_TASKS
from tests.builders import World

__all__ = ["sim"]
T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def meter(world: World, sim: None) -> Meter:
    return installed(world.customers["BHKATS"], "SM-1")


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def states(command: MeterCommand) -> list[str]:
    return list(command.events.values_list("state", flat=True))


@pytest.mark.parametrize(
    ("action", "params", "expect"),
    [
        ("off", None, ("off", None, [])),
        ("on", None, ("on", None, [])),
        ("auto", None, ("auto", None, [])),
        ("set_limit", {"limit_w": 60}, ("auto", 60, [])),
        (
            "set_schedule",
            {"windows": [{"from": "18:00", "to": "23:00"}]},
            ("auto", None, [{"from": "18:00", "to": "23:00"}]),
        ),
    ],
)
def test_an_acknowledged_command_sets_the_meter(
    world: World, meter: Meter, action: str, params, expect
) -> None:
    by = world.user("cluster_incharge")
    command, _ = command_request(
        target=meter, action=action, params=params, key="k", by=by
    )
    assert command_dispatch(command_id=command.pk, now=T0) == "acknowledged"
    command = fresh(command)
    assert (command.state, command.attempts, command.acknowledged_at) == (
        "acknowledged",
        1,
        T0,
    )
    assert states(command) == ["queued", "sent", "acknowledged"]
    meter = fresh(meter)
    assert (meter.switch_state, meter.load_limit_w, meter.schedule) == expect
    assert meter.history.latest().history_user == by
    assert simulator.state("SM-1").received == [f"mcoms-{command.pk}"]


def test_reset_puts_the_meter_back_to_its_defaults(world: World, meter: Meter) -> None:
    Meter.objects.filter(pk=meter.pk).update(
        switch_state="off", load_limit_w=40, schedule=[{"from": "1", "to": "2"}]
    )
    command, _ = command_request(target=meter, action="reset", key="r", by=None)
    command_dispatch(command_id=command.pk, now=T0)
    meter = fresh(meter)
    assert (meter.switch_state, meter.load_limit_w, meter.schedule) == (
        "auto",
        None,
        [],
    )


def test_a_token_command_leaves_the_settings_alone(world: World, meter: Meter) -> None:
    command, _ = command_request(
        target=meter, action="token", params={"token": "123456789"}, key="t", by=None
    )
    assert command_dispatch(command_id=command.pk, now=T0) == "acknowledged"
    assert simulator.state("SM-1").last_token == "123456789"
    assert fresh(meter).switch_state == "auto"


def test_failures_are_retried_with_back_off_then_the_command_fails(
    meter: Meter,
) -> None:
    simulator.script("SM-1", *["timeout"] * MAX_ATTEMPTS)
    command, _ = command_request(target=meter, action="off", key="k", by=None)
    now = T0
    for attempt in range(1, MAX_ATTEMPTS):
        assert command_dispatch(command_id=command.pk, now=now) == "queued"
        command = fresh(command)
        assert command.attempts == attempt
        assert command.next_attempt_at == now + backoff(attempt)
        assert command.last_error.startswith("timeout")
        # Not due yet: the retry waits for its time.
        assert command_dispatch(command_id=command.pk, now=now) == "skipped"
        now = command.next_attempt_at
    assert command_dispatch(command_id=command.pk, now=now) == "failed"
    command = fresh(command)
    assert (command.state, command.attempts, command.failed_at) == (
        "failed",
        MAX_ATTEMPTS,
        now,
    )
    assert states(command) == ["queued"] + ["sent", "queued"] * (MAX_ATTEMPTS - 1) + [
        "sent",
        "failed",
    ]
    assert fresh(meter).switch_state == "auto"  # never acknowledged


def test_the_back_off_doubles_up_to_a_cap() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == control.BACKOFF_CAP


def test_a_retry_that_succeeds_is_acknowledged(meter: Meter) -> None:
    simulator.script("SM-1", "error")
    command, _ = command_request(target=meter, action="off", key="k", by=None)
    assert command_dispatch(command_id=command.pk, now=T0) == "queued"
    later = T0 + backoff(1)
    assert command_dispatch(command_id=command.pk, now=later) == "acknowledged"
    assert fresh(command).attempts == 2
    assert fresh(meter).switch_state == "off"


def test_a_refusal_fails_at_once(meter: Meter) -> None:
    simulator.script("SM-1", "refused")
    command, _ = command_request(target=meter, action="off", key="k", by=None)
    assert command_dispatch(command_id=command.pk, now=T0) == "failed"
    command = fresh(command)
    assert (command.attempts, command.last_error) == (
        1,
        "the meter refused the command",
    )


def test_a_driver_that_raises_is_a_retry(
    meter: Meter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self, command):
        raise RuntimeError("bug")

    monkeypatch.setattr(simulator.SimulatorDriver, "send", boom)
    command, _ = command_request(target=meter, action="off", key="k", by=None)
    assert command_dispatch(command_id=command.pk, now=T0) == "queued"
    assert "RuntimeError" in fresh(command).last_error


def test_a_command_is_sent_once_however_often_dispatched(meter: Meter) -> None:
    command, _ = command_request(target=meter, action="off", key="k", by=None)
    results = [command_dispatch(command_id=command.pk, now=T0) for _ in range(3)]
    assert results == ["acknowledged", "skipped", "skipped"]
    assert len(simulator.state("SM-1").received) == 1


def test_a_later_command_supersedes_an_unsent_one(meter: Meter) -> None:
    older, _ = command_request(target=meter, action="off", key="a", by=None)
    newer, _ = command_request(target=meter, action="on", key="b", by=None)
    limit, _ = command_request(
        target=meter, action="set_limit", params={"limit_w": 50}, key="c", by=None
    )
    assert command_dispatch(command_id=older.pk, now=T0) == "failed"
    assert fresh(older).last_error == f"superseded by command {newer.pk}"
    assert command_dispatch(command_id=newer.pk, now=T0) == "acknowledged"
    assert command_dispatch(command_id=limit.pk, now=T0) == "acknowledged"
    assert (fresh(meter).switch_state, fresh(meter).load_limit_w) == ("on", 50)
    assert simulator.state("SM-1").received == [
        f"mcoms-{newer.pk}",
        f"mcoms-{limit.pk}",
    ]


def test_a_fan_out_settles_when_its_last_meter_does(world: World, sim: None) -> None:
    a = installed(world.customers["BHKATS"], "SM-A")
    b = installed(customer_on_f2(world), "SM-B")
    simulator.script("SM-B", "refused")
    parent, _ = command_request(
        target=world.plants["BHKATS"], action="off", key="p", by=None
    )
    first, second = parent.children.order_by("meter__serial")
    assert command_dispatch(command_id=parent.pk, now=T0) == "skipped"  # not a leaf
    assert command_dispatch(command_id=first.pk, now=T0) == "acknowledged"
    parent = fresh(parent)
    assert parent.state == "sent"
    assert command_dispatch(command_id=second.pk, now=T0) == "failed"
    parent = fresh(parent)
    assert (parent.state, parent.last_error) == ("failed", "1 of 2 meters failed")
    assert states(parent) == ["queued", "sent", "failed"]
    assert (fresh(a).switch_state, fresh(b).switch_state) == ("off", "auto")


def test_a_fan_out_all_acknowledged_is_acknowledged(world: World, sim: None) -> None:
    installed(world.customers["BHKATS"], "SM-A")
    installed(customer_on_f2(world), "SM-B")
    parent, _ = command_request(
        target=world.plants["BHKATS"], action="auto", key="p", by=None
    )
    for child in parent.children.all():
        command_dispatch(command_id=child.pk, now=T0)
    parent = fresh(parent)
    assert (parent.state, parent.acknowledged_at) == ("acknowledged", T0)
    assert states(parent) == ["queued", "sent", "acknowledged"]


def test_the_sweep_takes_back_stale_sends_and_requeues_due_ones(
    meter: Meter, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(
        control, "_enqueue", lambda ids, run_after=None: sent.extend(ids)
    )
    stale, _ = command_request(target=meter, action="off", key="a", by=None)
    MeterCommand.objects.filter(pk=stale.pk).update(
        state="sent", attempts=1, sent_at=T0 - timedelta(hours=1)
    )
    spent, _ = command_request(target=meter, action="on", key="b", by=None)
    MeterCommand.objects.filter(pk=spent.pk).update(
        state="sent", attempts=MAX_ATTEMPTS, sent_at=T0 - timedelta(hours=1)
    )
    fresh_send, _ = command_request(
        target=meter, action="set_limit", params={"limit_w": 9}, key="c", by=None
    )
    MeterCommand.objects.filter(pk=fresh_send.pk).update(state="sent", sent_at=T0)
    counts = commands_sweep(now=T0)
    assert (counts.stale, counts.given_up, counts.due) == (1, 1, 1)
    assert fresh(stale).state == "queued"
    assert fresh(spent).state == "failed"
    assert fresh(fresh_send).state == "sent"  # still within its time
    assert sent == [stale.pk]


def test_with_the_immediate_backend_a_command_is_sent_after_commit(
    meter: Meter, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        command, _ = command_request(target=meter, action="off", key="k", by=None)
        assert fresh(command).state == "queued"
    assert fresh(command).state == "acknowledged"
    assert fresh(meter).switch_state == "off"
