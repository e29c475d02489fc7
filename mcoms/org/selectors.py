"""Reads of the organisation that span relations (always scoped)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from mcoms.org.access import plants_for, require
from mcoms.org.models import Designation, ScopeLevel, Staff
from mcoms.org.permissions import Action


def contacts_for(user: Any, q: str = "") -> QuerySet[Staff]:
    """Active staff of the user's company whose scope covers one of the user's
    plants (the plant, its cluster, its state, or head office); manual 3.10.4."""
    staff = require(user, Action.ORG_VIEW)
    plants = plants_for(user)
    cover = (
        Q(scope_level=ScopeLevel.COMPANY)
        | Q(scope_level=ScopeLevel.STATE, state__in=plants.values("state"))
        | Q(scope_level=ScopeLevel.CLUSTER, cluster__in=plants.values("cluster"))
        | Q(scope_level=ScopeLevel.PLANT, plant__in=plants)
    )
    qs = (
        Staff.objects.filter(cover, company_id=staff.company_id, is_active=True)
        .filter(user__is_active=True)
        .select_related("user", "plant__state", "cluster__state", "state")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return _contact_search(qs, q.strip())


def _contact_search(qs: QuerySet[Staff], q: str) -> QuerySet[Staff]:
    if not q:
        return qs
    low = q.lower()
    designations = [
        value
        for value, label in Designation.choices
        if low in str(label).lower() or low in value
    ]
    return qs.filter(
        Q(user__first_name__icontains=q)
        | Q(user__last_name__icontains=q)
        | Q(user__username__icontains=q)
        | Q(plant__code__icontains=q)
        | Q(plant__name__icontains=q)
        | Q(designation__in=designations)
    )


def plant_csa(*, plant_id: int) -> Staff | None:
    """The customer service agent of a plant (the longest serving), if any.

    Shown to that plant's own customers (their local contact, manual 4.4)."""
    return (
        Staff.objects.filter(
            plant_id=plant_id,
            designation=Designation.CSA,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
