"""The demo's meter-control data: reachable devices at the first plants,
OpenPAYGO keys with a token each that decodes, and commands through the
simulator with their outcomes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from openpaygo import OpenPAYGOTokenDecoder

from mcoms.metering.drivers import simulator
from mcoms.metering.models import Meter, MeterCommand, TokenIssue


@pytest.mark.django_db
def test_the_demo_seeds_devices_tokens_and_commands() -> None:
    simulator.reset()
    call_command("seed_demo", customers=80, seed=5)
    meters = Meter.objects.filter(serial__contains="-C", driver="simulator")
    assert meters.filter(kind="load_limiter", location="installed").count() == 6
    assert meters.filter(kind="smart", location="installed").count() == 6
    for issue in TokenIssue.objects.select_related("meter"):
        value, _kind, count, _ = OpenPAYGOTokenDecoder.decode_token(
            token=issue.token,
            secret_key=issue.meter.payg_secret,
            count=0,
            used_counts=[],
        )
        assert (value, count) == (30, issue.count)
    assert TokenIssue.objects.count() == 6
    states = dict(
        MeterCommand.objects.filter(key__startswith="demo-").values_list("key", "state")
    )
    assert states == {
        "demo-1": "acknowledged",
        "demo-2": "acknowledged",
        "demo-3": "failed",
        "demo-4": "acknowledged",
    }
    assert (
        Meter.objects.filter(serial__endswith="-CSM-006", switch_state="off").count()
        == 1
    )
    simulator.reset()
