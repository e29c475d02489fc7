"""Reads of payments, always through the user's scope (``mcoms.org.access``):
a designation without the action is a 403, a customer, payment or callback
outside the scope a 404. A customer sees their own payments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.http import Http404

from mcoms.customers.models import Customer
from mcoms.customers.selectors import customers_for
from mcoms.ledger.models import Account, AccountKind, Entry, HolderType, Service
from mcoms.org.access import plant_q, require
from mcoms.org.models import ScopeLevel, User
from mcoms.org.permissions import Action
from mcoms.payments.allocation import allocate
from mcoms.payments.models import (
    PAYABLE_SERVICES,
    CheckoutSession,
    EventState,
    Payment,
    ProviderEvent,
)

ZERO = Decimal("0.00")


def _uuid(text: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def _is_customer(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == User.Kind.CUSTOMER


def get_customer_for_payment(user: Any, customer_id: str) -> Customer:
    """A customer the user may take a payment from: ``payment.take`` (403) and
    the customer's plant in the user's scope (404)."""
    staff = require(user, Action.PAYMENT_TAKE)
    customer = (
        Customer.objects.select_related("plant__state", "plant__company", "company")
        .filter(plant_q(staff, "plant__"), customer_id=customer_id.strip().upper())
        .first()
    )
    if customer is None:
        raise Http404(f"No customer {customer_id} in your scope.")
    return customer


def payments_for(user: Any) -> QuerySet[Payment]:
    """Payments the user may see: staff with ``payment.view`` by the plant's
    scope, a customer their own."""
    qs = Payment.objects.select_related(
        "customer", "plant__state", "collected_by", "reversal"
    )
    if _is_customer(user):
        return qs.filter(customer__user=user)
    return qs.filter(plant_q(require(user, Action.PAYMENT_VIEW), "plant__"))


def get_payment_for_user(
    user: Any, uid: Any, action: Action = Action.PAYMENT_VIEW
) -> Payment:
    if _is_customer(user):
        if action != Action.PAYMENT_VIEW:
            raise PermissionDenied("Customers can only view their payments.")
        qs = payments_for(user)
    else:
        staff = require(user, action)
        qs = Payment.objects.select_related(
            "customer", "plant__state", "collected_by", "reversal"
        ).filter(plant_q(staff, "plant__"))
    key = _uuid(uid)
    payment = qs.filter(uid=key).first() if key else None
    if payment is None:
        raise Http404(f"No payment {uid} in your scope.")
    return payment


# --- what a customer owes -------------------------------------------------------------
@dataclass(frozen=True)
class Owed:
    service: str
    label: str
    amount: Decimal  # positive: owed; negative: paid in advance


def outstanding_by_service(customer: Customer) -> list[Owed]:
    """The customer's receivables per service (the deposit due among them),
    from the entries, in the ledger's service order; zero balances left out."""
    rows = dict(
        Entry.objects.filter(
            account__company_id=customer.company_id,
            account__holder_type=HolderType.CUSTOMER,
            account__holder_ref=customer.customer_id,
            account__kind=AccountKind.ASSET,
        )
        .order_by()
        .values_list("account__service")
        .annotate(total=Sum("amount"))
    )
    labels = dict(PAYABLE_SERVICES)
    out = []
    for code in Service.values:
        amount = Decimal(rows.get(code) or 0).quantize(ZERO)
        if amount:
            out.append(Owed(code, str(labels[code]), amount))
    return out


def customer_for_view(user: Any, customer_id: str) -> Customer:
    """A customer the user may see (for the pages that show payments)."""
    customer = customers_for(user).filter(customer_id=customer_id.upper()).first()
    if customer is None:
        raise Http404(f"No customer {customer_id} in your scope.")
    return customer


# --- provider callbacks and the conflicts queue ------------------------------------
def _events_scope(user: Any, action: Action) -> Q:
    """Callbacks are company-wide until applied: company-scoped staff only."""
    staff = require(user, action)
    if staff.scope_level != ScopeLevel.COMPANY:
        raise PermissionDenied("Only company-wide staff see provider callbacks.")
    return Q(company_id=staff.company_id)


def events_for(
    user: Any, action: Action = Action.PAYMENT_CONFLICT_SETTLE
) -> QuerySet[ProviderEvent]:
    return ProviderEvent.objects.filter(_events_scope(user, action)).select_related(
        "payment__customer", "settled_by"
    )


def conflicts_for(user: Any) -> list[ProviderEvent]:
    """The queue: unsettled conflicts, one row per provider transaction (its
    first callback), oldest first, with how many times it arrived."""
    events = events_for(user)
    open_ = events.filter(state=EventState.CONFLICT, settled_at__isnull=True)
    firsts = (
        open_.order_by()
        .values("provider", "event_ref")
        .annotate(first=Min("pk"), times=Count("pk"))
    )
    counts = {r["first"]: r["times"] for r in firsts}
    rows = list(events.filter(pk__in=list(counts)).order_by("received_at", "pk"))
    for event in rows:
        event.times = counts[event.pk]  # type: ignore[attr-defined]
    return rows


def get_event_for_user(
    user: Any, pk: int, action: Action = Action.PAYMENT_CONFLICT_SETTLE
) -> ProviderEvent:
    event = events_for(user, action).filter(pk=pk).first()
    if event is None:
        raise Http404(f"No provider event {pk} in your scope.")
    return event


def get_customer_for_checkout(user: Any, customer_id: str) -> Customer:
    """A customer paying by card or UPI on a hosted page: their own account, or
    one a staff member with ``payment.take`` may collect from."""
    if _is_customer(user):
        customer = (
            Customer.objects.select_related("plant", "company")
            .filter(user=user, customer_id=customer_id.strip().upper())
            .first()
        )
        if customer is None:
            raise Http404(f"No customer {customer_id} in your scope.")
        return customer
    return get_customer_for_payment(user, customer_id)


def get_session_for_user(user: Any, uid: Any) -> CheckoutSession:
    if _is_customer(user):
        qs = CheckoutSession.objects.filter(customer__user=user)
    else:
        qs = CheckoutSession.objects.filter(
            plant_q(require(user, Action.PAYMENT_VIEW), "plant__")
        )
    key = _uuid(uid)
    session = (
        qs.select_related("customer", "payment").filter(uid=key).first()
        if key
        else None
    )
    if session is None:
        raise Http404(f"No checkout session {uid} in your scope.")
    return session


def allocation_preview(
    customer: Customer, amount: Decimal, service: str
) -> dict[str, Decimal]:
    """Where ``amount`` would go now (for a review step; the payment itself
    recomputes it under locks). Writes nothing."""
    accounts = list(
        Account.objects.filter(
            company_id=customer.company_id,
            holder_type=HolderType.CUSTOMER,
            holder_ref=customer.customer_id,
            kind=AccountKind.ASSET,
        )
    )
    return allocate(amount, named=service, accounts=accounts)
