"""command_request: every action on one meter, the fan-out to a feeder and a
plant, refusals that write nothing, idempotent replays, and the sends queued
only after commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.metering import control
from mcoms.metering.control import command_request, required_action
from mcoms.metering.models import CommandEvent, Meter, MeterCommand
from mcoms.metering.tests.control_kit import customer_on_f2, installed, sim
from mcoms.org.models import Feeder
from mcoms.org.permissions import Action
from tests.builders import World

__all__ = ["sim"]

ACTIONS: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = [
    ("on", None, {}),
    ("off", {}, {}),
    ("auto", None, {}),
    ("reset", None, {}),
    ("set_limit", {"limit_w": "250"}, {"limit_w": 250}),
    (
        "set_schedule",
        {"windows": [{"from": "18:00", "to": "06:00"}]},
        {"windows": [{"from": "18:00", "to": "06:00"}]},
    ),
    ("token", {"token": "123456789"}, {"token": "123456789"}),
]


@pytest.fixture
def meter(world: World) -> Meter:
    return installed(world.customers["BHKATS"], "SM-1")


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The command ids handed to the task queue (the queue itself is outside)."""
    sent: list[int] = []
    monkeypatch.setattr(
        control, "_enqueue", lambda ids, run_after=None: sent.extend(ids)
    )
    return sent


@pytest.mark.parametrize(("action", "params", "stored"), ACTIONS)
def test_each_action_on_one_meter_is_queued_with_its_event(
    world: World, meter: Meter, action: str, params: Any, stored: dict
) -> None:
    by = world.user("cluster_incharge")
    command, created = command_request(
        target=meter, action=action, params=params, reason="test", key="k1", by=by
    )
    assert created
    assert (command.target, command.meter, command.plant, command.action) == (
        "meter",
        meter,
        world.plants["BHKATS"],
        action,
    )
    assert (command.state, command.params, command.requested_by) == (
        "queued",
        stored,
        by,
    )
    assert [(e.state, e.by) for e in command.events.all()] == [("queued", by)]


