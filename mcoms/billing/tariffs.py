"""Tariff maths for bills: pure functions on Decimals and dates, no database.

* ``energy_charge``: kWh through the package's slabs (each band at its own
  rate), the kWh beyond the last slab at the package's rate per kWh.
* ``prorate``: an amount shared over parts of a period by days, rounded so
  that the shares of a whole period add up to the amount exactly.
* ``segments``: the days of a period a customer is billed for, with the
  tariff of each stretch (activation mid-period, package changes).
* ``estimate_kwh`` and ``true_up``: a missing reading billed as the average of
  the last three billed periods, then settled by the next actual reading.

Every amount is rounded with ``mcoms.core.money.quantize`` (half up).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mcoms.core.money import CENT, KWH, quantize

ZERO = Decimal("0.00")
DAYS_PER_MONTH = Decimal(30)
PREPAID = "prepaid"
METERED = "postpaid_metered"
UNMETERED = "postpaid_unmetered"


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Tariff:
    """The terms of a package that billing needs (``from_package``)."""

    billing_type: str
    rate: Decimal = ZERO
    slabs: tuple[tuple[Decimal, Decimal], ...] = ()  # (upto kWh, rate), rising
    fixed_monthly: Decimal = ZERO  # metered: the fixed charge per month
    monthly_amount: Decimal = ZERO  # unmetered: the flat amount per month
    prepaid_amount: Decimal = ZERO  # pre-paid: the amount per prepaid period
    prepaid_period_days: int = 30
    package_pk: int | None = None
    label: str = ""

    @classmethod
    def from_package(cls, package: Any) -> Tariff:
        """From a ``packages.Package`` (its slabs as validated by the packages
        app: ``[{"upto_kwh": "30", "rate": "5"}, ...]``)."""
        return cls(
            billing_type=package.billing_type,
            rate=_dec(package.rate_per_kwh or 0),
            slabs=tuple(
                (_dec(s["upto_kwh"]), _dec(s["rate"])) for s in package.slabs or ()
            ),
            fixed_monthly=_dec(package.fixed_monthly or 0),
            monthly_amount=_dec(package.monthly_amount or 0),
            prepaid_amount=_dec(package.prepaid_amount or 0),
            prepaid_period_days=package.prepaid_period_days or 30,
            package_pk=package.pk,
            label=package.package_id,
        )

    @property
    def metered(self) -> bool:
        return self.billing_type == METERED

    def monthly(self) -> Decimal:
        """The fixed amount of a whole month: the metered fixed charge, the
        unmetered monthly amount, or the pre-paid amount for 30 days."""
        if self.billing_type == PREPAID:
            days = Decimal(self.prepaid_period_days)
            return quantize(self.prepaid_amount * DAYS_PER_MONTH / days)
        if self.metered:
            return quantize(self.fixed_monthly)
        return quantize(self.monthly_amount)

    def period_amount(self, *, days: int, is_month: bool) -> Decimal:
        """The fixed amount of a whole billing period: a calendar month is one
        month; any other period is its days over 30."""
        if is_month:
            return self.monthly()
        return quantize(self.monthly() * Decimal(days) / DAYS_PER_MONTH)


# --- energy -------------------------------------------------------------------------
def energy_charge(kwh: Decimal, tariff: Tariff) -> Decimal:
    """The charge for ``kwh`` (>= 0): slab bands, then the base rate."""
    if kwh < 0:
        raise ValueError("kWh cannot be negative")
    charge, floor = Decimal(0), Decimal(0)
    for upto, rate in tariff.slabs:
        band = min(kwh, upto) - floor
        if band > 0:
            charge += band * rate
        floor = max(floor, upto)
    if kwh > floor:
        charge += (kwh - floor) * tariff.rate
    return quantize(charge)


def split_evenly(total: Decimal, parts: int, places: Decimal = KWH) -> list[Decimal]:
    """``total`` in ``parts`` shares that differ by at most one unit of
    ``places`` and add up to ``total`` exactly (cumulative rounding)."""
    if parts < 1:
        raise ValueError("at least one part")
    shares, before = [], Decimal(0)
    for i in range(1, parts + 1):
        upto = quantize(total * i / parts, places)
        shares.append(upto - before)
        before = upto
    return shares


def actual_energy(kwh: Decimal, periods: int, tariff: Tariff) -> Decimal:
    """The charge for ``kwh`` read over ``periods`` billing periods: the kWh
    shared evenly, each period's share through the slabs on its own."""
    return sum(
        (energy_charge(share, tariff) for share in split_evenly(kwh, periods)), ZERO
    )


