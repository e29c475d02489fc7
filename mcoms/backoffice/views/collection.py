"""Collection reports in the back office (docs/collection.md): Cash Register
(manual 3.4.4), Receivable with Aging Receivables (3.4.6) and Total
Collection (3.4.3.2). Reads only; the figures come from mcoms.reports."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.field.collection_forms import ReceivableForm, period_filters
from mcoms.ledger.models import Service
from mcoms.org.access import get_plant_for_user, plants_for, require
from mcoms.org.permissions import Action
from mcoms.reports.ageing import age_lists, ageing
from mcoms.reports.cash_register import cash_register
from mcoms.reports.charts import service_pie
from mcoms.reports.collection import total_collection
from mcoms.reports.receivables import receivable_plants, receivables

PAGE_SIZE = 50


def _plants(request: StaffRequest, action: Action) -> list:  # type: ignore[type-arg]
    return list(plants_for(request.user, action).order_by("state__code", "code"))


@require_GET
@backoffice_view
def cash_register_page(request: StaffRequest) -> HttpResponse:
    """Payments newest first for a period and plant, searched by customer
    name or ID, with the collection split by service as a pie."""
    require(request.user, Action.PAYMENT_VIEW)
    form, period, plant, q = period_filters(request, Action.PAYMENT_VIEW)
    report = cash_register(request.user, period=period, plant=plant, q=q)
    page = Paginator(report.payments, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "report": report,
        "page": page,
        "pie": service_pie(report.by_service),
        "plants": _plants(request, Action.PAYMENT_VIEW),
        "query": _query(request),
    }
    return render(request, "backoffice/collection/cash_register.html", context)


@require_GET
@backoffice_view
def receivables_page(request: StaffRequest) -> HttpResponse:
    """Pick a plant (with its customer count), then its customers with what
    was billed in the month and what they owe."""
    require(request.user, Action.RECEIVABLE_VIEW)
    form = ReceivableForm(request.GET or None)
    choices = list(receivable_plants(request.user))
    key = request.GET.get("plant", "")
    if not key and len(choices) == 1:
        key = choices[0].key
    context = {"form": form, "choices": choices, "services": Service.choices}
    if key:
        plant = get_plant_for_user(request.user, key, Action.RECEIVABLE_VIEW)
        report = receivables(request.user, plant=plant, **form.values())
        page = Paginator(report.customers, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(report=report, page=page, query=_query(request))
    return render(request, "backoffice/collection/receivables.html", context)


@require_GET
@backoffice_view
def ageing_page(request: StaffRequest) -> HttpResponse:
    """The two lists per plant with the manual's buckets."""
    require(request.user, Action.RECEIVABLE_VIEW)
    plant = None
    if key := request.GET.get("plant", ""):
        plant = get_plant_for_user(request.user, key, Action.RECEIVABLE_VIEW)
    context = {
        "report": ageing(request.user, plant=plant),
        "lists": age_lists(),
        "plants": _plants(request, Action.RECEIVABLE_VIEW),
    }
    return render(request, "backoffice/collection/ageing.html", context)


@require_GET
@backoffice_view
def total_collection_page(request: StaffRequest) -> HttpResponse:
    """Per plant: collected POS / wallet / card in the period, this year's
    charges and what is still owed of them; cluster subtotals and total."""
    require(request.user, Action.PAYMENT_VIEW)
    form, period, plant, _q = period_filters(request, Action.PAYMENT_VIEW)
    context = {
        "form": form,
        "report": total_collection(request.user, period=period, plant=plant),
        "plants": _plants(request, Action.PAYMENT_VIEW),
    }
    return render(request, "backoffice/collection/total_collection.html", context)


def _query(request: StaffRequest) -> str:
    """The filters as a query string, without the page (for paging links)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
