"""Writes for the organisation. Access (designation and scope) is checked by the
caller through ``mcoms.org.access``; these functions keep the domain rules."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from mcoms.core.errors import ValidationFailed
from mcoms.core.services import apply_changes, validated_save
from mcoms.org.models import (
    Cluster,
    Company,
    Designation,
    Feeder,
    Language,
    Plant,
    Pole,
    ScopeLevel,
    Staff,
    State,
    User,
)


def _check_timezone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(
            "timezone_unknown", f"{name!r} is not a known time zone.", field="timezone"
        ) from exc


@transaction.atomic
def state_create(*, company: Company, code: str, name: str, by: User | None) -> State:
    return validated_save(State(company=company, code=code, name=name), by=by)


@transaction.atomic
def state_update(*, state: State, by: User | None, **changes: Any) -> State:
    return validated_save(apply_changes(state, changes, {"name"}), by=by)


@transaction.atomic
def cluster_create(*, state: State, code: str, name: str, by: User | None) -> Cluster:
    return validated_save(Cluster(state=state, code=code, name=name), by=by)


@transaction.atomic
def cluster_update(*, cluster: Cluster, by: User | None, **changes: Any) -> Cluster:
    return validated_save(apply_changes(cluster, changes, {"name"}), by=by)


@transaction.atomic
def plant_create(
    *,
    cluster: Cluster,
    code: str,
    name: str,
    capacity_kwp: Decimal,
    timezone: str = "Asia/Kolkata",
    village: str = "",
    by: User | None,
) -> Plant:
    _check_timezone(timezone)
    plant = Plant(
        cluster=cluster,
        state=cluster.state,
        company=cluster.state.company,
        code=code,
        name=name,
        capacity_kwp=capacity_kwp,
        timezone=timezone,
        village=village,
    )
    return validated_save(plant, by=by)


@transaction.atomic
def plant_update(*, plant: Plant, by: User | None, **changes: Any) -> Plant:
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
    if "cluster" in changes:
        cluster = changes["cluster"]
        if cluster.state_id != plant.state_id:
            raise ValidationFailed(
                "cluster_other_state",
                "A plant can only move to a cluster of its state.",
                field="cluster",
            )
    allowed = {"name", "capacity_kwp", "timezone", "village", "cluster"}
    plant = validated_save(apply_changes(plant, changes, allowed), by=by)
    if "cluster" in changes:
        # Plant-level staff carry their plant's cluster (scope filters use it).
        for member in Staff.objects.filter(plant=plant).exclude(cluster=plant.cluster):
            member.cluster = plant.cluster
            validated_save(member, by=by, reason="plant moved to another cluster")
    return plant


@transaction.atomic
def feeder_create(
    *, plant: Plant, code: str, name: str = "", by: User | None
) -> Feeder:
    return validated_save(Feeder(plant=plant, code=code, name=name), by=by)


@transaction.atomic
def feeder_update(*, feeder: Feeder, by: User | None, **changes: Any) -> Feeder:
    return validated_save(apply_changes(feeder, changes, {"name"}), by=by)


@transaction.atomic
def pole_create(
    *,
    feeder: Feeder,
    number: int,
    by: User | None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Pole:
    pole = Pole(
        feeder=feeder,
        plant=feeder.plant,
        number=number,
        latitude=latitude,
        longitude=longitude,
    )
    return validated_save(pole, by=by)


@transaction.atomic
def pole_update(*, pole: Pole, by: User | None, **changes: Any) -> Pole:
    if "feeder" in changes and changes["feeder"].plant_id != pole.plant_id:
        raise ValidationFailed(
            "feeder_other_plant",
            "A pole can only move to a feeder of its plant.",
            field="feeder",
        )
    allowed = {"latitude", "longitude", "feeder"}
    return validated_save(apply_changes(pole, changes, allowed), by=by)


def _scope_fields(
    company: Company, node: Company | State | Cluster | Plant
) -> dict[str, Any]:
    if isinstance(node, Plant):
        return {
            "scope_level": ScopeLevel.PLANT,
            "plant": node,
            "cluster": node.cluster,
            "state": node.state,
        }
    if isinstance(node, Cluster):
        return {
            "scope_level": ScopeLevel.CLUSTER,
            "plant": None,
            "cluster": node,
            "state": node.state,
        }
    if isinstance(node, State):
        return {
            "scope_level": ScopeLevel.STATE,
            "plant": None,
            "cluster": None,
            "state": node,
        }
    return {
        "scope_level": ScopeLevel.COMPANY,
        "plant": None,
        "cluster": None,
        "state": None,
    }


def _node_company(node: Company | State | Cluster | Plant) -> Company:
    if isinstance(node, Company):
        return node
    if isinstance(node, Plant):
        return node.company
    if isinstance(node, Cluster):
        return node.state.company
    return node.company


RANK = {
    Designation.OPERATOR: 1,
    Designation.TECHNICIAN: 1,
    Designation.CSA: 1,
    Designation.CLUSTER_INCHARGE: 2,
    Designation.STATE_INCHARGE: 3,
    Designation.HO_MANAGER: 4,
    Designation.ADMIN: 5,
}


def _check_grant(
    by: User | None, designation: str, scope: Company | State | Cluster | Plant | None
) -> None:
    """Nobody grants a designation above their own or a scope outside their own.

    ``by=None`` is the system (seed, migrations), which is trusted.
    """
    if by is None:
        return
    from mcoms.org.access import node_in_scope, staff_for

    granter = staff_for(by)
    if (
        granter is None
        or RANK[Designation(designation)] > RANK[Designation(granter.designation)]
    ):
        raise ValidationFailed(
            "designation_above_own",
            "You cannot grant a designation above your own.",
            field="designation",
        )
    if scope is not None and not node_in_scope(granter, scope):
        raise ValidationFailed(
            "scope_outside_own",
            "You cannot grant a scope outside your own.",
            field="scope",
        )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            "password_weak", " ".join(exc.messages), field="password"
        ) from exc


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str | None,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    designation: str,
    scope: Company | State | Cluster | Plant,
    language: str = Language.ENGLISH,
    by: User | None,
) -> Staff:
    if designation not in Designation.values:
        raise ValidationFailed(
            "designation_unknown",
            f"{designation!r} is not a designation.",
            field="designation",
        )
    _check_grant(by, designation, scope)
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("duplicate", "This username is taken.", field="username")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        language=language,
        kind=User.Kind.STAFF,
    )
    if password is None:
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    validated_save(user, by=by)
    company = _node_company(scope)
    staff = Staff(
        user=user,
        company=company,
        designation=designation,
        **_scope_fields(company, scope),
    )
    return validated_save(staff, by=by)


@transaction.atomic
def staff_update(
    *,
    staff: Staff,
    by: User | None,
    designation: str | None = None,
    scope: Company | State | Cluster | Plant | None = None,
    is_active: bool | None = None,
    **user_changes: Any,
) -> Staff:
    if (
        by is not None
        and by.pk == staff.user_id
        and (designation is not None or scope is not None or is_active is not None)
    ):
        raise ValidationFailed(
            "own_record", "You cannot change your own designation, scope or status."
        )
    # The editor must outrank the member as they are now, and as they will be.
    _check_grant(by, staff.designation, staff.scope_node)
    if designation is not None:
        if designation not in Designation.values:
            raise ValidationFailed(
                "designation_unknown",
                f"{designation!r} is not a designation.",
                field="designation",
            )
        _check_grant(by, designation, None)
        staff.designation = designation
    if scope is not None:
        _check_grant(by, staff.designation, scope)
        if _node_company(scope).pk != staff.company_id:
            raise ValidationFailed(
                "scope_other_company",
                "Scope must be in the same company.",
                field="scope",
            )
        for name, value in _scope_fields(staff.company, scope).items():
            setattr(staff, name, value)
    if is_active is not None:
        staff.is_active = is_active
    if user_changes:
        user = apply_changes(
            staff.user, user_changes, {"first_name", "last_name", "phone", "language"}
        )
        validated_save(user, by=by)
    return validated_save(staff, by=by)
