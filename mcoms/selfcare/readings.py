"""The customer app's Meter Readings (manual 4.5, Profile -> Meter Readings):
the customer's readings in time order, per meter (the meter number chosen
when the connection has had several): date, package, reading and units since
the last one. Readings waiting for review are marked; rejected ones are not
shown (the meter is read again)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.metering.reading_selectors import (
    chosen_meter,
    customer_meters,
    reading_ledger,
)
from mcoms.selfcare.access import customer_view
from mcoms.selfcare.views import _account_context

PAGE_SIZE = 31


@require_GET
@customer_view
def meter_readings(request: HttpRequest, customer_id: str) -> HttpResponse:
    context = _account_context(request, customer_id)
    meters = customer_meters(context["customer"])
    chosen = chosen_meter(meters, request.GET.get("meter"))
    page: Any = None
    if chosen is not None:
        page = Paginator(reading_ledger(chosen), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    context.update(meters=meters, chosen=chosen, page=page)
    return render(request, "selfcare/readings.html", context)
