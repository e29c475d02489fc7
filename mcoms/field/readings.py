"""Meter Reading and Meter Reading Review in the field app (manual 3.8.6,
3.8.7).

Meter Reading: per plant, the manually read meters and how many are still
due; a plant's list (open from the reading day of the month, 24 unless the
company or plant says otherwise) with each meter's previous reading and units;
a reading is entered, confirmed (the value and the units it implies), then
submitted with the UUID made when the form was drawn, so a double tap or a
resend on a weak network records it once.

Meter Reading Review: per plant, the readings waiting for the Cluster or
State In-charge; approve, or reject with a reason."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.core.errors import DomainError
from mcoms.field.access import field_view
from mcoms.metering import reading_selectors as selectors
from mcoms.metering.models import Meter, MeterAssignment
from mcoms.metering.reading_words import refusal_text
from mcoms.metering.readings import (
    reading_approve,
    reading_check,
    reading_record,
    reading_reject,
    reading_window,
)
from mcoms.org.access import get_plant_for_user
from mcoms.org.models import Plant, Staff
from mcoms.org.permissions import Action


class ReadingForm(forms.Form):
    value = forms.CharField(
        label=gettext_lazy("Reading (kWh)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    rollover = forms.BooleanField(
        label=gettext_lazy("The meter went past its last digit (rollover)"),
        required=False,
    )
    replacement = forms.BooleanField(
        label=gettext_lazy("The meter was replaced (counts from zero)"),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"), max_length=200, required=False
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _plant(request: HttpRequest, key: str, action: Action) -> Plant:
    return get_plant_for_user(request.user, key, action)


def _assignment(plant: Plant, serial: str) -> MeterAssignment:
    found = (
        selectors.manual_assignments(plant)
        .select_related("meter__plant", "customer__package")
        .filter(meter__serial=serial.strip().upper())
        .first()
    )
    if found is None:
        raise Http404(f"No manually read meter {serial:.40} at {plant.key}.")
    return found


@require_GET
@field_view
def board(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Manual 3.8.6: per plant, the manually read meters and those due."""
    lines = selectors.reading_board(request.user)
    total = {
        "meters": sum(line.meters for line in lines),
        "due": sum(line.due for line in lines if line.window.is_open),
        "awaiting": sum(line.awaiting for line in lines),
    }
    return render(
        request, "field/readings/board.html", {"lines": lines, "total": total}
    )


@require_GET
@field_view
def plant_list(request: HttpRequest, staff: Staff, plant_key: str) -> HttpResponse:
    """The plant's meters: due first, with the previous reading and units.
    Shut until the reading day of the month (manual: "only available after
    the 24th")."""
    plant = _plant(request, plant_key, Action.READING_ENTER)
    window = reading_window(plant)
    rows = selectors.meters_due(plant, window) if window.is_open else []
    context = {"plant": plant, "window": window, "rows": rows}
    return render(request, "field/readings/plant.html", context)


def _render_form(
    request: HttpRequest,
    assignment: MeterAssignment,
    form: ReadingForm,
    checked: Any = None,
) -> HttpResponse:
    meter: Meter = assignment.meter
    due = selectors.meters_due(assignment.customer.plant)
    row = next((r for r in due if r.assignment.pk == assignment.pk), None)
    context = {
        "plant": assignment.customer.plant,
        "assignment": assignment,
        "meter": meter,
        "row": row,
        "form": form,
        "checked": checked,
    }
    return render(request, "field/readings/enter.html", context)


@require_http_methods(["GET", "POST"])
@field_view
def enter(
    request: HttpRequest, staff: Staff, plant_key: str, serial: str
) -> HttpResponse:
    """Enter, confirm, submit. The first POST checks (nothing is written) and
    shows the units; the second, with ``confirm``, records the reading."""
    plant = _plant(request, plant_key, Action.READING_ENTER)
    assignment = _assignment(plant, serial)
    if not reading_window(plant).is_open:
        messages.error(request, _("Readings for this month are not open yet."))
        return redirect("field:readings-plant", plant.key)
    form = ReadingForm(request.POST or None, initial={"token": uuid.uuid4()})
    if request.method != "POST" or not form.is_valid():
        return _render_form(request, assignment, form)
    data = form.cleaned_data
    flags = {"rollover": data["rollover"], "replacement": data["replacement"]}
    try:
        if "confirm" not in request.POST:
            checked = reading_check(
                meter=assignment.meter, value=data["value"], **flags
            )
            return _render_form(request, assignment, form, checked)
        _reading, created = reading_record(
            meter=assignment.meter,
            value=data["value"],
            client_key=data["token"],
            note=data["note"],
            by=staff.user,
            **flags,
        )
    except DomainError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field if field != "taken_at" else None, refusal_text(exc))
        return _render_form(request, assignment, form)
    text = _("Reading saved; it waits for review.") if created else _("Already saved.")
    messages.success(request, f"{assignment.meter.serial}: {text}")
    return redirect("field:readings-plant", plant.key)


# --- review -----------------------------------------------------------------------
@require_GET
@field_view
def review_board(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Manual 3.8.7, Meter Readings Approvals: per plant, readings waiting."""
    lines = selectors.review_board(request.user)
    total = sum(line.awaiting for line in lines)
    return render(
        request, "field/readings/review_board.html", {"lines": lines, "total": total}
    )


@require_GET
@field_view
def review_plant(request: HttpRequest, staff: Staff, plant_key: str) -> HttpResponse:
    plant = _plant(request, plant_key, Action.READING_REVIEW)
    context = {"plant": plant, "readings": selectors.pending_for_review(plant)}
    return render(request, "field/readings/review_plant.html", context)


@require_POST
@field_view
def review_action(
    request: HttpRequest, staff: Staff, plant_key: str, pk: int, action: str
) -> HttpResponse:
    """Approve, or reject with a reason."""
    plant = _plant(request, plant_key, Action.READING_REVIEW)
    reading = selectors.get_reading_for_user(request.user, pk, Action.READING_REVIEW)
    if reading.meter.plant_id != plant.pk or action not in ("approve", "reject"):
        raise Http404("No such reading here.")
    try:
        if action == "approve":
            reading_approve(reading=reading, by=staff.user)
            messages.success(request, _("Reading approved."))
        else:
            reading_reject(
                reading=reading, by=staff.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Reading rejected; the meter is due again."))
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
    return redirect(reverse("field:reading-review-plant", args=[plant.key]))