# --- proration ----------------------------------------------------------------------
def prorate(amount: Decimal, parts: Sequence[int], total: int) -> list[Decimal]:
    """``amount`` for a period of ``total`` days, shared over ``parts`` (days
    each). Cumulative rounding: when the parts cover the period the shares add
    up to ``amount`` exactly; otherwise to ``amount * sum(parts) / total``
    rounded once."""
    if total <= 0 or any(p < 0 for p in parts) or sum(parts) > total:
        raise ValueError("parts must be >= 0 and within the period")
    shares, before, days = [], ZERO, 0
    for part in parts:
        days += part
        upto = quantize(amount * days / total, CENT)
        shares.append(upto - before)
        before = upto
    return shares


@dataclass(frozen=True)
class Segment:
    """Days ``[start, end)`` of a period billed on ``tariff``."""

    start: date
    end: date
    tariff: Tariff

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def segments(
    *,
    start: date,
    end: date,
    tariff: Tariff,
    activated_on: date | None = None,
    changes: Iterable[tuple[date, Tariff]] = (),
) -> list[Segment]:
    """The billed stretches of ``[start, end)``: from the activation day (if it
    falls in the period) to the end, cut at each package change (the date
    from which the new tariff applies). ``tariff`` is the one in force at the
    start; a change on or before the start replaces it; one on or after the
    end is ignored. An activation on or after the end bills nothing."""
    begin = max(start, activated_on) if activated_on else start
    if begin >= end:
        return []
    current, cuts = tariff, []
    for when, new in sorted(changes, key=lambda c: c[0]):
        if when <= begin:
            current = new
        elif when < end:
            cuts.append((when, new))
    out, at = [], begin
    for when, new in cuts:
        if when > at:
            out.append(Segment(at, when, current))
        current, at = new, when
    out.append(Segment(at, end, current))
    return out


def fixed_charges(
    parts: Sequence[Segment], *, days: int, is_month: bool
) -> list[tuple[Segment, Decimal, Decimal]]:
    """(segment, share of the period, amount) per segment: each tariff's
    whole-period amount prorated by days; segments on the same tariff share
    one cumulative rounding, so a period cut at no real change costs exactly
    the whole amount."""
    out: list[tuple[Segment, Decimal, Decimal]] = []
    by_tariff: dict[Tariff, list[int]] = {}
    for i, seg in enumerate(parts):
        by_tariff.setdefault(seg.tariff, []).append(i)
    amounts: dict[int, Decimal] = {}
    for tariff, idx in by_tariff.items():
        full = tariff.period_amount(days=days, is_month=is_month)
        shares = prorate(full, [parts[i].days for i in idx], days)
        amounts.update(zip(idx, shares, strict=True))
    for i, seg in enumerate(parts):
        share = quantize(Decimal(seg.days) / Decimal(days), KWH)
        out.append((seg, share, amounts[i]))
    return out


# --- estimates and true-ups -----------------------------------------------------------
def estimate_kwh(history: Sequence[Decimal]) -> Decimal:
    """The average of the last three billed periods' kWh (``history`` oldest
    first), 0 without history."""
    last = list(history)[-3:]
    if not last:
        return Decimal("0.000")
    return quantize(sum(last, Decimal(0)) / len(last), KWH)


@dataclass(frozen=True)
class TrueUp:
    kwh: Decimal  # actual kWh less the kWh estimated before
    amount: Decimal  # actual charge less the estimates' charges
    actual_amount: Decimal  # the charge for the actual kWh over the periods
    period_kwh: Decimal  # the actual kWh counted for the current period


def true_up(
    actual_kwh: Decimal, estimates: Sequence[tuple[Decimal, Decimal]], tariff: Tariff
) -> TrueUp:
    """The line that settles ``estimates`` ((kWh, amount) billed for earlier
    periods) with an actual reading of ``actual_kwh`` since the last actual
    one, covering those periods and the current one:
    ``amount + sum(estimated amounts) == actual_amount``."""
    periods = len(estimates) + 1
    actual = actual_energy(actual_kwh, periods, tariff)
    estimated_kwh = sum((k for k, _ in estimates), Decimal(0))
    estimated_amount = sum((a for _, a in estimates), ZERO)
    return TrueUp(
        kwh=actual_kwh - estimated_kwh,
        amount=actual - estimated_amount,
        actual_amount=actual,
        period_kwh=split_evenly(actual_kwh, periods)[-1],
    )
