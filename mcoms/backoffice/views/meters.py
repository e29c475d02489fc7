"""Meters in the back office (manual 4.4, 3.8.2, 3.8.3): the stock of my
plants and the warehouse with each meter's customer, receiving and moving
meters, one meter with its connections and readings, Change Meter with its
Review step, and Unreleased Meter with the manual's tabs.

The forms and the wording of refusals are the field app's
(``mcoms.field.meter_forms``); every rule is the metering services'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.core.errors import DomainError
from mcoms.customers.selectors import get_customer_for_user
from mcoms.field import meter_forms as mf
from mcoms.metering import changes, releases, services
from mcoms.metering.models import (
    MeterAssignment,
    MeterKind,
    MeterLocation,
    MeterState,
    Reading,
)
from mcoms.metering.selectors import get_meter_for_user, open_assignment
from mcoms.metering.stock import StockFilter, stock_counts, stock_for
from mcoms.org.access import can, get_plant_for_user, plants_for, require, staff_for
from mcoms.org.permissions import Action
from mcoms.workflow import selectors as wf
from mcoms.workflow.kinds import describe_payload
from mcoms.workflow.models import RequestState

PAGE_SIZE = 50
READINGS_SHOWN = 30


def _querystring(request: StaffRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _choice(value: str, choices: list[str]) -> str:
    return value if value in choices else ""


# --- stock ------------------------------------------------------------------------
@require_GET
@backoffice_view
def meter_list(request: StaffRequest) -> HttpResponse:
    """Meters per plant (and the warehouse for company-wide staff) by state,
    then the meters with serial, kind, driver, digits, location, state and
    the customer they serve."""
    get = request.GET
    chosen = StockFilter(
        plant=get.get("plant", "")[:6],
        kind=_choice(get.get("kind", ""), MeterKind.values),
        state=_choice(get.get("state", ""), MeterState.values),
        location=_choice(get.get("location", ""), MeterLocation.values),
        q=get.get("q", "")[:40],
    )
    qs = stock_for(request.user, chosen).select_related("plant__state")
    staff = staff_for(request.user)
    assert staff is not None  # noqa: S101 (backoffice_view let only staff in)
    context = {
        "rows": stock_counts(request.user),
        "chosen": chosen,
        "page": Paginator(qs, PAGE_SIZE).get_page(get.get("page")),
        "qs": _querystring(request),
        "places": mf.stock_places(staff, request.user, Action.ORG_VIEW),
        "kinds": MeterKind.choices,
        "states": MeterState.choices,
        "locations": MeterLocation.choices,
        "may_receive": can(request.user, Action.METER_STOCK_EDIT),
        "may_change": can(request.user, Action.METER_CHANGE),
    }
    return render(request, "backoffice/meters/list.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def meter_receive(request: StaffRequest) -> HttpResponse:
    user = request.user
    staff = require(user, Action.METER_STOCK_EDIT)
    places = mf.stock_places(staff, user, Action.METER_STOCK_EDIT)
    form = mf.ReceiveForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        try:
            meter, created = mf.receive(user, form.cleaned_data)
        except DomainError as exc:
            mf.show_refusal(form, exc)
        else:
            text = _("Meter %(s)s received.") if created else _("Meter %(s)s is in.")
            messages.success(request, text % {"s": meter.serial})
            return redirect("backoffice:meter-detail", meter.serial)
    context = {"form": form, "cancel": reverse("backoffice:meter-list")}
    return render(request, "backoffice/meters/receive.html", context)


@require_GET
@backoffice_view
def meter_detail(request: StaffRequest, serial: str) -> HttpResponse:
    """One meter: its details, the connections it has served, its latest
    readings, and the move to another plant's stock."""
    meter = get_meter_for_user(request.user, serial)
    assignments = MeterAssignment.objects.filter(meter=meter).select_related(
        "customer", "by"
    )
    readings = Reading.objects.filter(meter=meter).select_related("customer")
    may_move = can(request.user, Action.METER_STOCK_EDIT)
    plants = plants_for(request.user, Action.METER_STOCK_EDIT) if may_move else []
    context = {
        "meter": meter,
        "current": open_assignment(meter),
        "assignments": assignments.order_by("-assigned_at", "-pk"),
        "readings": readings.order_by("-taken_at", "-pk")[:READINGS_SHOWN],
        "move_form": mf.MoveForm(plants=[(p.key, str(p)) for p in plants])
        if may_move
        else None,
    }
    return render(request, "backoffice/meters/detail.html", context)


@require_POST
@backoffice_view
def meter_move(request: StaffRequest, serial: str) -> HttpResponse:
    user = request.user
    meter = get_meter_for_user(user, serial, write=True)
    plant = get_plant_for_user(
        user, request.POST.get("plant", ""), Action.METER_STOCK_EDIT
    )
    try:
        services.meter_move_to_plant(meter=meter, plant=plant, by=user)
    except DomainError as exc:
        messages.error(request, mf.refusal(exc))
    else:
        messages.success(
            request,
            _("Meter %(s)s is in the stock of %(p)s.")
            % {"s": meter.serial, "p": plant.key},
        )
    return redirect("backoffice:meter-detail", meter.serial)


