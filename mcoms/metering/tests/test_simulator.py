"""The meter simulator: deterministic, windows that join up, counters that
never go down, load profiles with their peaks, and injected faults."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mcoms.metering.simulator import inject, profile_for, simulate_intervals

START = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)  # 1 Oct, midnight in India
END = START + timedelta(days=7)


def sim(serial: str = "SM-1", **kw):
    kw.setdefault("start", START)
    kw.setdefault("end", END)
    return simulate_intervals(meter_serial=serial, seed=kw.pop("seed", 1), **kw)


def test_the_same_seed_and_serial_give_the_same_data() -> None:
    assert sim() == sim()
    assert sim() != sim(seed=2)
    assert sim("SM-1") != sim("SM-2")


def test_windows_join_up() -> None:
    whole = dict(sim())
    part = sim(start=START + timedelta(days=3, hours=5), end=START + timedelta(days=4))
    assert part and all(whole[at] == kwh for at, kwh in part)


def test_counters_never_go_down_on_the_15_minute_grid() -> None:
    rows = sim()
    assert len(rows) == 7 * 96
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(rows))
    assert all(at.timestamp() % 900 == 0 for at, _ in rows)
    assert all(kwh == kwh.quantize(Decimal("0.001")) for _, kwh in rows)


def hourly(rows) -> dict[int, Decimal]:
    """Mean energy per local hour."""
    out: dict[int, Decimal] = defaultdict(Decimal)
    for (_, before), (at, after) in itertools.pairwise(rows):
        hour = (at - timedelta(minutes=1)).astimezone(ZoneInfo("Asia/Kolkata")).hour
        out[hour] += after - before
    return out


def test_a_household_peaks_in_the_evening() -> None:
    use = hourly(sim(profile="household"))
    assert use[20] > 4 * use[12]  # evening peak, daytime low
    assert use[2] > 0  # night lighting and a fan


def test_a_shop_uses_the_day_not_the_night() -> None:
    use = hourly(sim(profile="shop"))
    assert use[18] > use[12] > 10 * use[3]


def test_profiles_are_chosen_by_serial() -> None:
    chosen = {profile_for(f"SM-{n}", 7) for n in range(50)}
    assert chosen == {"household", "shop"}


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        sim(start=START.replace(tzinfo=None))
    with pytest.raises(ValueError):
        sim(interval_minutes=7)
    with pytest.raises(ValueError):
        sim(profile="factory")
    with pytest.raises(ValueError):
        sim(start=datetime(2019, 1, 1, tzinfo=UTC))
    assert len(sim(interval_minutes=30)) == 7 * 48


def test_injected_gaps_and_resets() -> None:
    rows = sim(end=START + timedelta(days=1))
    gap = (rows[9][0], rows[19][0])
    faulty = inject(rows, gaps=[gap], resets=[rows[40][0]])
    assert len(faulty) == len(rows) - 10
    times = [at for at, _ in faulty]
    assert rows[10][0] not in times and rows[20][0] in times
    after = dict(faulty)
    assert after[rows[40][0]] == rows[40][1] - rows[39][1]  # from zero
    assert after[rows[41][0]] == rows[41][1] - rows[39][1]
