"""Meter readings in the back office: the review of manual readings per plant
(manual 3.8.7) with the reading day of the month, the account page's Meter
readings tab (manual 3.5.2, the reading ledger per meter), and the CSV import
of smart meters' interval readings with each batch's report."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.core.errors import DomainError
from mcoms.customers.selectors import get_customer_for_user
from mcoms.metering import reading_selectors as selectors
from mcoms.metering.ingest import csv_ingest
from mcoms.metering.reading_words import refusal_text
from mcoms.metering.readings import (
    company_window_day,
    reading_approve,
    reading_reject,
    reading_window,
    reading_window_set,
    window_day,
)
from mcoms.metering.selectors import meters_for
from mcoms.org.access import can, get_plant_for_user, require
from mcoms.org.models import ScopeLevel
from mcoms.org.permissions import Action

PAGE_SIZE = 50
MAX_CSV_BYTES = 50 * 1024 * 1024


class DayForm(forms.Form):
    day = forms.IntegerField(
        label=gettext_lazy("Readings due from day of the month"),
        min_value=1,
        max_value=28,
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Interval readings (CSV: meter,at,kwh)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _door(request: StaffRequest) -> None:
    """The readings pages are for those who review or import readings."""
    if not (
        can(request.user, Action.READING_REVIEW)
        or can(request.user, Action.READING_IMPORT)
    ):
        raise PermissionDenied("Readings are for reviewers and importers.")


@require_http_methods(["GET", "POST"])
@backoffice_view
def reading_home(request: StaffRequest) -> HttpResponse:
    """Per plant, the readings waiting for review; the company's reading
    day (company-wide staff who edit the structure may change it)."""
    _door(request)
    staff = require(request.user, Action.BACKOFFICE_USE)
    lines = (
        selectors.review_board(request.user)
        if can(request.user, Action.READING_REVIEW)
        else []
    )
    may_set = staff.scope_level == ScopeLevel.COMPANY and can(
        request.user, Action.ORG_EDIT_STRUCTURE
    )
    form = DayForm(
        request.POST or None, initial={"day": company_window_day(staff.company)}
    )
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied("Only company-wide staff set the company's day.")
        if form.is_valid():
            reading_window_set(
                company=staff.company, day=form.cleaned_data["day"], by=request.user
            )
            messages.success(request, _("The reading day is saved."))
            return redirect("backoffice:reading-home")
    context = {
        "lines": lines,
        "total": sum(line.awaiting for line in lines),
        "form": form,
        "may_set": may_set,
        "may_import": can(request.user, Action.READING_IMPORT),
        "company_day": company_window_day(staff.company),
    }
    return render(request, "backoffice/readings/home.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def reading_plant(request: StaffRequest, plant_key: str) -> HttpResponse:
    """A plant's readings waiting for review, and its own reading day."""
    plant = get_plant_for_user(request.user, plant_key, Action.READING_REVIEW)
    may_set = can(request.user, Action.ORG_EDIT_STRUCTURE)
    form = DayForm(request.POST or None, initial={"day": window_day(plant)})
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied("Your designation may not set the reading day.")
        if form.is_valid():
            reading_window_set(
                company=plant.company,
                plant=plant,
                day=form.cleaned_data["day"],
                by=request.user,
            )
            messages.success(request, _("The reading day is saved."))
            return redirect("backoffice:reading-plant", plant.key)
    context = {
        "plant": plant,
        "window": reading_window(plant),
        "readings": selectors.pending_for_review(plant),
        "form": form,
        "may_set": may_set,
    }
    return render(request, "backoffice/readings/plant.html", context)


@require_POST
@backoffice_view
def reading_action(
    request: StaffRequest, plant_key: str, pk: int, action: str
) -> HttpResponse:
    plant = get_plant_for_user(request.user, plant_key, Action.READING_REVIEW)
    reading = selectors.get_reading_for_user(request.user, pk, Action.READING_REVIEW)
    if reading.meter.plant_id != plant.pk or action not in ("approve", "reject"):
        raise Http404("No such reading here.")
    try:
        if action == "approve":
            reading_approve(reading=reading, by=request.user)
            messages.success(request, _("Reading approved."))
        else:
            reason = request.POST.get("reason", "")
            reading_reject(reading=reading, by=request.user, reason=reason)
            messages.success(request, _("Reading rejected; the meter is due again."))
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("backoffice:reading-plant", plant.key)


# --- the account page's tab ---------------------------------------------------------
@require_GET
@backoffice_view
def customer_readings(request: StaffRequest, customer_id: str) -> HttpResponse:
    """The Meter readings tab: per meter (a choice if several), each reading's
    date, package, reading and units since the last one; pending, rejected
    and smart meters' daily readings marked."""
    customer = get_customer_for_user(request.user, customer_id)
    meters = selectors.customer_meters(customer)
    chosen = selectors.chosen_meter(meters, request.GET.get("meter"))
    page: Any = None
    if chosen is not None:
        ledger = selectors.reading_ledger(chosen, with_rejected=True)
        page = Paginator(ledger, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "customer": customer,
        "meters": meters,
        "chosen": chosen,
        "page": page,
    }
    return render(request, "backoffice/customers/readings.html", context)


# --- interval imports ------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@backoffice_view
def interval_import(request: StaffRequest) -> HttpResponse:
    """Upload a CSV of interval readings (``meter,at,kwh``): stored at once
    (good rows; bad ones reported), duplicates counted, gaps and counter
    resets reported. The form's key makes a resubmission return the first
    batch."""
    staff = require(request.user, Action.READING_IMPORT)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"token": uuid.uuid4()}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            form.add_error("file", _("The file is larger than 50 MB."))
        else:
            try:
                batch, _created = csv_ingest(
                    company=staff.company,
                    data=upload.read(),
                    key=f"csv:{form.cleaned_data['token']}",
                    by=request.user,
                    scope=meters_for(request.user, Action.READING_IMPORT),
                )
            except DomainError as exc:
                form.add_error("file", refusal_text(exc))
            else:
                return redirect("backoffice:reading-batch", batch.pk)
    batches = selectors.batches_for(request.user)[:20]
    context = {"form": form, "batches": batches}
    return render(request, "backoffice/readings/import.html", context)


@require_GET
@backoffice_view
def interval_batch(request: StaffRequest, pk: int) -> HttpResponse:
    batch = selectors.get_batch_for_user(request.user, pk)
    return render(request, "backoffice/readings/batch.html", {"batch": batch})
