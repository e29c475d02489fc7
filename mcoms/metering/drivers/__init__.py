"""The smart-meter driver port: how MCOMS talks to meters it can reach.

A driver sends one command to one meter and answers with an ``Outcome``
(acknowledged, or failed and worth retrying, or failed for good), and reads a
meter's interval data. Two implementations:

* ``simulator`` (``drivers/simulator.py``): keeps each meter's state in the
  process; the demo and the tests run on it with no network;
* ``sparkmeter`` (``drivers/http.py``): a vendor cloud's HTTP JSON API
  (SparkMeter style), configured by ``SPARKMETER_*`` settings.

A meter names its driver in ``Meter.driver``; ``manual`` (and any name not in
the registry) means the meter cannot be reached: commands to it are refused.
The registry is ``settings.METER_DRIVERS`` (name -> dotted class path and
keyword options), by default the two above.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from mcoms.metering.models import Meter

MANUAL = "manual"


@dataclass(frozen=True)
class DriverCommand:
    """What a driver sends: ``reference`` is unique per command (the vendor may
    use it to drop a repeat), ``action`` one of ``CommandAction``."""

    reference: str
    serial: str
    action: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """A driver's answer. ``ok``: the meter (or its cloud) acknowledged.
    Otherwise ``retry`` says whether trying again later may succeed (timeouts,
    5xx) or not (the vendor refused the command); ``error`` says why."""

    ok: bool
    retry: bool = False
    error: str = ""
    ref: str = ""

    @classmethod
    def acknowledged(cls, ref: str = "") -> Outcome:
        return cls(ok=True, ref=ref)

    @classmethod
    def retryable(cls, error: str) -> Outcome:
        return cls(ok=False, retry=True, error=error[:300])

    @classmethod
    def refused(cls, error: str) -> Outcome:
        return cls(ok=False, retry=False, error=error[:300])


@dataclass(frozen=True)
class IntervalPoint:
    """A meter's energy counter (kWh) at the end of one interval."""

    at: datetime
    kwh: Decimal


class DriverError(Exception):
    """A read that failed; ``retry`` as in ``Outcome``."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class MeterDriver(Protocol):
    def send(self, command: DriverCommand) -> Outcome: ...

    def read_intervals(
        self, meter: Meter, start: datetime, end: datetime
    ) -> list[IntervalPoint]: ...


DEFAULT_DRIVERS: dict[str, dict[str, Any]] = {
    "simulator": {"class": "mcoms.metering.drivers.simulator.SimulatorDriver"},
    "sparkmeter": {"class": "mcoms.metering.drivers.http.HttpDriver"},
}


def registry() -> dict[str, dict[str, Any]]:
    return dict(getattr(settings, "METER_DRIVERS", None) or DEFAULT_DRIVERS)


def remote_driver_names() -> list[str]:
    """The driver names that reach a meter (every registered one)."""
    return sorted(name for name in registry() if name != MANUAL)


def driver_for(name: str) -> MeterDriver | None:
    """The driver called ``name``, or None when the meter cannot be reached."""
    spec = registry().get(name)
    if name == MANUAL or spec is None:
        return None
    options = {k: v for k, v in spec.items() if k != "class"}
    driver_class = import_string(spec["class"])
    driver: MeterDriver = driver_class(**options)
    return driver
