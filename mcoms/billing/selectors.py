"""Billing reads, always through the user's scope: periods and runs of the
plants they see (``billing.view``), bills of those plants' customers, and one
helper per object kind (missing designation: 403; out of scope: 404)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import Http404

from mcoms.billing.models import Bill, BillingPeriod, BillingRun, BillLine
from mcoms.customers.models import Customer
from mcoms.org import access
from mcoms.org.models import Plant
from mcoms.org.permissions import Action

VIEW = Action.BILLING_VIEW


def periods_for(user: Any, action: Action = VIEW) -> QuerySet[BillingPeriod]:
    staff = access.require(user, action)
    return (
        BillingPeriod.objects.filter(access.plant_q(staff, "plant__"))
        .select_related("plant__state", "run")
        .order_by("plant__state__code", "plant__code", "-start")
    )


def periods_of_plant(plant: Plant) -> QuerySet[BillingPeriod]:
    return (
        BillingPeriod.objects.filter(plant=plant)
        .select_related("plant__state", "run")
        .annotate(bill_count=Count("bills"), billed=Sum("bills__new_charges"))
        .order_by("-start")
    )


def get_period_for_user(
    user: Any, plant_key: str, start: date | str, action: Action = VIEW
) -> BillingPeriod:
    """A plant's period named by its first day (``BHKATS``, ``2026-10-01``)."""
    plant = access.get_plant_for_user(user, plant_key, action)
    try:
        day = start if isinstance(start, date) else date.fromisoformat(str(start))
    except ValueError as exc:
        raise Http404("No such period.") from exc
    period = (
        BillingPeriod.objects.filter(plant=plant, start=day)
        .select_related("plant__state", "plant__company", "run")
        .first()
    )
    if period is None:
        raise Http404(f"No period of {plant.key} from {day}.")
    return period


def run_of(period: BillingPeriod) -> BillingRun | None:
    return BillingRun.objects.filter(period=period).select_related("started_by").first()


def bills_for(user: Any, action: Action = VIEW) -> QuerySet[Bill]:
    staff = access.require(user, action)
    return Bill.objects.filter(access.plant_q(staff, "plant__")).select_related(
        "customer", "plant__state", "period", "package"
    )


def bills_of_period(period: BillingPeriod) -> QuerySet[Bill]:
    return (
        Bill.objects.filter(period=period)
        .select_related("customer", "package")
        .order_by("seq")
    )


def bills_of_customer(customer: Customer) -> QuerySet[Bill]:
    """A customer's bills, the latest first (for the account page and app)."""
    return (
        Bill.objects.filter(customer=customer)
        .select_related("period", "package", "plant__state")
        .order_by("-period__start")
    )


def with_lines(qs: QuerySet[Bill]) -> QuerySet[Bill]:
    return qs.prefetch_related(
        Prefetch("lines", queryset=BillLine.objects.order_by("pk"))
    )


def get_bill_for_user(user: Any, number: str, action: Action = VIEW) -> Bill:
    """A bill by its number (``BHKATS-2026-000123``) in the user's scope."""
    bill = (
        with_lines(bills_for(user, action))
        .filter(number=number.upper())
        .select_related("journal", "run", "plant__company")
        .first()
    )
    if bill is None:
        raise Http404(f"No bill {number} in your scope.")
    return bill


def period_totals(period: BillingPeriod) -> dict[str, Any]:
    """Bills, estimated bills, amount billed and due of a period."""
    totals = Bill.objects.filter(period=period).aggregate(
        bills=Count("pk"),
        billed=Sum("new_charges"),
        due=Sum("amount_due"),
    )
    totals["estimated"] = Bill.objects.filter(period=period, estimated=True).count()
    return totals
