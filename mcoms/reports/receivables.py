"""Receivable (manual 3.4.6): the customers of one plant with what was billed
to them in a month and what they owe, filtered by status and service,
searched by name or customer ID, sorted by billed or outstanding, with the
total bar. Users who see several plants pick a plant first (manual 1.2.3.3).

* Outstanding: the balance of the customer's receivable accounts (asset
  accounts held by the customer ID, one per service, the security deposit
  *due* among them: what the customer must pay, as Amount Payable shows it;
  docs/decisions/0103); with a service, that service's account only.
* Billed: the charges posted to those accounts in the month (debits of bills,
  activation charges and deposits due; not the reversal of a payment).

Both are correlated subqueries of one query, so the database sorts and pages
(and sums the total bar in a second query). Access: ``receivable.view``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from mcoms.billing.models import Bill
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.ledger.models import Account, AccountKind, Entry, HolderType, Service
from mcoms.org import access
from mcoms.org.models import Plant
from mcoms.org.permissions import Action
from mcoms.reports.cash_register import search_q

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
STATUSES: dict[str, list[str]] = {
    "all": [],
    "active": [CustomerStatus.ACTIVE],
    "inactive": [CustomerStatus.INACTIVE, CustomerStatus.BANNED],
}
SORTS = ("outstanding", "billed")
SERVICES = [code for code, _label in Service.choices]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(following, time.min, tzinfo=tz),
    )


def receivable_plants(user: Any) -> QuerySet[Plant]:
    """The plants of the user's scope with their customers counted (the
    picker: "plant (customer count in brackets)")."""
    return (
        access.plants_for(user, Action.RECEIVABLE_VIEW)
        .annotate(n=Count("customers"))
        .order_by("cluster__state__code", "cluster__code", "state__code", "code")
    )


def _receivables(service: str) -> QuerySet[Account]:
    qs = Account.objects.filter(
        company_id=OuterRef("company_id"),
        holder_type=HolderType.CUSTOMER,
        holder_ref=OuterRef("customer_id"),
        kind=AccountKind.ASSET,
    )
    return qs.filter(service=service) if service else qs


def outstanding_expr(service: str = "") -> Coalesce:
    sums = (
        _receivables(service)
        .order_by()
        .values("holder_ref")
        .annotate(t=Sum("balance"))
        .values("t")[:1]
    )
    return Coalesce(Subquery(sums), Value(ZERO), output_field=MONEY)


def billed_expr(month: date, service: str = "") -> Coalesce:
    begin, finish = month_bounds(month)
    entries = Entry.objects.filter(
        account__company_id=OuterRef("company_id"),
        account__holder_type=HolderType.CUSTOMER,
        account__holder_ref=OuterRef("customer_id"),
        account__kind=AccountKind.ASSET,
        amount__gt=0,
        journal__posted_at__gte=begin,
        journal__posted_at__lt=finish,
    ).exclude(journal__kind="reversal")
    if service:
        entries = entries.filter(account__service=service)
    sums = (
        entries.order_by()
        .values("account__holder_ref")
        .annotate(t=Sum("amount"))
        .values("t")[:1]
    )
    return Coalesce(Subquery(sums), Value(ZERO), output_field=MONEY)


@dataclass(frozen=True)
class Receivables:
    plant: Plant
    month: date
    status: str
    service: str
    sort: str
    q: str
    customers: QuerySet[Customer]  # annotated: billed, outstanding; sorted
    count: int
    billed: Decimal
    outstanding: Decimal


def default_month(plant: Plant) -> date:
    """The month of the plant's latest bill, else this month."""
    latest = Bill.objects.filter(plant=plant).aggregate(at=Max("issued_at"))["at"]
    day = timezone.localdate(latest) if latest else timezone.localdate()
    return day.replace(day=1)


def receivables(
    user: Any,
    *,
    plant: Plant,
    month: date | None = None,
    status: str = "all",
    service: str = "",
    sort: str = "outstanding",
    q: str = "",
) -> Receivables:
    """``plant`` comes from ``get_plant_for_user(..., receivable.view)``."""
    access.require(user, Action.RECEIVABLE_VIEW)
    status = status if status in STATUSES else "all"
    service = service if service in SERVICES else ""
    sort = sort if sort in SORTS else "outstanding"
    month = (month or default_month(plant)).replace(day=1)
    qs = Customer.objects.filter(plant=plant)
    if STATUSES[status]:
        qs = qs.filter(status__in=STATUSES[status])
    if q.strip():
        qs = qs.filter(search_q(q, prefix=""))
    qs = qs.annotate(
        outstanding=outstanding_expr(service), billed=billed_expr(month, service)
    )
    sums = qs.aggregate(
        n=Count("id"), billed_sum=Sum("billed"), outstanding_sum=Sum("outstanding")
    )
    rows = qs.select_related("plant__state", "package").order_by(
        F(sort).desc(), "customer_id"
    )
    return Receivables(
        plant,
        month,
        status,
        service,
        sort,
        q,
        rows,
        sums["n"],
        _money(sums["billed_sum"]),
        _money(sums["outstanding_sum"]),
    )


def _money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)
