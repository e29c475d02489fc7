"""Meter control in the field app: Smart Meter Status / Spark Server / TERMS
Status (manual 3.4.5, 3.8.4, 3.8.8) and Temporary Disconnect (3.5.8) as one
list of a plant's smart meters and load limiters with search; the meter page
with its ON / OFF / AUTO / Reset buttons (shown only to those allowed), load
limit and schedule (in-charges), tokens (CSA, in-charges) and the command
history; Smart Feeder Status (3.8.5) and the plant master switch, each with a
confirm step; one command's progress.

Every form carries a token made when the page was drawn: a double tap or a
resend on a weak network sends the command once."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.core.errors import DomainError
from mcoms.field.access import field_view
from mcoms.metering import control
from mcoms.metering import control_selectors as sel
from mcoms.metering.models import CommandAction, CommandTarget
from mcoms.metering.tokens import token_issue
from mcoms.org.access import can, get_feeder_for_user, get_plant_for_user, plants_for
from mcoms.org.models import Staff
from mcoms.org.permissions import Action

PAGE_SIZE = 50
SWITCHES = (
    CommandAction.ON,
    CommandAction.OFF,
    CommandAction.AUTO,
    CommandAction.RESET,
)
REFUSALS = {
    "meter_not_controllable": gettext_lazy("This meter cannot be reached remotely."),
    "no_meters_reached": gettext_lazy("No meter here can be reached remotely."),
    "idempotency_key_reused": gettext_lazy("This form was already sent."),
    "limit_invalid": gettext_lazy("The load limit is 1 to 100000 watts."),
    "schedule_invalid": gettext_lazy("Enter the times as HH:MM; from and to differ."),
    "meter_not_payg": gettext_lazy("This device has no OpenPAYGO key."),
    "token_days_invalid": gettext_lazy("A token carries 1 to 995 days."),
    "payment_ref_invalid": gettext_lazy("Enter the payment reference."),
    "token_payment_reused": gettext_lazy(
        "This payment already has a token with other days."
    ),
}


def refusal(exc: DomainError) -> str:
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)
    return str(REFUSALS.get(exc.code, exc.message))


def token() -> str:
    return str(uuid.uuid4())


@require_GET
@field_view
def meter_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    """A plant's smart meters and load limiters with their customers."""
    plants = list(plants_for(request.user, Action.CUSTOMER_VIEW))
    qs = sel.controlled_meters_for(request.user)
    plant = None
    if request.GET.get("plant"):
        plant = get_plant_for_user(request.user, request.GET["plant"])
        qs = qs.filter(plant=plant)
    elif len(plants) == 1:
        plant = plants[0]
    q = request.GET.get("q", "").strip()[:60]
    page = Paginator(sel.meter_search(qs, q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "plants": plants,
        "plant": plant,
        "q": q,
        "page": page,
        "may_switch_plant": can(request.user, Action.METER_GROUP_CONTROL),
    }
    return render(request, "field/control/meters.html", context)


@require_GET
@field_view
def meter_page(request: HttpRequest, staff: Staff, serial: str) -> HttpResponse:
    meter = sel.get_meter_for_control(request.user, serial, Action.CUSTOMER_VIEW)
    reachable = control.is_reachable(meter)
    context = {
        "meter": meter,
        "assignment": sel.meter_customer(meter),
        "reachable": reachable,
        "switches": SWITCHES
        if reachable and can(request.user, Action.METER_CONTROL)
        else (),
        "may_limit": reachable and can(request.user, Action.METER_GROUP_CONTROL),
        "may_token": bool(meter.payg_secret) and can(request.user, Action.TOKEN_ISSUE),
        "tokens": sel.tokens_for_meter(meter, 5)
        if can(request.user, Action.TOKEN_ISSUE)
        else [],
        "commands": sel.meter_commands(meter),
        "token": token(),
    }
    return render(request, "field/control/meter.html", context)


def _params(post: Any, action: str) -> dict[str, Any]:
    if action == CommandAction.SET_LIMIT:
        return {"limit_w": post.get("limit_w", "")}
    if action == CommandAction.SET_SCHEDULE:
        return {"windows": [{"from": post.get("from", ""), "to": post.get("to", "")}]}
    return {}


@require_POST
@field_view
def meter_command(request: HttpRequest, staff: Staff, serial: str) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in (*SWITCHES, CommandAction.SET_LIMIT, CommandAction.SET_SCHEDULE):
        raise Http404("No such command.")
    needed = control.required_action(target=CommandTarget.METER, action=action)
    meter = sel.get_meter_for_control(request.user, serial, needed)
    try:
        command, _created = control.command_request(
            target=meter,
            action=action,
            params=_params(request.POST, action),
            reason=request.POST.get("reason", "")[:120],
            key=request.POST.get("token", "")[:100],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(
            request,
            _("%(action)s queued for %(meter)s.")
            % {"action": command.get_action_display(), "meter": meter.serial},
        )
    return redirect("field:smart-meter", meter.serial)


@require_POST
@field_view
def meter_token(request: HttpRequest, staff: Staff, serial: str) -> HttpResponse:
    meter = sel.get_meter_for_control(request.user, serial, Action.TOKEN_ISSUE)
    try:
        issue, _created = token_issue(
            meter=meter,
            payment_ref=request.POST.get("payment_ref", ""),
            days=request.POST.get("days", ""),
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(
            request,
            _("Token for %(ref)s: %(token)s")
            % {"ref": issue.payment_ref, "token": issue.token},
        )
    return redirect("field:smart-meter", meter.serial)


@require_GET
@field_view
def feeder_status(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Smart Feeder Status: the plant first, then its feeders with the
    switch counts of their meters and the Off / On / Auto / reset buttons."""
    plants = list(plants_for(request.user, Action.CUSTOMER_VIEW))
    plant = None
    if request.GET.get("plant"):
        plant = get_plant_for_user(request.user, request.GET["plant"])
    elif len(plants) == 1:
        plant = plants[0]
    context = {
        "plants": plants,
        "plant": plant,
        "feeders": sel.feeders_with_counts(plant) if plant else [],
        "counts": sel.plant_switch_counts(plant) if plant else None,
        "switches": SWITCHES,
        "may_switch": can(request.user, Action.METER_GROUP_CONTROL),
    }
    return render(request, "field/control/feeders.html", context)


def _group_target(user: Any, plant_key: str, feeder_code: str | None) -> Any:
    needed = Action.METER_GROUP_CONTROL
    if feeder_code:
        return get_feeder_for_user(user, plant_key, feeder_code, needed)
    return get_plant_for_user(user, plant_key, needed)


@require_http_methods(["GET", "POST"])
@field_view
def group_switch(
    request: HttpRequest, staff: Staff, plant_key: str, feeder_code: str | None = None
) -> HttpResponse:
    """The confirm step of a feeder command or the plant master switch (GET),
    and the command (POST)."""
    target = _group_target(request.user, plant_key, feeder_code)
    plant = target.plant if feeder_code else target
    action = request.POST.get("action") or request.GET.get("action", "")
    if action not in SWITCHES:
        raise Http404("No such command.")
    if request.method == "POST":
        try:
            command, _created = control.command_request(
                target=target,
                action=action,
                reason=request.POST.get("reason", "")[:120],
                key=request.POST.get("token", "")[:100],
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, refusal(exc))
            return redirect(f"{reverse('field:feeders')}?plant={plant.key}")
        return redirect("field:meter-command", command.pk)
    context = {
        "plant": plant,
        "feeder": target if feeder_code else None,
        "action": action,
        "action_text": CommandAction(action).label,
        "meters": control.meters_targeted(target).count(),
        "token": token(),
    }
    return render(request, "field/control/confirm.html", context)


@require_GET
@field_view
def command_page(request: HttpRequest, staff: Staff, pk: int) -> HttpResponse:
    command = sel.get_command_for_user(request.user, pk)
    children = command.children.select_related("meter").order_by("meter__serial")
    context = {"command": command, "children": children[:200]}
    return render(request, "field/control/command.html", context)
