"""A smart-meter simulator: realistic 15-minute energy counters for the demo,
the tests, the benchmarks and the simulator driver (``drivers/``).

Deterministic: the same seed and serial give the same counter at the same
moment, whatever window is asked for, so two calls for consecutive windows
join up. The counter is a function of absolute time: each local day's energy
comes from a hash of (seed, serial, day); the counter at a day's start is a
base value plus the energy of every day since ``EPOCH``; inside the day the
energy is spread over the intervals by a load profile with noise, the last
interval taking the rounding remainder so the day adds up exactly. Counters
never go down (see :func:`inject` for gaps and resets in tests).

Profiles (watts by local hour, before the day's scale and noise):

* ``household``: a light and a fan at night, a little in the morning, low in
  the day, the evening peak 18:00-22:00 (lights, TV, fan);
* ``shop``: closed at night, open 08:00-21:00, busiest 17:00-20:00.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

KWH = Decimal("0.001")
EPOCH = date(2020, 1, 1)  # counters count from here (local days)
DEFAULT_TZ = "Asia/Kolkata"

# Watts by local hour 0..23.
PROFILES: dict[str, tuple[int, ...]] = {
    "household": (
        *(18, 15, 15, 15, 15, 30),  # 00-05: night light, fan
        *(45, 40, 12, 8, 8, 8, 10, 10, 8, 8, 10, 25),  # 06-17: day low
        *(110, 160, 170, 140, 70, 35),  # 18-23: evening peak
    ),
    "shop": (
        *(4, 4, 4, 4, 4, 4, 4, 10),  # 00-07: closed
        *(120, 160, 180, 190, 200, 190, 180, 200, 240),  # 08-16
        *(300, 340, 320, 120, 10, 4, 4),  # 17-19 busiest, closing, 21-23
    ),
}
assert all(len(watts) == 24 for watts in PROFILES.values())  # noqa: S101
SHOP_SHARE = 5  # one meter in five is a shop when the profile is left to chance


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts."""
    text = ":".join(str(p) for p in parts).encode()
    digest = hashlib.blake2b(text, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def profile_for(serial: str, seed: int) -> str:
    return "shop" if _unit(seed, serial, "profile") * SHOP_SHARE < 1 else "household"


def _scale(serial: str, seed: int) -> float:
    """How big this connection is compared with the profile (0.6 to 1.6)."""
    return 0.6 + _unit(seed, serial, "scale")


def _base(serial: str, seed: int) -> Decimal:
    """The counter on ``EPOCH`` (what the meter showed when it was new here)."""
    return Decimal(int(_unit(seed, serial, "base") * 500_000)) * KWH


def _day_energy(serial: str, seed: int, day: date, profile: str) -> Decimal:
    """The day's energy (kWh): the profile's daily total, the connection's
    size, and a day-to-day swing of +-25 % (weather, guests, market days)."""
    watt_hours = sum(PROFILES[profile])
    swing = 0.75 + 0.5 * _unit(seed, serial, day.toordinal())
    kwh = watt_hours / 1000 * _scale(serial, seed) * swing
    return Decimal(str(kwh)).quantize(KWH, rounding=ROUND_HALF_UP)


def _counter_at_day_start(
    serial: str, seed: int, day: date, profile: str, cache: dict[date, Decimal]
) -> Decimal:
    if day in cache:
        return cache[day]
    total = _base(serial, seed)
    d = EPOCH
    while d < day:
        total += _day_energy(serial, seed, d, profile)
        d += timedelta(days=1)
    cache[day] = total
    return total


def _day_intervals(
    serial: str, seed: int, day: date, profile: str, per_hour: int
) -> list[Decimal]:
    """The day's energy spread over its intervals (kWh each, summing exactly
    to the day's energy)."""
    rng = random.Random(f"{seed}:{serial}:{day.toordinal()}:spread")  # noqa: S311
    weights = []
    for hour in PROFILES[profile]:
        for _ in range(per_hour):
            weights.append(hour * rng.uniform(0.7, 1.3))
    total = _day_energy(serial, seed, day, profile)
    scale = total / Decimal(str(sum(weights)))
    parts = [(Decimal(str(w)) * scale).quantize(KWH) for w in weights]
    parts[-1] += total - sum(parts)
    if parts[-1] < 0:  # rounding never makes it negative by more than a step
        parts[-2] += parts[-1]
        parts[-1] = Decimal(0)
    return parts


def simulate_intervals(
    *,
    meter_serial: str,
    seed: int,
    start: datetime,
    end: datetime,
    interval_minutes: int = 15,
    profile: str | None = None,
    tz: str = DEFAULT_TZ,
) -> list[tuple[datetime, Decimal]]:
    """The meter's counter (kWh) at the end of each interval in (start, end]:
    aware datetimes in UTC on the interval grid, counters that never go down.
    ``interval_minutes`` must divide 60. ``profile`` is ``household`` or
    ``shop``; by default the serial and seed choose (one in five a shop)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if start.astimezone(ZoneInfo(tz)).date() < EPOCH:
        raise ValueError(f"the simulator starts on {EPOCH}")
    if interval_minutes <= 0 or 60 % interval_minutes:
        raise ValueError("interval_minutes must divide 60")
    profile = profile or profile_for(meter_serial, seed)
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    zone = ZoneInfo(tz)
    per_hour = 60 // interval_minutes
    step = timedelta(minutes=interval_minutes)
    out: list[tuple[datetime, Decimal]] = []
    cache: dict[date, Decimal] = {}
    day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    counter = None
    while day <= last_day:
        if counter is None:
            counter = _counter_at_day_start(meter_serial, seed, day, profile, cache)
        midnight = datetime.combine(day, time(0), zone).astimezone(UTC)
        parts = _day_intervals(meter_serial, seed, day, profile, per_hour)
        for n, kwh in enumerate(parts, start=1):
            counter += kwh
            at = midnight + step * n
            if start < at <= end:
                out.append((at, counter))
        day += timedelta(days=1)
    return out


def inject(
    rows: Iterable[tuple[datetime, Decimal]],
    *,
    gaps: Iterable[tuple[datetime, datetime]] = (),
    resets: Iterable[datetime] = (),
) -> list[tuple[datetime, Decimal]]:
    """Test data with faults: rows inside a gap ``(from, to]`` are dropped; at
    each reset time the counter restarts from zero (the energy of that
    interval counts from zero, then the counter climbs again)."""
    gaps = list(gaps)
    reset_at = sorted(resets)
    out: list[tuple[datetime, Decimal]] = []
    offset = Decimal(0)
    previous: Decimal | None = None
    for at, kwh in rows:
        if reset_at and at >= reset_at[0] and previous is not None:
            reset_at.pop(0)
            offset = previous
        value = kwh - offset
        previous = kwh
        if any(lo < at <= hi for lo, hi in gaps):
            continue
        out.append((at, value))
    return out
