"""Who may see and do what, and where: the one helper per object kind that
every view and API call goes through.

* A user who is not staff, or whose designation lacks the action: 403.
* An object outside the user's scope (another plant, state or company): 404,
  so that nobody learns what exists beyond their scope.
* A staff member sees their scope node and everything below it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from mcoms.org.models import (
    Cluster,
    Company,
    Feeder,
    Plant,
    Pole,
    ScopeLevel,
    Staff,
    State,
)
from mcoms.org.permissions import Action, allowed

NOTHING = Q(pk__in=[])


def staff_for(user: Any) -> Staff | None:
    """The active staff record of a signed-in user, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    staff = getattr(user, "_mcoms_staff", None)
    if staff is None:
        staff = (
            Staff.objects.select_related("company", "state", "cluster", "plant")
            .filter(user=user, is_active=True, user__is_active=True)
            .first()
        )
        user._mcoms_staff = staff
    return staff


def can(user: Any, action: Action) -> bool:
    staff = staff_for(user)
    return staff is not None and allowed(staff.designation, action)


def require(user: Any, action: Action) -> Staff:
    """The user's staff record if their designation allows ``action``; else 403."""
    staff = staff_for(user)
    if staff is None or not allowed(staff.designation, action):
        raise PermissionDenied(f"Your designation does not allow {action.value}.")
    return staff


def plant_q(staff: Staff, prefix: str = "") -> Q:
    """Rows whose plant (reached through ``prefix``) lies in the staff's scope."""
    level = staff.scope_level
    if level == ScopeLevel.COMPANY:
        return Q(**{f"{prefix}company_id": staff.company_id})
    if level == ScopeLevel.STATE:
        return Q(**{f"{prefix}state_id": staff.state_id})
    if level == ScopeLevel.CLUSTER:
        return Q(**{f"{prefix}cluster_id": staff.cluster_id})
    return Q(**{f"{prefix}id" if prefix == "" else f"{prefix[:-2]}_id": staff.plant_id})


def _state_q(staff: Staff) -> Q:
    if staff.scope_level == ScopeLevel.COMPANY:
        return Q(company_id=staff.company_id)
    if staff.scope_level == ScopeLevel.STATE:
        return Q(id=staff.state_id)
    return NOTHING


def _cluster_q(staff: Staff) -> Q:
    if staff.scope_level == ScopeLevel.COMPANY:
        return Q(state__company_id=staff.company_id)
    if staff.scope_level == ScopeLevel.STATE:
        return Q(state_id=staff.state_id)
    if staff.scope_level == ScopeLevel.CLUSTER:
        return Q(id=staff.cluster_id)
    return NOTHING


def _staff_q(staff: Staff) -> Q:
    level = staff.scope_level
    if level == ScopeLevel.COMPANY:
        return Q(company_id=staff.company_id)
    if level == ScopeLevel.STATE:
        return Q(state_id=staff.state_id)
    if level == ScopeLevel.CLUSTER:
        return Q(cluster_id=staff.cluster_id)
    return Q(plant_id=staff.plant_id)


# --- querysets (lists) ----------------------------------------------------------------
def states_for(user: Any, action: Action = Action.ORG_VIEW) -> QuerySet[State]:
    return State.objects.filter(_state_q(require(user, action)))


def clusters_for(user: Any, action: Action = Action.ORG_VIEW) -> QuerySet[Cluster]:
    qs = Cluster.objects.select_related("state")
    return qs.filter(_cluster_q(require(user, action)))


def plants_for(user: Any, action: Action = Action.ORG_VIEW) -> QuerySet[Plant]:
    qs = Plant.objects.select_related("state", "cluster__state")
    return qs.filter(plant_q(require(user, action)))


def feeders_for(user: Any, action: Action = Action.ORG_VIEW) -> QuerySet[Feeder]:
    qs = Feeder.objects.select_related("plant__state")
    return qs.filter(plant_q(require(user, action), "plant__"))