# --- Change Meter -------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@backoffice_view
def meter_change(request: StaffRequest) -> HttpResponse:
    """Manual 3.8.2: the customer, their meter filled in, the readings and the
    new meter; Review; Confirm makes the change."""
    user = request.user
    staff = require(user, Action.METER_CHANGE)
    customer_id = (request.POST or request.GET).get("customer", "").strip()
    if not customer_id:
        return render(request, "backoffice/meters/change_find.html", {})
    customer = get_customer_for_user(user, customer_id)
    step = request.POST.get("step", "")
    done = changes.change_by_key(staff.company_id, request.POST.get("token", ""))
    if step == "confirm" and done is not None:  # a resent confirmation
        return redirect("backoffice:request-detail", done.number)
    options = changes.change_options(customer)
    form = mf.ChangeForm(
        request.POST or None, options=options, initial=mf.change_initial(options)
    )
    context: dict[str, Any] = {"customer": customer, "options": options}
    if request.method == "POST" and form.is_valid():
        try:
            if step == "confirm":
                req, _created = mf.change_submit(user, customer, form)
                messages.success(
                    request,
                    _("Meter changed: %(n)s waits for review.") % {"n": req.number},
                )
                return redirect("backoffice:request-detail", req.number)
            if step == "review":
                context["cleaned"], context["plan"] = changes.change_preview(
                    customer=customer, payload=form.payload(), by=user
                )
        except DomainError as exc:
            mf.show_refusal(form, exc)
    context["form"] = form
    template = "review" if "plan" in context else "change"
    return render(request, f"backoffice/meters/{template}.html", context)


# --- Unreleased Meter -------------------------------------------------------------
@require_GET
@backoffice_view
def release_list(request: StaffRequest) -> HttpResponse:
    """Manual 3.8.3: Pending, Review, Completed (and Rejected); the closed
    lists with a plant and time filter."""
    get = request.GET
    tab = get.get("tab", "pending")
    tab = tab if tab in releases.TABS else "pending"
    plant = get_plant_for_user(request.user, get["plant"]) if get.get("plant") else None
    closed = tab in ("completed", "rejected")
    since = mf.parse_day(get.get("since", "")) if closed else None
    until = mf.parse_day(get.get("until", "")) if closed else None
    counts = releases.tab_counts(releases.releases_for(request.user, plant=plant))
    qs = releases.releases_for(
        request.user, tab=tab, plant=plant, since=since, until=until
    ).select_related("assigned_to")
    context = {
        "tab": tab,
        "tabs": [(t, releases.TAB_LABELS[t], counts[t]) for t in releases.TABS],
        "page": Paginator(qs, PAGE_SIZE).get_page(get.get("page")),
        "qs": _querystring(request),
        "plant": plant,
        "plants": plants_for(request.user),
        "since": since,
        "until": until,
        "closed": closed,
    }
    return render(request, "backoffice/meters/releases.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def release_new(request: StaffRequest) -> HttpResponse:
    user = request.user
    require(user, Action.REQUEST_RAISE)
    initial = {"token": mf.token(), "meter": request.GET.get("meter", "")[:40]}
    form = mf.ReleaseRaiseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            req, created = mf.release_raise(user, form.cleaned_data)
        except DomainError as exc:
            mf.show_refusal(form, exc)
        else:
            if created:
                messages.success(
                    request, _("Request %(n)s raised.") % {"n": req.number}
                )
            return redirect("backoffice:meter-release", req.number)
    context = {"form": form, "cancel": reverse("backoffice:meter-releases")}
    return render(request, "backoffice/meters/release_new.html", context)


@require_GET
@backoffice_view
def release_detail(request: StaffRequest, number: str) -> HttpResponse:
    req = mf.get_release_for_user(request.user, number)
    actions = wf.request_actions(request.user, req)
    context = {
        "req": req,
        "details": describe_payload(req.kind, req.payload),
        "steps": req.steps.select_related("by", "assignee"),
        "actions": actions,
        "assignees": wf.assignable_staff(req.plant) if "assign" in actions else [],
        "execute_form": mf.ReleaseExecuteForm(initial={"destination": "plant"}),
        "released": bool(req.result.get("released")),
        "token": mf.token(),
    }
    return render(request, "backoffice/meters/release.html", context)


@require_POST
@backoffice_view
def release_action(request: StaffRequest, number: str, action: str) -> HttpResponse:
    if action not in mf.STEPS:
        raise Http404("No such step.")
    req = mf.get_release_for_user(request.user, number)
    try:
        req = mf.release_step(request.user, req, action, request.POST)
    except DomainError as exc:
        messages.error(request, mf.refusal(exc))
    else:
        state = RequestState(req.state).label
        messages.success(
            request,
            _("Request %(number)s: %(state)s.")
            % {"number": req.number, "state": state},
        )
    return redirect("backoffice:meter-release", req.number)
