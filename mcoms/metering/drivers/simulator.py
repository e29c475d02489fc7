"""The meter simulator behind the driver port: a meter that answers at once
and keeps its state (switch, load limit, schedule, last token) in the process.

Tests and the demo may script what the next sends to a meter answer
(``script(serial, "timeout", "ok")``): ``ok``, ``timeout`` and ``error``
(retryable) or ``refused`` (for good). Interval data comes from the readings
simulator (``mcoms.metering.simulator.simulate_intervals``), the same for the
same seed and serial."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mcoms.metering.drivers import DriverCommand, DriverError, IntervalPoint, Outcome
from mcoms.metering.models import Meter

SCRIPTED = ("ok", "timeout", "error", "refused")


@dataclass
class SimulatedMeter:
    switch: str = "auto"
    load_limit_w: int | None = None
    schedule: list[Any] = field(default_factory=list)
    last_token: str = ""
    received: list[str] = field(default_factory=list)  # references, in order


_lock = threading.Lock()
_meters: dict[str, SimulatedMeter] = {}
_scripts: dict[str, deque[str]] = {}


def state(serial: str) -> SimulatedMeter:
    """The simulated meter (made on first use)."""
    with _lock:
        return _meters.setdefault(serial, SimulatedMeter())


def script(serial: str, *answers: str) -> None:
    """Queue the answers of the next sends to ``serial`` (then ``ok`` again)."""
    unknown = set(answers) - set(SCRIPTED)
    if unknown:
        raise ValueError(f"Unknown answers {sorted(unknown)}; use {SCRIPTED}.")
    with _lock:
        _scripts.setdefault(serial, deque()).extend(answers)


def reset() -> None:
    """Forget every simulated meter and script (between tests)."""
    with _lock:
        _meters.clear()
        _scripts.clear()


def _apply(meter: SimulatedMeter, command: DriverCommand) -> None:
    action, params = command.action, command.params
    if action in ("on", "off", "auto"):
        meter.switch = action
    elif action == "reset":
        meter.switch, meter.load_limit_w, meter.schedule = "auto", None, []
    elif action == "set_limit":
        meter.load_limit_w = int(params["limit_w"])
    elif action == "set_schedule":
        meter.schedule = list(params["windows"])
    elif action == "token":
        meter.last_token = str(params["token"])


class SimulatorDriver:
    """``seed`` chooses the simulated consumption (the same seed, the same data)."""

    def __init__(self, *, seed: int = 1) -> None:
        self.seed = seed

    def send(self, command: DriverCommand) -> Outcome:
        with _lock:
            queue = _scripts.get(command.serial)
            answer = queue.popleft() if queue else "ok"
            meter = _meters.setdefault(command.serial, SimulatedMeter())
            if answer == "ok":
                _apply(meter, command)
                meter.received.append(command.reference)
        if answer == "timeout":
            return Outcome.retryable("timeout: the meter did not answer")
        if answer == "error":
            return Outcome.retryable("the meter's gateway reported an error")
        if answer == "refused":
            return Outcome.refused("the meter refused the command")
        return Outcome.acknowledged(ref=f"sim-{command.reference}")

    def read_intervals(
        self, meter: Meter, start: datetime, end: datetime
    ) -> list[IntervalPoint]:
        """The 15-minute counters in (start, end] from the readings simulator."""
        from mcoms.metering.simulator import DEFAULT_TZ, simulate_intervals

        tz = meter.plant.timezone if meter.plant else DEFAULT_TZ
        try:
            rows = simulate_intervals(
                meter_serial=meter.serial, seed=self.seed, start=start, end=end, tz=tz
            )
        except ValueError as exc:
            raise DriverError(str(exc), retry=False) from exc
        return [IntervalPoint(at=at, kwh=kwh) for at, kwh in rows]
