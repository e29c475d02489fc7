"""Package IDs and timing slots: pure functions, no database.

A package ID is ``<type>(<timing>)/<load W>/<monthly charge>``, e.g.
``A1.1(NN)/17/160`` (ARCHITECTURE section 4).
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

from mcoms.core.money import quantize

TYPE_CODE = re.compile(r"^[A-Z][A-Z0-9.]{0,9}$")
TIMING_CODE = re.compile(r"^[A-Z]{2,4}$")
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$")
DAY_MINUTES = 24 * 60
DAYS_PER_MONTH = 30


def format_amount(amount: Decimal) -> str:
    """``160`` for 160.00, ``160.50`` for 160.5: whole rupees print bare."""
    value = quantize(amount)
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:f}"


def build_package_id(
    *, type_code: str, timing_code: str, load_w: int, monthly: Decimal
) -> str:
    return f"{type_code}({timing_code})/{load_w}/{format_amount(monthly)}"


def monthly_from_period(amount: Decimal, period_days: int) -> Decimal:
    """A prepaid amount for ``period_days`` normalised to a 30-day month."""
    return quantize(amount * DAYS_PER_MONTH / Decimal(period_days))


def minutes(clock: str) -> int:
    """``"18:30"`` -> 1110; ``"24:00"`` -> 1440. ValueError on anything else."""
    if not isinstance(clock, str) or not CLOCK.match(clock):
        raise ValueError(clock)
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def slot_intervals(slots: list[list[str]]) -> list[tuple[int, int]]:
    """Minute intervals [start, end) within one day; a slot that passes midnight
    (18:00-06:00) becomes two. ValueError on a malformed or empty slot."""
    out: list[tuple[int, int]] = []
    for slot in slots:
        if not isinstance(slot, list | tuple) or len(slot) != 2:
            raise ValueError(slot)
        start, end = minutes(slot[0]), minutes(slot[1])
        if start in (DAY_MINUTES, end):
            raise ValueError(slot)
        if start < end:
            out.append((start, end))
        else:
            out.append((start, DAY_MINUTES))
            if end:
                out.append((0, end))
    return sorted(out)


def slots_overlap(intervals: list[tuple[int, int]]) -> bool:
    """True when two intervals share a minute (touching ends do not overlap)."""
    ordered = sorted(intervals)
    return any(b[0] < a[1] for a, b in itertools.pairwise(ordered))


def hours_per_day(slots: list[list[str]]) -> Decimal:
    total = sum(end - start for start, end in slot_intervals(slots))
    return Decimal(total) / 60
