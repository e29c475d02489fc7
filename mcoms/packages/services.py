"""Writes for packages and their code tables. Each service is one transaction.

Permission checks are left to the interfaces (see docs/packages.md): the
services take ``by`` for the audit trail only.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.money import RATE, parse_amount
from mcoms.core.services import validated_save
from mcoms.org.models import Company, Plant
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


# --- code tables ------------------------------------------------------------------
def package_type_create(
    *, code: str, label: str, billing_type: str, by: Any
) -> PackageType:
    if billing_type not in BillingType.values:
        raise ValidationFailed(
            "billing_type_unknown",
            f"{billing_type!r} is not a billing type.",
            field="billing_type",
        )
    with transaction.atomic():
        return validated_save(
            PackageType(code=code, label=label, billing_type=billing_type), by=by
        )


def timing_code_create(
    *, company: Company | None = None, code: str, label: str, slots: Any, by: Any
) -> TimingCode:
    """A timing code; slots are ``[["18:00", "06:00"], ...]`` in local time,
    [start, end), "24:00" allowed as an end; they may not overlap."""
    try:
        intervals = ids.slot_intervals(slots) if isinstance(slots, list) else None
    except ValueError:
        intervals = None
    if not intervals:
        raise ValidationFailed(
            "timing_slots_invalid",
            'Slots must be a non-empty list of ["HH:MM", "HH:MM"] pairs.',
            field="slots",
        )
    if ids.slots_overlap(intervals):
        raise ValidationFailed(
            "timing_slots_overlap", "Timing slots may not overlap.", field="slots"
        )
    timing = TimingCode(
        company=company, code=code, label=label, slots=[list(s) for s in slots]
    )
    with transaction.atomic():
        return validated_save(timing, by=by)


# --- packages ---------------------------------------------------------------------
def package_create(
    *,
    plant: Plant,
    type_code: str,
    timing_code: str,
    load_w: Any,
    prepaid_amount: Any = None,
    prepaid_period_days: Any = None,
    rate_per_kwh: Any = None,
    slabs: Any = None,
    fixed_monthly: Any = None,
    monthly_amount: Any = None,
    activation_charge: Any = "0",
    deposit_rule: str = DepositRule.FIXED,
    deposit_amount: Any = None,
    deposit_multiple: Any = None,
    credit_limit: Any = "0",
    by: Any,
) -> Package:
    terms = {name: value for name, value in locals().items() if name in TERMS}
    package = _build(plant=plant, terms=terms)
    with transaction.atomic():
        _refuse_duplicate(package)
        return validated_save(package, by=by, reason="created")


def package_revise(*, package: Package, by: Any, **changes: Any) -> Package:
    """Never changes ``package``: makes version n+1 superseding it and takes the
    old version off offer. Customers on the old version keep it."""
    unknown = set(changes) - set(TERMS)
    if unknown:
        raise ValidationFailed(
            "field_not_editable",
            f"Cannot change {', '.join(sorted(unknown))}.",
            field=sorted(unknown)[0],
        )
    terms = _terms_of(package) | changes
    new = _build(plant=package.plant, terms=terms)
    with transaction.atomic():
        old = Package.objects.select_for_update().get(pk=package.pk)
        if not old.active:
            raise Conflict(
                "package_superseded",
                "This package is no longer offered; revise its latest version.",
            )
        if all(getattr(new, f) == getattr(old, f) for f in _compared_fields()):
            raise ValidationFailed("package_unchanged", "Nothing to change.")
        old.active = False
        old._history_user = by  # type: ignore[attr-defined]
        old._change_reason = "superseded"  # type: ignore[attr-defined]
        old.save(update_fields=["active"])
        new.version, new.supersedes = old.version + 1, old
        _refuse_duplicate(new)
        return validated_save(new, by=by, reason=f"revises v{old.version}")


# --- helpers ----------------------------------------------------------------------
def _compared_fields() -> list[str]:
    skip = {"id", "version", "supersedes", "active", "created_at", "company", "plant"}
    return [f.attname for f in Package._meta.concrete_fields if f.name not in skip]


def _terms_of(package: Package) -> dict[str, Any]:
    terms = {name: getattr(package, name, None) for name in TERMS}
    terms["type_code"] = package.package_type.code
    terms["timing_code"] = package.timing.code
    return terms


def _refuse_duplicate(package: Package) -> None:
    taken = Package.objects.filter(
        plant=package.plant, package_id=package.package_id, active=True
    )
    if taken.exists():
        raise ValidationFailed(
            "package_duplicate",
            f"{package.package_id} is already offered at this plant.",
        )


def _lookup(
    plant: Plant, type_code: str, timing_code: str
) -> tuple[PackageType, TimingCode]:
    ptype = PackageType.objects.filter(code=type_code).first()
    if ptype is None:
        raise ValidationFailed(
            "package_type_unknown", f"No package type {type_code!r}.", field="type_code"
        )
    timing = (
        TimingCode.objects.filter(code=timing_code, company=plant.company_id).first()
        or TimingCode.objects.filter(code=timing_code, company=None).first()
    )
    if timing is None:
        raise ValidationFailed(
            "timing_unknown", f"No timing code {timing_code!r}.", field="timing_code"
        )
    return ptype, timing


def _build(*, plant: Plant, terms: dict[str, Any]) -> Package:
    """An unsaved package from raw terms, every rule checked; nothing written."""
    ptype, timing = _lookup(plant, terms["type_code"], terms["timing_code"])
    package = Package(
        company_id=plant.company_id,
        plant=plant,
        package_type=ptype,
        timing=timing,
        load_w=_load(terms["load_w"]),
        billing_type=ptype.billing_type,
        prepaid_amount=_amount(terms["prepaid_amount"], "prepaid_amount"),
        prepaid_period_days=_days(terms["prepaid_period_days"]),
        rate_per_kwh=_rate(terms["rate_per_kwh"], "rate_per_kwh"),
        slabs=_slabs(terms["slabs"]),
        fixed_monthly=_amount(terms["fixed_monthly"], "fixed_monthly"),
        monthly_amount=_amount(terms["monthly_amount"], "monthly_amount"),
        activation_charge=_amount(terms["activation_charge"], "activation_charge")
        or Decimal(0),
        deposit_rule=terms["deposit_rule"],
        deposit_amount=_amount(terms["deposit_amount"], "deposit_amount"),
        deposit_multiple=_amount(terms["deposit_multiple"], "deposit_multiple"),
        credit_limit=_amount(terms["credit_limit"], "credit_limit") or Decimal(0),
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


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == ""


def _check_rates(package: Package) -> None:
    kind = package.billing_type
    for other, names in RATE_FIELDS.items():
        for name in names:
            if other != kind and not _empty(getattr(package, name)):
                raise ValidationFailed(
                    "package_rate_not_for_billing_type",
                    f"{name} does not apply to a {kind} package.",
                    field=name,
                )
    required = {
        BillingType.PREPAID: ("prepaid_amount", "prepaid_period_days"),
        BillingType.POSTPAID_METERED: ("rate_per_kwh",),
        BillingType.POSTPAID_UNMETERED: ("monthly_amount",),
    }[BillingType(kind)]
    for name in required:
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
            f"No deposit rule {rule!r}.",
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


def _load(raw: Any) -> int:
    try:
        value = int(str(raw)) if not isinstance(raw, bool | float) else 0
    except ValueError:
        value = 0
    if value <= 0:
        raise ValidationFailed(
            "package_load_invalid",
            "The load must be a whole number of watts above 0.",
            field="load_w",
        )
    return value


def _days(raw: Any) -> int | None:
    if _empty(raw):
        return None
    try:
        value = int(str(raw)) if not isinstance(raw, bool | float) else 0
    except ValueError:
        value = 0
    if value <= 0:
        raise ValidationFailed(
            "package_period_invalid",
            "The period must be whole days above 0.",
            field="prepaid_period_days",
        )
    return value


def _amount(raw: Any, field: str) -> Decimal | None:
    if _empty(raw):
        return None
    return parse_amount(raw, field=field, allow_zero=True)


def _rate(raw: Any, field: str) -> Decimal | None:
    if _empty(raw):
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


def _slabs(raw: Any) -> list[dict[str, str]]:
    if _empty(raw):
        return []
    bad = ValidationFailed(
        "package_slabs_invalid",
        'Slabs are [{"upto_kwh": ..., "rate": ...}] with rising upto_kwh.',
        field="slabs",
    )
    if not isinstance(raw, list):
        raise bad
    out: list[dict[str, str]] = []
    floor = Decimal(0)
    for slab in raw:
        if not isinstance(slab, dict) or set(slab) != {"upto_kwh", "rate"}:
            raise bad
        try:
            upto = Decimal(str(slab["upto_kwh"]))
        except InvalidOperation as exc:
            raise bad from exc
        if isinstance(slab["upto_kwh"], float) or not upto.is_finite() or upto <= floor:
            raise bad
        rate = _rate(slab["rate"], "slabs")
        out.append({"upto_kwh": str(upto), "rate": str(rate)})
        floor = upto
    return out
