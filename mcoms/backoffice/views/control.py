"""Meter control in the back office (the web platform's side of manual 3.4.5,
3.5.8, 3.8.4, 3.8.5): the smart meters and load limiters of the user's plants
with search and colours; one meter with its switch, load limit, schedule,
tokens and command history; a plant's feeders with the feeder switches and
the plant master switch, each with a confirm step; the command list and one
command with its meters and audit trail.

Buttons show only where the designation allows the command; the services
decide nothing about permissions, the selectors' scope checks do (403 for the
designation, 404 outside the scope, nothing written)."""

from __future__ import annotations

import uuid
from typing import Any

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
from mcoms.metering import control
from mcoms.metering import control_selectors as sel
from mcoms.metering.models import CommandAction, CommandState, CommandTarget
from mcoms.metering.tokens import token_issue
from mcoms.org.access import can, get_feeder_for_user, get_plant_for_user, plants_for
from mcoms.org.permissions import Action

PAGE_SIZE = 50
SWITCHES = (
    CommandAction.ON,
    CommandAction.OFF,
    CommandAction.AUTO,
    CommandAction.RESET,
)
BY_CODE = {
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
    return str(BY_CODE.get(exc.code, exc.message))


def token() -> str:
    return str(uuid.uuid4())


@require_GET
@backoffice_view
def meter_list(request: StaffRequest) -> HttpResponse:
    plants = list(plants_for(request.user, Action.CUSTOMER_VIEW))
    qs = sel.controlled_meters_for(request.user)
    plant = None
    if request.GET.get("plant"):
        plant = get_plant_for_user(request.user, request.GET["plant"])
        qs = qs.filter(plant=plant)
    state = request.GET.get("state", "")
    if state in ("on", "off", "auto"):
        qs = qs.filter(switch_state=state)
    q = request.GET.get("q", "").strip()[:60]
    page = Paginator(sel.meter_search(qs, q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"plants": plants, "plant": plant, "q": q, "state": state, "page": page}
    return render(request, "backoffice/control/meters.html", context)


@require_GET
@backoffice_view
def meter_detail(request: StaffRequest, serial: str) -> HttpResponse:
    meter = sel.get_meter_for_control(request.user, serial, Action.CUSTOMER_VIEW)
    reachable = control.is_reachable(meter)
    may_token = can(request.user, Action.TOKEN_ISSUE)
    context = {
        "meter": meter,
        "assignment": sel.meter_customer(meter),
        "reachable": reachable,
        "switches": SWITCHES
        if reachable and can(request.user, Action.METER_CONTROL)
        else (),
        "may_limit": reachable and can(request.user, Action.METER_GROUP_CONTROL),
        "may_token": may_token and bool(meter.payg_secret),
        "tokens": sel.tokens_for_meter(meter, 20) if may_token else [],
        "commands": sel.meter_commands(meter),
        "token": token(),
    }
    return render(request, "backoffice/control/meter.html", context)


def _params(post: Any, action: str) -> dict[str, Any]:
    if action == CommandAction.SET_LIMIT:
        return {"limit_w": post.get("limit_w", "")}
    if action == CommandAction.SET_SCHEDULE:
        return {"windows": [{"from": post.get("from", ""), "to": post.get("to", "")}]}
    return {}


@require_POST
@backoffice_view
def meter_command(request: StaffRequest, serial: str) -> HttpResponse:
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
    return redirect("backoffice:control-meter", meter.serial)


@require_POST
@backoffice_view
def meter_token(request: StaffRequest, serial: str) -> HttpResponse:
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
    return redirect("backoffice:control-meter", meter.serial)


@require_GET
@backoffice_view
def plant_control(request: StaffRequest, plant_key: str) -> HttpResponse:
    """A plant's feeders with their meters' switch counts, the feeder
    switches and the plant master switch (Smart Feeder Status, 3.5.8)."""
    plant = get_plant_for_user(request.user, plant_key)
    context = {
        "plant": plant,
        "feeders": sel.feeders_with_counts(plant),
        "counts": sel.plant_switch_counts(plant),
        "switches": SWITCHES,
        "may_switch": can(request.user, Action.METER_GROUP_CONTROL),
        "commands": sel.commands_for(request.user).filter(plant=plant)[:20],
    }
    return render(request, "backoffice/control/plant.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def group_switch(
    request: StaffRequest, plant_key: str, feeder_code: str | None = None
) -> HttpResponse:
    """Confirm (GET) and send (POST) a feeder command or the master switch."""
    needed = Action.METER_GROUP_CONTROL
    target: Any = (
        get_feeder_for_user(request.user, plant_key, feeder_code, needed)
        if feeder_code
        else get_plant_for_user(request.user, plant_key, needed)
    )
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
            return redirect("backoffice:control-plant", plant.key)
        return redirect("backoffice:control-command", command.pk)
    context = {
        "plant": plant,
        "feeder": target if feeder_code else None,
        "action": action,
        "action_text": CommandAction(action).label,
        "meters": control.meters_targeted(target).count(),
        "token": token(),
    }
    return render(request, "backoffice/control/confirm.html", context)


@require_GET
@backoffice_view
def command_list(request: StaffRequest) -> HttpResponse:
    qs = sel.commands_for(request.user)
    state = request.GET.get("state", "")
    if state in CommandState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": CommandState.choices}
    return render(request, "backoffice/control/commands.html", context)


@require_GET
@backoffice_view
def command_detail(request: StaffRequest, pk: int) -> HttpResponse:
    command = sel.get_command_for_user(request.user, pk)
    children = command.children.select_related("meter").order_by("meter__serial")
    context = {"command": command, "children": children[:500]}
    return render(request, "backoffice/control/command.html", context)
