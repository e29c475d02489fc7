"""Reads of customers, through the one access helper."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.org.access import plant_q, plants_for, require, staff_for
from mcoms.org.models import Plant, User
from mcoms.org.permissions import Action


def customers_for(
    user: Any, action: Action = Action.CUSTOMER_VIEW
) -> QuerySet[Customer]:
    """Customers a user may see: staff by scope, a customer their own accounts."""
    qs = Customer.objects.select_related("plant__state", "pole")
    if getattr(user, "is_authenticated", False) and user.kind == User.Kind.CUSTOMER:
        if action != Action.CUSTOMER_VIEW:
            raise PermissionDenied("Customers can only view their accounts.")
        return qs.filter(user=user)
    return qs.filter(plant_q(require(user, action), "plant__"))


def get_customer_for_user(user: Any, customer_id: str, write: bool = False) -> Customer:
    """One customer, or 404 if outside the user's scope, 403 if not allowed."""
    if staff_for(user) is None and not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in first.")
    action = Action.CUSTOMER_EDIT if write else Action.CUSTOMER_VIEW
    customer = (
        customers_for(user, action).filter(customer_id=customer_id.upper()).first()
    )
    if customer is None:
        raise Http404(f"No customer {customer_id} in your scope.")
    return customer


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


def plants_with_customer_counts(user: Any) -> QuerySet[Plant]:
    """The user's plants with their customers counted by status (manual 3.5.4)."""

    def count(status: str) -> Count:
        return Count("customers", filter=Q(customers__status=status))

    return plants_for(user, Action.CUSTOMER_VIEW).annotate(
        active=count(CustomerStatus.ACTIVE),
        inactive=count(CustomerStatus.INACTIVE),
        banned=count(CustomerStatus.BANNED),
        total=Count("customers"),
    )
