"""Whose bill documents a user may open: staff with ``billing.view`` the
bills of plants in their scope; a customer only the bills of their own
accounts. Anything else is 404 (403 for a designation without the action)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from mcoms.billing.models import Bill
from mcoms.customers.models import Customer
from mcoms.org import access
from mcoms.org.models import User
from mcoms.org.permissions import Action


def bills_for_user(user: Any) -> QuerySet[Bill]:
    qs = Bill.objects.select_related("customer", "period", "plant__state")
    if getattr(user, "is_authenticated", False) and user.kind == User.Kind.CUSTOMER:
        return qs.filter(customer__user=user)
    staff = access.require(user, Action.BILLING_VIEW)
    return qs.filter(access.plant_q(staff, "plant__"), company_id=staff.company_id)


def get_bill_for_user(user: Any, number: str) -> Bill:
    """One bill by its number (``BHKATS-2026-000123``), or 404 if out of reach."""
    bill = bills_for_user(user).filter(number=number.upper()).first()
    if bill is None:
        raise Http404(f"No bill {number} in your scope.")
    return bill


def get_customer_bill(customer: Customer, number: str) -> Bill:
    """A bill of this customer (already checked with get_customer_for_user)."""
    bill = (
        customer.bills.select_related("period", "plant__state")
        .filter(number=number.upper())
        .first()
    )
    if bill is None:
        raise Http404(f"No bill {number} for {customer.customer_id}.")
    return bill
