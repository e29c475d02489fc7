"""Package terms: parse and check what a person or a file says a package is.
No writes. ``package_check`` returns an unsaved package with every rule checked;
the services save it, the CSV import only checks it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F, Q

from mcoms.core.errors import ValidationFailed
from mcoms.core.money import RATE, parse_amount
from mcoms.org.models import Plant
from mcoms.packages import ids, tariff
from mcoms.packages.models import (
    BillingType,
    DepositRule,
    Package,
    PackageType,
    TimingCode,
)

# Fields that belong to one billing type only; the others must stay empty.
RATE_FIELDS: dict[str, tuple[str, ...]] = {
    BillingType.PREPAID: ("prepaid_amount", "prepaid_period_days"),
    BillingType.POSTPAID_METERED: ("rate_per_kwh", "slabs", "fixed_monthly"),
    BillingType.POSTPAID_UNMETERED: ("monthly_amount",),
}
REQUIRED_RATES: dict[str, tuple[str, ...]] = {
    BillingType.PREPAID: ("prepaid_amount", "prepaid_period_days"),
    BillingType.POSTPAID_METERED: ("rate_per_kwh",),
    BillingType.POSTPAID_UNMETERED: ("monthly_amount",),
}
TERMS = (
    "type_code",
    "timing_code",
    "load_w",
    "prepaid_amount",
    "prepaid_period_days",
    "rate_per_kwh",
    "slabs",
    "fixed_monthly",
    "monthly_amount",
    "activation_charge",
    "deposit_rule",
    "deposit_amount",
    "deposit_multiple",
    "credit_limit",
)


# --- the code tables as a company sees them ---------------------------------------
def _own_first(company_id: int | None) -> Q:
    return Q(company_id=company_id) | Q(company__isnull=True)


def package_type_of(company_id: int | None, code: str) -> PackageType | None:
    """The company's own type of that code, else the default, else None."""
    return (
        PackageType.objects.filter(_own_first(company_id), code=code)
        .order_by(F("company_id").asc(nulls_last=True))
        .first()
    )


def timing_of(company_id: int | None, code: str) -> TimingCode | None:
    """The company's own timing code of that name, else the default, else None."""
    return (
        TimingCode.objects.filter(_own_first(company_id), code=code)
        .order_by(F("company_id").asc(nulls_last=True))
        .first()
    )


def _lookup(
    plant: Plant, type_code: Any, timing_code: Any
) -> tuple[PackageType, TimingCode]:
    ptype = package_type_of(plant.company_id, str(type_code or "").strip().upper())
    if ptype is None:
        raise ValidationFailed(
            "package_type_unknown",
            f"No package type {type_code!r:.20}.",
            field="type_code",
        )
    timing = timing_of(plant.company_id, str(timing_code or "").strip().upper())
    if timing is None:
        raise ValidationFailed(
            "timing_unknown",
            f"No timing code {timing_code!r:.20}.",
            field="timing_code",
        )
    return ptype, timing


# --- one package --------------------------------------------------------------------
def package_check(*, plant: Plant, terms: dict[str, Any]) -> Package:
    """An unsaved package at ``plant`` from raw terms, every rule checked (the
    first broken one raised, with its field); nothing written."""
    ptype, timing = _lookup(plant, terms.get("type_code"), terms.get("timing_code"))
    package = Package(
        company_id=plant.company_id,
        plant=plant,
        package_type=ptype,
        timing=timing,
        load_w=parse_load(terms.get("load_w")),
        billing_type=ptype.billing_type,
        prepaid_amount=parse_money(terms.get("prepaid_amount"), "prepaid_amount"),
        prepaid_period_days=parse_days(terms.get("prepaid_period_days")),
        rate_per_kwh=parse_rate(terms.get("rate_per_kwh"), "rate_per_kwh"),
        slabs=parse_slabs(terms.get("slabs")),
        fixed_monthly=parse_money(terms.get("fixed_monthly"), "fixed_monthly"),
        monthly_amount=parse_money(terms.get("monthly_amount"), "monthly_amount"),
        activation_charge=parse_money(
            terms.get("activation_charge"), "activation_charge"
        )
        or Decimal(0),
        deposit_rule=str(terms.get("deposit_rule") or DepositRule.FIXED),
        deposit_amount=parse_money(terms.get("deposit_amount"), "deposit_amount"),
        deposit_multiple=parse_multiple(terms.get("deposit_multiple")),
        credit_limit=parse_money(terms.get("credit_limit"), "credit_limit")
        or Decimal(0),
    )
    _check_rates(package)
    _check_deposit(package)
    package.package_id = ids.build_package_id(
        type_code=ptype.code,
        timing_code=timing.code,
        load_w=package.load_w,
        monthly=tariff.monthly_charge(package),
    )
    return package


def terms_of(package: Package) -> dict[str, Any]:
    """The terms of a saved package, as ``package_check`` takes them."""
    terms = {name: getattr(package, name, None) for name in TERMS}
    terms["type_code"] = package.package_type.code
    terms["timing_code"] = package.timing.code
    return terms


def empty(value: Any) -> bool:
    return (
        value is None or value == [] or (isinstance(value, str) and not value.strip())
    )


