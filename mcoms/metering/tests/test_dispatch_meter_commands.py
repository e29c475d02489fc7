"""manage.py dispatch_meter_commands: queue the due sends for the worker, or
send them in the process with --inline."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from mcoms.metering import control
from mcoms.metering.control import command_request
from mcoms.metering.drivers import simulator
from mcoms.metering.models import MeterCommand
from mcoms.metering.tests.control_kit import installed, sim
from tests.builders import World

__all__ = ["sim"]


def run(*args: str) -> str:
    out = StringIO()
    call_command("dispatch_meter_commands", *args, stdout=out)
    return out.getvalue().strip()


def test_inline_sends_what_is_due(world: World, sim: None) -> None:
    meter = installed(world.customers["BHKATS"], "SM-1")
    ok, _ = command_request(target=meter, action="off", key="a", by=None)
    other = installed(world.customers["BHSIKA"], "SM-2")
    simulator.script("SM-2", "timeout")
    retry, _ = command_request(target=other, action="off", key="b", by=None)
    assert run("--inline") == (
        "sent 2 (acknowledged 1, queued 1), taken back 0, given up 0, "
        "waiting to retry 1"
    )
    assert MeterCommand.objects.get(pk=ok.pk).state == "acknowledged"
    assert MeterCommand.objects.get(pk=retry.pk).state == "queued"
    assert run("--inline").startswith("sent 0 (none)")


def test_without_inline_the_due_sends_are_queued(
    world: World, sim: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(
        control, "_enqueue", lambda ids, run_after=None: queued.extend(ids)
    )
    meter = installed(world.customers["BHKATS"], "SM-1")
    command, _ = command_request(target=meter, action="off", key="a", by=None)
    assert run() == "queued 1, taken back 0, given up 0"
    assert queued == [command.pk]
    assert MeterCommand.objects.get(pk=command.pk).state == "queued"
