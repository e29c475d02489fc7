"""Cash Register (manual 3.4.4): every payment in the user's scope, newest
first, for a period and optionally one plant, with a search by customer name
or ID; and the collection split by service (what the payments went to, from
their allocations) for the pie chart. Payments reversed or refunded are
listed (marked) but not counted. Access: ``payment.view``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from mcoms.core.periods import Period
from mcoms.org import access
from mcoms.org.models import Plant
from mcoms.org.permissions import Action
from mcoms.payments.models import (
    PAYABLE_SERVICES,
    Payment,
    PaymentAllocation,
    PaymentStatus,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ServiceShare:
    service: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class CashRegister:
    period: Period
    plant: Plant | None
    q: str
    payments: QuerySet[Payment]  # newest first; the caller pages it
    by_service: list[ServiceShare]  # standing payments only
    total: Decimal
    count: int


def search_q(q: str, prefix: str = "customer__") -> Q:
    """A customer ID (or its start) or words of the customer's name."""
    q = " ".join(q.split())[:60]
    if not q:
        return Q()
    cond = Q(**{f"{prefix}customer_id__startswith": q.upper().replace(" ", "")})
    words = Q()
    for word in q.split():
        words &= Q(**{f"{prefix}name__icontains": word})
    return cond | words


def cash_register(
    user: Any, *, period: Period, plant: Plant | None = None, q: str = ""
) -> CashRegister:
    """The payments and their split by service. ``plant`` comes from
    ``get_plant_for_user`` (so it is in scope). Three queries before paging."""
    staff = access.require(user, Action.PAYMENT_VIEW)
    begin, finish = period.bounds()
    qs = Payment.objects.filter(
        access.plant_q(staff, "plant__"),
        company_id=staff.company_id,
        created_at__gte=begin,
        created_at__lt=finish,
    )
    if plant is not None:
        qs = qs.filter(plant=plant)
    if q.strip():
        qs = qs.filter(search_q(q))
    standing = qs.filter(status=PaymentStatus.POSTED)
    sums = standing.aggregate(total=Sum("amount"), n=Count("id"))
    shares = dict(
        PaymentAllocation.objects.filter(payment__in=standing.values("pk"))
        .order_by()
        .values_list("service")
        .annotate(t=Sum("amount"))
    )
    by_service = [
        ServiceShare(code, str(label), Decimal(shares[code]).quantize(ZERO))
        for code, label in PAYABLE_SERVICES
        if shares.get(code)
    ]
    listed = (
        qs.select_related("customer", "plant__state", "collected_by", "receipt")
        .prefetch_related(
            Prefetch("allocations", queryset=PaymentAllocation.objects.order_by("pk"))
        )
        .order_by("-created_at", "-pk")
    )
    total = ZERO if sums["total"] is None else Decimal(sums["total"]).quantize(ZERO)
    return CashRegister(period, plant, q, listed, by_service, total, sums["n"])
