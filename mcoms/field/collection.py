"""Collection in the field app (docs/collection.md): Cash Register (main menu,
manual 3.4.4), Receivable with Aging Receivables (3.4.6; 3.5.3) and Total
Collection (the Dashboard's collection figures, 3.4.3.2). Light pages: the
figures come from mcoms.reports; the pie is a small inline SVG."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.field.access import field_view
from mcoms.field.collection_forms import ReceivableForm, period_filters
from mcoms.ledger.models import Service
from mcoms.org.access import get_plant_for_user, plants_for, require
from mcoms.org.models import Plant, Staff
from mcoms.org.permissions import Action
from mcoms.reports.ageing import age_lists, ageing
from mcoms.reports.cash_register import cash_register
from mcoms.reports.charts import service_pie
from mcoms.reports.collection import total_collection
from mcoms.reports.receivables import receivable_plants, receivables

PAGE_SIZE = 30


def _plants(request: HttpRequest) -> list[Plant]:
    qs = plants_for(request.user, Action.PAYMENT_VIEW)
    return list(qs.order_by("state__code", "code"))


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@field_view
def cash_register_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Payments newest first, the split by service, search and filters; a
    payment opens the customer's account."""
    require(request.user, Action.PAYMENT_VIEW)
    form, period, plant, q = period_filters(request, Action.PAYMENT_VIEW)
    report = cash_register(request.user, period=period, plant=plant, q=q)
    page = Paginator(report.payments, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "report": report,
        "page": page,
        "pie": service_pie(report.by_service, size=240),
        "query": _query(request),
        "plants": _plants(request),
    }
    return render(request, "field/collection/cash_register.html", context)


@require_GET
@field_view
def receivables_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Plants with their customer counts; a plant's customers with billed
    and outstanding (a single-plant user goes straight to theirs)."""
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
    return render(request, "field/collection/receivables.html", context)


@require_GET
@field_view
def ageing_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    require(request.user, Action.RECEIVABLE_VIEW)
    plant = None
    if key := request.GET.get("plant", ""):
        plant = get_plant_for_user(request.user, key, Action.RECEIVABLE_VIEW)
    context = {"report": ageing(request.user, plant=plant), "lists": age_lists()}
    return render(request, "field/collection/ageing.html", context)


@require_GET
@field_view
def total_collection_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    require(request.user, Action.PAYMENT_VIEW)
    form, period, plant, _q = period_filters(request, Action.PAYMENT_VIEW)
    context = {
        "form": form,
        "report": total_collection(request.user, period=period, plant=plant),
        "plants": _plants(request),
    }
    return render(request, "field/collection/total_collection.html", context)