def _check_rates(package: Package) -> None:
    kind = package.billing_type
    for other, names in RATE_FIELDS.items():
        for name in names:
            if other != kind and not empty(getattr(package, name)):
                raise ValidationFailed(
                    "package_rate_not_for_billing_type",
                    f"{name} does not apply to a {kind} package.",
                    field=name,
                )
    for name in REQUIRED_RATES[kind]:
        if not getattr(package, name):
            raise ValidationFailed(
                "package_rate_missing",
                f"A {kind} package needs {name.replace('_', ' ')}.",
                field=name,
            )


def _check_deposit(package: Package) -> None:
    rule = package.deposit_rule
    if rule not in DepositRule.values:
        raise ValidationFailed(
            "package_deposit_rule_unknown",
            f"No deposit rule {rule!r:.20}.",
            field="deposit_rule",
        )
    needed, unused = (
        ("deposit_amount", "deposit_multiple")
        if rule == DepositRule.FIXED
        else ("deposit_multiple", "deposit_amount")
    )
    if getattr(package, needed) is None or (
        rule == DepositRule.MULTIPLE and not package.deposit_multiple
    ):
        raise ValidationFailed(
            "package_deposit_missing",
            f"A {rule} deposit rule needs {needed.replace('_', ' ')}.",
            field=needed,
        )
    if getattr(package, unused) is not None:
        raise ValidationFailed(
            "package_deposit_mismatch",
            f"{unused} does not apply to a {rule} deposit.",
            field=unused,
        )


# --- single values ----------------------------------------------------------------
def _whole(raw: Any) -> int:
    """A whole number from an int or a digit string; 0 for anything else."""
    if isinstance(raw, bool | float):
        return 0
    text = str(raw).strip()
    return int(text) if text.isdigit() and len(text) <= 9 else 0


def parse_load(raw: Any) -> int:
    value = _whole(raw) if not empty(raw) else 0
    if value <= 0:
        raise ValidationFailed(
            "package_load_invalid",
            "The load must be a whole number of watts above 0.",
            field="load_w",
        )
    return value


def parse_days(raw: Any) -> int | None:
    if empty(raw):
        return None
    value = _whole(raw)
    if not 0 < value <= 366:
        raise ValidationFailed(
            "package_period_invalid",
            "The period must be whole days, 1 to 366.",
            field="prepaid_period_days",
        )
    return value


def parse_money(raw: Any, field: str) -> Decimal | None:
    if empty(raw):
        return None
    return parse_amount(raw, field=field, allow_zero=True)


def parse_multiple(raw: Any) -> Decimal | None:
    """N of "N x the anticipated monthly bill": above 0, at most 999.99."""
    value = parse_money(raw, "deposit_multiple")
    if value is not None and value >= 1000:
        raise ValidationFailed(
            "amount_too_large",
            "The deposit multiple is at most 999.99.",
            field="deposit_multiple",
        )
    return value


def parse_rate(raw: Any, field: str) -> Decimal | None:
    if empty(raw):
        return None
    try:
        if isinstance(raw, float):
            raise InvalidOperation
        value = Decimal(str(raw).strip())
        ok = value.is_finite() and value > 0 and value == value.quantize(RATE)
    except (InvalidOperation, ValueError):
        ok = False
    if not ok or value >= Decimal("1000000"):
        raise ValidationFailed(
            "rate_invalid",
            "A rate is a number above 0 with at most 4 decimals.",
            field=field,
        )
    return value


def parse_slabs(raw: Any) -> list[dict[str, str]]:
    """``[{"upto_kwh": "30", "rate": "5"}, ...]`` with rising ``upto_kwh``, or the
    same written as text: ``30:5; 100:7``."""
    if empty(raw):
        return []
    bad = ValidationFailed(
        "package_slabs_invalid",
        'Slabs are "upto_kwh:rate" pairs with rising upto_kwh, e.g. "30:5; 100:7".',
        field="slabs",
    )
    if isinstance(raw, str):
        raw = slabs_from_text(raw, bad)
    if not isinstance(raw, list):
        raise bad
    out: list[dict[str, str]] = []
    floor = Decimal(0)
    for slab in raw:
        if not isinstance(slab, dict) or set(slab) != {"upto_kwh", "rate"}:
            raise bad
        try:
            upto = Decimal(str(slab["upto_kwh"]).strip())
        except InvalidOperation as exc:
            raise bad from exc
        if isinstance(slab["upto_kwh"], float) or not upto.is_finite() or upto <= floor:
            raise bad
        rate = parse_rate(slab["rate"], "slabs")
        out.append({"upto_kwh": str(upto), "rate": str(rate)})
        floor = upto
    return out


def slabs_from_text(text: str, bad: ValidationFailed) -> list[dict[str, str]]:
    pairs = [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]
    out = []
    for pair in pairs:
        upto, sep, rate = pair.partition(":")
        if not sep:
            raise bad
        out.append({"upto_kwh": upto.strip(), "rate": rate.strip()})
    return out


def slabs_as_text(slabs: list[dict[str, str]]) -> str:
    """``30:5; 100:7``: how forms and files write slabs."""
    return "; ".join(f"{s['upto_kwh']}:{s['rate']}" for s in slabs)