@pytest.mark.parametrize(
    ("action", "params", "code"),
    [
        ("blink", None, "command_action_unknown"),
        ("on", {"limit_w": 5}, "command_params_invalid"),
        ("set_limit", None, "command_params_invalid"),
        ("set_limit", {"limit_w": 0}, "limit_invalid"),
        ("set_limit", {"limit_w": "12.5"}, "limit_invalid"),
        ("set_limit", {"limit_w": True}, "limit_invalid"),
        ("set_limit", {"limit_w": 100_001}, "limit_invalid"),
        ("set_schedule", {"windows": []}, "schedule_invalid"),
        (
            "set_schedule",
            {"windows": [{"from": "25:00", "to": "06:00"}]},
            "schedule_invalid",
        ),
        (
            "set_schedule",
            {"windows": [{"from": "06:00", "to": "06:00"}]},
            "schedule_invalid",
        ),
        ("set_schedule", {"windows": ["18:00-06:00"]}, "schedule_invalid"),
        ("token", {"token": "12ab"}, "token_invalid"),
    ],
)
def test_bad_parameters_are_refused_and_nothing_is_written(
    world: World, meter: Meter, action: str, params: Any, code: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        command_request(target=meter, action=action, params=params, key="k", by=None)
    assert err.value.code == code
    assert not MeterCommand.objects.exists()
    assert not CommandEvent.objects.exists()


@pytest.mark.parametrize(
    ("kind", "driver"),
    [("conventional", "simulator"), ("smart", "manual"), ("load_limiter", "other")],
)
def test_a_meter_that_cannot_be_reached_is_refused(
    world: World, kind: str, driver: str
) -> None:
    meter = installed(world.customers["BHKATS"], "X-1", kind=kind, driver=driver)
    with pytest.raises(ValidationFailed) as err:
        command_request(target=meter, action="off", key="k", by=None)
    assert err.value.code == "meter_not_controllable"
    assert not MeterCommand.objects.exists()


def test_a_token_goes_to_one_meter_only(world: World, meter: Meter) -> None:
    with pytest.raises(ValidationFailed) as err:
        command_request(
            target=world.plants["BHKATS"],
            action="token",
            params={"token": "123456789"},
            key="k",
            by=None,
        )
    assert err.value.code == "command_action_unknown"


def test_a_feeder_command_fans_out_to_its_reachable_meters(world: World) -> None:
    f1 = installed(world.customers["BHKATS"], "SM-F1")
    f2 = installed(customer_on_f2(world), "SM-F2", kind="load_limiter")
    installed(
        customer_on_f2(world, phone="+919800000021"), "CM-F2", kind="conventional"
    )
    feeder = Feeder.objects.get(plant=world.plants["BHKATS"], code="F2")
    by = world.user("cluster_incharge")
    parent, created = command_request(
        target=feeder, action="off", reason="storm", key="f", by=by
    )
    assert created
    assert (parent.target, parent.feeder, parent.meter) == ("feeder", feeder, None)
    children = list(parent.children.all())
    assert [c.meter for c in children] == [f2]
    assert children[0].feeder == feeder
    assert (children[0].reason, children[0].requested_by) == ("storm", by)
    assert [e.note for e in parent.events.all()] == ["1 meters"]
    assert children[0].events.get().state == "queued"
    assert not MeterCommand.objects.filter(meter=f1).exists()


def test_the_plant_master_switch_reaches_every_installed_meter(world: World) -> None:
    meters = [
        installed(world.customers["BHKATS"], "SM-A"),
        installed(customer_on_f2(world), "LL-B", kind="load_limiter"),
    ]
    installed(world.customers["BHSIKA"], "SM-SIKA")  # another plant
    parent, _ = command_request(
        target=world.plants["BHKATS"], action="off", key="p", by=None
    )
    assert parent.target == "plant"
    assert sorted(c.meter.serial for c in parent.children.all()) == sorted(
        m.serial for m in meters
    )
    assert MeterCommand.objects.count() == 3


def test_a_plant_with_no_reachable_meter_is_refused(world: World) -> None:
    installed(world.customers["BHKATS"], "CM-1", kind="conventional")
    with pytest.raises(ValidationFailed) as err:
        command_request(target=world.plants["BHKATS"], action="off", key="p", by=None)
    assert err.value.code == "no_meters_reached"
    assert not MeterCommand.objects.exists()


def test_a_replay_returns_the_first_command_and_writes_nothing(
    world: World, meter: Meter, enqueued: list[int], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first, created = command_request(target=meter, action="off", key="k", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        again, again_created = command_request(
            target=meter, action="off", key="k", by=None
        )
    assert (created, again_created, again.pk) == (True, False, first.pk)
    assert MeterCommand.objects.count() == 1
    assert CommandEvent.objects.count() == 1
    assert enqueued == [first.pk]


def test_a_key_used_for_another_command_is_a_conflict(
    world: World, meter: Meter
) -> None:
    command_request(target=meter, action="off", key="k", by=None)
    with pytest.raises(Conflict) as err:
        command_request(target=meter, action="on", key="k", by=None)
    assert err.value.code == "idempotency_key_reused"
    with pytest.raises(Conflict):
        command_request(target=world.plants["BHKATS"], action="off", key="k", by=None)
    assert MeterCommand.objects.count() == 1


def test_sends_are_queued_after_commit_and_never_on_rollback(
    world: World, meter: Meter, enqueued: list[int], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        command, _ = command_request(target=meter, action="off", key="k", by=None)
        assert enqueued == []  # nothing leaves inside the transaction
    assert len(callbacks) == 1
    assert enqueued == [command.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        command_request(target=meter, action="on", key="k2", by=None)
        raise RuntimeError
    assert enqueued == [command.pk]
    assert not MeterCommand.objects.filter(key="k2").exists()


def test_fan_out_queues_one_send_per_meter(
    world: World, enqueued: list[int], django_capture_on_commit_callbacks
) -> None:
    installed(world.customers["BHKATS"], "SM-A")
    installed(customer_on_f2(world), "SM-B")
    with django_capture_on_commit_callbacks(execute=True):
        parent, _ = command_request(
            target=world.plants["BHKATS"], action="auto", key="p", by=None
        )
    assert sorted(enqueued) == sorted(parent.children.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("target", "action", "needed"),
    [
        ("meter", "on", Action.METER_CONTROL),
        ("meter", "off", Action.METER_CONTROL),
        ("meter", "auto", Action.METER_CONTROL),
        ("meter", "reset", Action.METER_CONTROL),
        ("meter", "token", Action.METER_CONTROL),
        ("meter", "set_limit", Action.METER_GROUP_CONTROL),
        ("meter", "set_schedule", Action.METER_GROUP_CONTROL),
        ("feeder", "off", Action.METER_GROUP_CONTROL),
        ("plant", "on", Action.METER_GROUP_CONTROL),
    ],
)
def test_which_permission_a_command_needs(target: str, action: str, needed) -> None:
    assert required_action(target=target, action=action) == needed
