"""The simulator driver: it keeps each meter's state, answers as scripted,
and reads the readings simulator's 15-minute counters; the registry."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from mcoms.metering.drivers import (
    DriverCommand,
    DriverError,
    driver_for,
    remote_driver_names,
    simulator,
)
from mcoms.metering.drivers.simulator import SimulatorDriver
from mcoms.metering.tests.control_kit import installed, sim
from tests.builders import World

__all__ = ["sim"]


def send(serial: str, action: str, **params) -> object:
    return SimulatorDriver().send(DriverCommand("r", serial, action, params))


def test_the_simulated_meter_keeps_its_state(sim: None) -> None:
    assert send("S", "off").ok
    assert send("S", "set_limit", limit_w=40).ok
    assert send("S", "set_schedule", windows=[{"from": "18:00", "to": "06:00"}]).ok
    meter = simulator.state("S")
    assert (meter.switch, meter.load_limit_w, len(meter.schedule)) == ("off", 40, 1)
    assert send("S", "reset").ok
    assert (meter.switch, meter.load_limit_w, meter.schedule) == ("auto", None, [])


def test_scripted_answers_then_ok(sim: None) -> None:
    simulator.script("S", "timeout", "error", "refused")
    outcomes = [send("S", "on") for _ in range(4)]
    assert [(o.ok, o.retry) for o in outcomes] == [
        (False, True),
        (False, True),
        (False, False),
        (True, False),
    ]
    assert simulator.state("S").switch == "on"
    with pytest.raises(ValueError, match="Unknown answers"):
        simulator.script("S", "explode")


def test_interval_data_from_the_readings_simulator(world: World, sim: None) -> None:
    meter = installed(world.customers["BHKATS"], "SM-1")
    start = datetime(2026, 5, 1, tzinfo=UTC)
    end = datetime(2026, 5, 1, 2, tzinfo=UTC)
    points = SimulatorDriver().read_intervals(meter, start, end)
    assert len(points) == 8
    assert points[-1].at == end
    assert all(a.kwh <= b.kwh for a, b in itertools.pairwise(points))
    assert points == SimulatorDriver().read_intervals(meter, start, end)
    with pytest.raises(DriverError):
        SimulatorDriver().read_intervals(meter, start.replace(year=2019), end)


def test_the_registry(settings) -> None:
    assert isinstance(driver_for("simulator"), SimulatorDriver)
    assert driver_for("manual") is None
    assert driver_for("nobody") is None
    assert remote_driver_names() == ["simulator", "sparkmeter"]
    settings.METER_DRIVERS = {
        "sim2": {"class": "mcoms.metering.drivers.simulator.SimulatorDriver", "seed": 7}
    }
    made = driver_for("sim2")
    assert isinstance(made, SimulatorDriver)
    assert made.seed == 7
    assert remote_driver_names() == ["sim2"]