def poles_for(user: Any, action: Action = Action.ORG_VIEW) -> QuerySet[Pole]:
    qs = Pole.objects.select_related("plant__state", "feeder")
    return qs.filter(plant_q(require(user, action), "plant__"))


def staff_list_for(user: Any, action: Action = Action.STAFF_VIEW) -> QuerySet[Staff]:
    qs = Staff.objects.select_related(
        "user", "company", "state", "cluster__state", "plant__state"
    )
    return qs.filter(_staff_q(require(user, action)))


# --- one object (detail pages, edits) ---------------------------------------
def _one(qs: QuerySet[Any], what: str, **lookup: Any) -> Any:
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise Http404(
            f"No {what} {'/'.join(str(v) for v in lookup.values())} in your scope."
        )
    return obj


def get_state_for_user(user: Any, code: str, action: Action = Action.ORG_VIEW) -> State:
    return _one(states_for(user, action), "state", code=code.upper())


def get_cluster_for_user(
    user: Any, key: str, action: Action = Action.ORG_VIEW
) -> Cluster:
    state, _, code = key.upper().partition("-")
    return _one(clusters_for(user, action), "cluster", state__code=state, code=code)


def get_plant_for_user(user: Any, key: str, action: Action = Action.ORG_VIEW) -> Plant:
    key = key.upper()
    return _one(plants_for(user, action), "plant", state__code=key[:2], code=key[2:])


def get_feeder_for_user(
    user: Any, plant_key: str, code: str, action: Action = Action.ORG_VIEW
) -> Feeder:
    plant = get_plant_for_user(user, plant_key, action)
    return _one(Feeder.objects.filter(plant=plant), "feeder", code=code.upper())


def get_pole_for_user(
    user: Any, plant_key: str, number: int, action: Action = Action.ORG_VIEW
) -> Pole:
    plant = get_plant_for_user(user, plant_key, action)
    return _one(
        Pole.objects.filter(plant=plant).select_related("feeder"), "pole", number=number
    )


def get_staff_for_user(
    user: Any, username: str, action: Action = Action.STAFF_VIEW
) -> Staff:
    return _one(staff_list_for(user, action), "staff member", user__username=username)


def get_company_for_user(user: Any, action: Action) -> Company:
    """The user's company, for acts on the company itself (adding a state, giving
    company scope): only company-wide staff; 403 otherwise."""
    staff = require(user, action)
    if staff.scope_level != ScopeLevel.COMPANY:
        raise PermissionDenied("Only company-wide staff may do this.")
    return staff.company


def get_scope_node_for_user(
    user: Any, level: str, key: str, action: Action
) -> Company | State | Cluster | Plant:
    """A scope node named by level and key (``plant``/``BHKATS``, ``cluster``/
    ``BH-NORTH``, ``state``/``BH``, ``company``/its code), inside the user's scope."""
    if level == ScopeLevel.PLANT:
        return get_plant_for_user(user, key, action)
    if level == ScopeLevel.CLUSTER:
        return get_cluster_for_user(user, key, action)
    if level == ScopeLevel.STATE:
        return get_state_for_user(user, key, action)
    if level != ScopeLevel.COMPANY:
        raise Http404(f"No scope level {level!r:.20}.")
    company = get_company_for_user(user, action)
    if key and key != company.code:
        raise Http404(f"No company {key} in your scope.")
    return company


def node_in_scope(staff: Staff, node: object) -> bool:
    """Whether a company/state/cluster/plant node lies in the staff's subtree."""
    if isinstance(node, Company):
        return staff.scope_level == ScopeLevel.COMPANY and node.pk == staff.company_id
    if isinstance(node, State):
        return State.objects.filter(_state_q(staff), pk=node.pk).exists()
    if isinstance(node, Cluster):
        return Cluster.objects.filter(_cluster_q(staff), pk=node.pk).exists()
    if isinstance(node, Plant):
        return Plant.objects.filter(plant_q(staff), pk=node.pk).exists()
    return False
