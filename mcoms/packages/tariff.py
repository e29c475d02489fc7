"""Tariff maths: the anticipated monthly bill and the security deposit."""

from __future__ import annotations

from decimal import Decimal

from mcoms.core.money import KWH, quantize
from mcoms.packages import ids
from mcoms.packages.models import BillingType, DepositRule, Package


def energy_charge(
    *, kwh: Decimal, rate: Decimal, slabs: list[dict[str, str]]
) -> Decimal:
    """Slabs in ascending ``upto_kwh`` order, each charged at its own rate; the
    kWh beyond the last slab at ``rate``."""
    charge, floor = Decimal(0), Decimal(0)
    for slab in slabs:
        upto = Decimal(str(slab["upto_kwh"]))
        band = min(kwh, upto) - floor
        if band > 0:
            charge += band * Decimal(str(slab["rate"]))
        floor = upto
    if kwh > floor:
        charge += (kwh - floor) * rate
    return quantize(charge)


def anticipated_kwh(package: Package) -> Decimal:
    """Full load for every live hour of the timing, over a 30-day month."""
    hours = ids.hours_per_day(package.timing.slots)
    return quantize(Decimal(package.load_w) * hours * ids.DAYS_PER_MONTH / 1000, KWH)


def monthly_charge(package: Package) -> Decimal:
    """The charge in the package ID: prepaid normalised to a month, the fixed
    monthly charge of a metered package (or 0), the unmetered monthly amount."""
    if package.billing_type == BillingType.PREPAID:
        assert package.prepaid_amount is not None  # noqa: S101 - validated
        assert package.prepaid_period_days  # noqa: S101
        return ids.monthly_from_period(
            package.prepaid_amount, package.prepaid_period_days
        )
    if package.billing_type == BillingType.POSTPAID_METERED:
        return quantize(package.fixed_monthly or Decimal(0))
    return quantize(package.monthly_amount or Decimal(0))


def anticipated_monthly_bill(package: Package, kwh: Decimal | None = None) -> Decimal:
    """What a month costs; for metered packages ``kwh`` defaults to
    ``anticipated_kwh``."""
    if package.billing_type != BillingType.POSTPAID_METERED:
        return monthly_charge(package)
    used = anticipated_kwh(package) if kwh is None else Decimal(kwh)
    energy = energy_charge(
        kwh=used, rate=package.rate_per_kwh or Decimal(0), slabs=package.slabs
    )
    return quantize(energy + (package.fixed_monthly or Decimal(0)))


def deposit_for(package: Package) -> Decimal:
    if package.deposit_rule == DepositRule.FIXED:
        return quantize(package.deposit_amount or Decimal(0))
    multiple = package.deposit_multiple or Decimal(0)
    return quantize(multiple * anticipated_monthly_bill(package))
