"""A package in words, for the screens (back office catalogue, field app list):
the tariff, the hours, the deposit rule. Reads only."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from mcoms.packages import tariff
from mcoms.packages.ids import format_amount, hours_per_day
from mcoms.packages.models import BillingType, DepositRule, Package

SYMBOLS = {"INR": "₹"}


def money(amount: Decimal | None, currency: str = "INR") -> str:
    if amount is None:
        return "—"
    symbol = SYMBOLS.get(currency)
    text = format_amount(amount)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def rate(value: Decimal | None, currency: str = "INR") -> str:
    """A rate per kWh keeps its 4 decimals, less trailing zeros: ``₹8.5``."""
    if value is None:
        return "—"
    text = f"{value.normalize():f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def slots_text(slots: list[list[str]]) -> str:
    """``18:00–06:00`` (12 h); several slots joined by commas."""
    hours = format_amount(hours_per_day(slots))
    return ", ".join(f"{a}–{b}" for a, b in slots) + f" ({hours} h)"


def tariff_text(package: Package, currency: str = "INR") -> str:
    if package.billing_type == BillingType.PREPAID:
        return _("%(amount)s per %(days)s days") % {
            "amount": money(package.prepaid_amount, currency),
            "days": package.prepaid_period_days,
        }
    if package.billing_type == BillingType.POSTPAID_UNMETERED:
        return _("%(amount)s a month") % {
            "amount": money(package.monthly_amount, currency)
        }
    parts = [
        _("up to %(kwh)s kWh at %(rate)s") % {"kwh": s["upto_kwh"], "rate": s["rate"]}
        for s in package.slabs
    ]
    text = _("%(rate)s per kWh") % {"rate": rate(package.rate_per_kwh, currency)}
    if parts:
        text = _("%(slabs)s, then %(rate)s") % {"slabs": "; ".join(parts), "rate": text}
    if package.fixed_monthly:
        text += " + " + _("%(amount)s a month") % {
            "amount": money(package.fixed_monthly, currency)
        }
    return text


def deposit_text(package: Package, currency: str = "INR") -> str:
    deposit = money(tariff.deposit_for(package), currency)
    if package.deposit_rule == DepositRule.FIXED:
        return deposit
    return _("%(n)s × the monthly bill = %(amount)s") % {
        "n": format_amount(package.deposit_multiple or Decimal(0)),
        "amount": deposit,
    }


def described(packages: list[Package], currency: str = "INR") -> list[Package]:
    """The packages with ``tariff_text``, ``hours_text`` and ``deposit_text``
    set, for a template."""
    for p in packages:
        p.tariff_text = tariff_text(p, currency)  # type: ignore[attr-defined]
        p.hours_text = slots_text(p.timing.slots)  # type: ignore[attr-defined]
        p.deposit_text = deposit_text(p, currency)  # type: ignore[attr-defined]
    return packages
