"""Reads for the field app screens, composed from the access helpers so that
every list is scoped. (Candidates to move into the domain selectors.)"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Q, QuerySet

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.notifications.models import Channel, Message
from mcoms.org.access import plants_for
from mcoms.org.models import Designation, Plant, ScopeLevel, Staff
from mcoms.org.permissions import Action


def plants_with_counts(user: Any) -> QuerySet[Plant]:
    """The user's plants with their customers counted by status."""

    def count(status: str) -> Count:
        return Count("customers", filter=Q(customers__status=status))

    return plants_for(user, Action.CUSTOMER_VIEW).annotate(
        active=count(CustomerStatus.ACTIVE),
        inactive=count(CustomerStatus.INACTIVE),
        banned=count(CustomerStatus.BANNED),
        total=Count("customers"),
    )


def customer_search(qs: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """Match a name, a customer ID or (4+ digits) part of a mobile number."""
    q = q.strip()
    if not q:
        return qs
    cond = Q(name__icontains=q) | Q(customer_id__icontains=q.replace(" ", ""))
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 4:
        cond |= Q(phone__contains=digits)
    return qs.filter(cond)


def contacts_for(user: Any, staff: Staff, q: str = "") -> QuerySet[Staff]:
    """Active staff of the user's company whose scope covers one of the
    user's plants (their plant, its cluster, its state, or head office)."""
    plants = plants_for(user, Action.FIELD_USE)
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


def inbox_for(user: Any) -> QuerySet[Message]:
    """The user's in-app messages, newest first."""
    return Message.objects.filter(user=user, channel=Channel.INAPP)


def unread_count(user: Any) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()
