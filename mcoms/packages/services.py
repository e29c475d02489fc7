"""Writes for packages and their code tables. Each service is one transaction.

Permission checks are the interfaces' job (``access.require(user,
Action.PACKAGE_EDIT)`` and the plant or company in scope); the services take
``by`` for the audit trail. The rules they keep (docs/packages.md):

* a saved package's terms never change: a revision is a new version
  (docs/decisions/0020);
* only the newest version of a package is revised, withdrawn or offered again;
* one offered package per plant and package ID;
* a code whose meaning packages rely on (a type's billing type, a timing's
  slots) is not changed while a package of the company uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max, Model

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.services import validated_save
from mcoms.org.models import Company, Plant
from mcoms.packages import ids
from mcoms.packages.models import (
    BillingType,
    DepositRule,
    Package,
    PackageType,
    TimingCode,
    WriteAction,
    WriteKey,
)
from mcoms.packages.terms import (
    TERMS,
    package_check,
    package_type_of,
    terms_of,
    timing_of,
)

M = TypeVar("M", bound=Model)
KEY_MAX = 120


# --- code tables ------------------------------------------------------------------
def _refuse_taken(
    model: type[PackageType | TimingCode], company: Company | None, code: str
) -> None:
    """A new code must be new to the company (or, for a default, to the
    defaults); a company edits a default rather than re-creating it."""
    lookup = package_type_of if model is PackageType else timing_of
    existing = lookup(company.pk if company else None, str(code).upper())
    if existing is None:
        return
    if company is not None and existing.company_id is None:
        raise ValidationFailed(
            "code_is_default",
            f"{code} is a default code; edit it to make your company's version.",
            field="code",
        )
    if company is not None or existing.company_id is None:
        raise ValidationFailed("duplicate", f"{code} is already used.", field="code")


def package_type_create(
    *, company: Company | None = None, code: str, label: str, billing_type: str, by: Any
) -> PackageType:
    """A type code for one company (or, ``company`` None, a default for all)."""
    if billing_type not in BillingType.values:
        raise ValidationFailed(
            "billing_type_unknown",
            f"{billing_type!r:.30} is not a billing type.",
            field="billing_type",
        )
    with transaction.atomic():
        _refuse_taken(PackageType, company, code)
        ptype = PackageType(
            company=company, code=code, label=label, billing_type=billing_type
        )
        return validated_save(ptype, by=by, reason="created")


def package_type_update(
    *, company: Company, package_type: PackageType, by: Any, **changes: Any
) -> PackageType:
    """Change the label, or the billing type while no package of the company
    uses the code. A default type is not changed: the company gets its own copy
    (same code, the changes applied), which its new packages use."""
    _editable(changes, {"label", "billing_type"})
    if changes.get("billing_type", package_type.billing_type) not in (
        BillingType.values
    ):
        raise ValidationFailed(
            "billing_type_unknown", "Not a billing type.", field="billing_type"
        )
    with transaction.atomic():
        if changes.get(
            "billing_type", package_type.billing_type
        ) != package_type.billing_type and _code_in_use(
            company, package_type__code=package_type.code
        ):
            raise ValidationFailed(
                "package_type_in_use",
                f"Packages use {package_type.code}; its billing type stays. "
                "Create another type code.",
                field="billing_type",
            )
        return _save_code(package_type, company, changes, by)


def timing_code_create(
    *, company: Company | None = None, code: str, label: str, slots: Any, by: Any
) -> TimingCode:
    """A timing code; slots are ``[["18:00", "06:00"], ...]`` in local time,
    [start, end), "24:00" allowed as an end; they may not overlap."""
    slots = _slots(slots)
    with transaction.atomic():
        _refuse_taken(TimingCode, company, code)
        timing = TimingCode(company=company, code=code, label=label, slots=slots)
        return validated_save(timing, by=by, reason="created")


def timing_code_update(
    *, company: Company, timing: TimingCode, by: Any, **changes: Any
) -> TimingCode:
    """Change the label, or the slots while no package of the company uses the
    code. A default code gets a company copy (see ``package_type_update``)."""
    _editable(changes, {"label", "slots"})
    if "slots" in changes:
        changes["slots"] = _slots(changes["slots"])
    with transaction.atomic():
        if changes.get("slots", timing.slots) != timing.slots and _code_in_use(
            company, timing__code=timing.code
        ):
            raise ValidationFailed(
                "timing_code_in_use",
                f"Packages use {timing.code}; its slots stay. "
                "Create another timing code.",
                field="slots",
            )
        return _save_code(timing, company, changes, by)


def _slots(slots: Any) -> list[list[str]]:
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
    return [list(s) for s in slots]


def _editable(changes: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed(
            "field_not_editable",
            f"Cannot change {', '.join(unknown)}.",
            field=unknown[0],
        )


def _code_in_use(company: Company, **lookup: Any) -> bool:
    return Package.objects.filter(company=company, **lookup).exists()


def _save_code(row: M, company: Company, changes: dict[str, Any], by: Any) -> M:
    if all(getattr(row, k) == v for k, v in changes.items()):
        return row  # a retried edit: nothing to do
    if row.company_id is None:  # type: ignore[attr-defined]
        row.pk = None
        row._state.adding = True
        row.company = company  # type: ignore[attr-defined]
        reason = "overrides the default"
    else:
        row = type(row)._default_manager.select_for_update().get(pk=row.pk)
        reason = "changed"
    for name, value in changes.items():
        setattr(row, name, value)
    return validated_save(row, by=by, reason=reason)


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
    offered: bool = True,
    by: Any,
    reason: str = "created",
) -> Package:
    """A new package at ``plant`` (offered unless ``offered`` is False)."""
    terms = {name: value for name, value in locals().items() if name in TERMS}
    package = package_check(plant=plant, terms=terms)
    package.active = offered
    with transaction.atomic():
        if offered:
            _refuse_duplicate(package)
        package.version = _next_version(plant, package.package_id)
        return _saved(package, by=by, reason=reason)


def package_revise(*, package: Package, by: Any, **changes: Any) -> Package:
    """Never changes ``package``'s terms: makes a new version superseding it,
    on offer if the old one was (the old one then leaves the offer). Customers
    on the old version keep it. Only the newest version is revised."""
    _editable(changes, set(TERMS))
    new = package_check(plant=package.plant, terms=terms_of(package) | changes)
    with transaction.atomic():
        old = _newest_locked(package)
        if all(getattr(new, f) == getattr(old, f) for f in _compared_fields()):
            raise ValidationFailed("package_unchanged", "Nothing to change.")
        new.active = old.active
        if old.active:
            _set_offered(old, False, by, "superseded")
            _refuse_duplicate(new)
        new.supersedes = old
        new.version = max(old.version + 1, _next_version(old.plant, new.package_id))
        return _saved(new, by=by, reason=f"revises v{old.version}")


def package_withdraw(*, package: Package, by: Any) -> Package:
    """Take the newest version off offer: no new customer may take it; those on
    it keep it. Withdrawing a withdrawn package changes nothing."""
    with transaction.atomic():
        old = _newest_locked(package)
        if old.active:
            _set_offered(old, False, by, "withdrawn")
        return old


def package_offer(*, package: Package, by: Any) -> Package:
    """Offer a withdrawn package again (its newest version); refused while
    another package with the same ID is offered at the plant."""
    with transaction.atomic():
        old = _newest_locked(package)
        if not old.active:
            _refuse_duplicate(old)
            _set_offered(old, True, by, "offered again")
        return old


def packages_write_once(
    *,
    company: Company,
    key: str,
    action: WriteAction,
    by: Any,
    write: Callable[[], M],
) -> tuple[M, bool]:
    """Run ``write`` (a service above) once per idempotency ``key``: the result
    and True; a retry with the key gets the first result and False, and writes
    nothing. A key used for another action is refused (``idempotency_key_reused``)."""
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise ValidationFailed(
            "idempotency_key_invalid", f"An idempotency key has 1-{KEY_MAX} characters."
        )
    done = _replay(company, key, action)
    if done is not None:
        return done, False
    try:
        with transaction.atomic():
            result = write()
            WriteKey.objects.create(
                company=company,
                key=key,
                action=action,
                by=by if getattr(by, "pk", None) else None,
                **{_target(action): result},
            )
    except IntegrityError:  # another request with this key won the race
        done = _replay(company, key, action)
        if done is None:
            raise
        return done, False
    return result, True


def _target(action: str) -> str:
    return {
        WriteAction.TYPE_CREATE: "package_type",
        WriteAction.TIMING_CREATE: "timing",
    }.get(WriteAction(action), "package")


def _replay(company: Company, key: str, action: str) -> Any:
    done = WriteKey.objects.filter(company=company, key=key).first()
    if done is None:
        return None
    if done.action != action:
        raise Conflict(
            "idempotency_key_reused",
            f"Key {key!r:.40} was already used for another change.",
        )
    return getattr(done, _target(action))


# --- helpers ----------------------------------------------------------------------
def _compared_fields() -> list[str]:
    skip = {"id", "version", "supersedes", "active", "created_at", "company", "plant"}
    return [f.attname for f in Package._meta.concrete_fields if f.name not in skip]


def _newest_locked(package: Package) -> Package:
    old = Package.objects.select_for_update().get(pk=package.pk)
    if Package.objects.filter(supersedes=old).exists():
        raise Conflict(
            "package_superseded",
            "This package has a newer version; change that one.",
        )
    return old


def _set_offered(package: Package, offered: bool, by: Any, reason: str) -> None:
    package.active = offered
    package._history_user = by  # type: ignore[attr-defined]
    package._change_reason = reason  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            package.save(update_fields=["active"])
    except IntegrityError as exc:  # a racing writer offered the same ID
        raise _duplicate(package) from exc


def _next_version(plant: Plant, package_id: str) -> int:
    """One more than any package with this ID at the plant ever had, so that
    plant + package ID + version names one package for good."""
    top = Package.objects.filter(plant=plant, package_id=package_id).aggregate(
        m=Max("version")
    )["m"]
    return (top or 0) + 1


def _duplicate(package: Package) -> ValidationFailed:
    return ValidationFailed(
        "package_duplicate",
        f"{package.package_id} is already offered at this plant.",
    )


def _refuse_duplicate(package: Package) -> None:
    taken = Package.objects.filter(
        plant=package.plant, package_id=package.package_id, active=True
    )
    if taken.exists():
        raise _duplicate(package)


def _saved(package: Package, *, by: Any, reason: str) -> Package:
    try:
        return validated_save(package, by=by, reason=reason)
    except ValidationFailed as exc:
        if exc.code == "duplicate":  # a racing writer took the ID or version
            raise _duplicate(package) from exc
        raise
