"""The field app's Dashboard (manual 3.4 main menu, 3.4.3): Total Billing for
the plants of the user's scope, light enough for a village phone."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.field.access import field_view
from mcoms.org.access import get_plant_for_user
from mcoms.org.models import Staff
from mcoms.org.permissions import Action
from mcoms.reports.total_billing import total_billing


def _month(raw: str) -> date | None:
    try:
        return datetime.strptime(raw, "%Y-%m").date()  # noqa: DTZ007 (a date)
    except ValueError:
        return None


@require_GET
@field_view
def dashboard(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Billed per plant (pre-paid, post-paid, total, share of customers)
    against the month before, cluster subtotals and the total."""
    plant = None
    if key := request.GET.get("plant", ""):
        plant = get_plant_for_user(request.user, key, Action.BILLING_VIEW)
    raw = request.GET.get("month", "")
    month = _month(raw)
    report = total_billing(request.user, month=month, plant=plant)
    context = {"report": report, "bad_month": bool(raw) and month is None}
    return render(request, "field/billing_dashboard.html", context)
