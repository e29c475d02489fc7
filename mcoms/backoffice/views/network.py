"""Feeders and poles of a plant: lists, detail pages, create and edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mcoms.backoffice import history
from mcoms.backoffice.forms import FeederEditForm, FeederForm, PoleEditForm, PoleForm
from mcoms.backoffice.views.common import (
    StaffRequest,
    backoffice_view,
    form_page,
    submit,
)
from mcoms.org import services
from mcoms.org.access import (
    feeders_for,
    get_feeder_for_user,
    get_plant_for_user,
    get_pole_for_user,
    poles_for,
)
from mcoms.org.models import Feeder, Pole
from mcoms.org.permissions import Action

GET_POST = ["GET", "POST"]
EDIT = Action.ORG_EDIT_NETWORK


# --- feeders ----------------------------------------------------------------
@require_GET
@backoffice_view
def feeder_list(request: StaffRequest, plant_key: str) -> HttpResponse:
    plant = get_plant_for_user(request.user, plant_key)
    feeders = feeders_for(request.user).filter(plant=plant)
    context = {"plant": plant, "feeders": feeders.annotate(n_poles=Count("poles"))}
    return render(request, "backoffice/feeder_list.html", context)


@require_GET
@backoffice_view
def feeder_detail(request: StaffRequest, plant_key: str, code: str) -> HttpResponse:
    feeder = get_feeder_for_user(request.user, plant_key, code)
    context = {
        "feeder": feeder,
        "plant": feeder.plant,
        "poles": poles_for(request.user).filter(feeder=feeder),
        "history": history.for_user(request.user, feeder),
    }
    return render(request, "backoffice/feeder_detail.html", context)


@require_http_methods(GET_POST)
@backoffice_view
def feeder_create(request: StaffRequest, plant_key: str) -> HttpResponse:
    plant = get_plant_for_user(request.user, plant_key, EDIT)
    form = FeederForm(request.POST or None)
    feeder = submit(
        request,
        form,
        lambda d: services.feeder_create(plant=plant, by=request.user, **d),
    )
    if feeder is not None:
        messages.success(request, _("Feeder %(code)s added.") % {"code": feeder.code})
        return redirect("backoffice:feeder-detail", plant.key, feeder.code)
    cancel = reverse("backoffice:plant-detail", args=[plant.key])
    title = _("New feeder at %(plant)s") % {"plant": plant.key}
    return form_page(request, form, title=title, cancel=cancel)


@require_http_methods(GET_POST)
@backoffice_view
def feeder_edit(request: StaffRequest, plant_key: str, code: str) -> HttpResponse:
    feeder = get_feeder_for_user(request.user, plant_key, code, EDIT)
    form = FeederEditForm(request.POST or None, initial={"name": feeder.name})
    if submit(
        request,
        form,
        lambda d: services.feeder_update(feeder=feeder, by=request.user, **d),
    ):
        messages.success(request, _("Changes saved."))
        return redirect(_feeder_url(feeder))
    title = _("Edit feeder %(feeder)s") % {"feeder": feeder}
    return form_page(request, form, title=title, cancel=_feeder_url(feeder))


def _feeder_url(feeder: Feeder) -> str:
    return reverse("backoffice:feeder-detail", args=[feeder.plant.key, feeder.code])


# --- poles ------------------------------------------------------------------
@require_GET
@backoffice_view
def pole_list(request: StaffRequest, plant_key: str) -> HttpResponse:
    plant = get_plant_for_user(request.user, plant_key)
    context = {"plant": plant, "poles": poles_for(request.user).filter(plant=plant)}
    return render(request, "backoffice/pole_list.html", context)


@require_GET
@backoffice_view
def pole_detail(request: StaffRequest, plant_key: str, number: int) -> HttpResponse:
    pole = get_pole_for_user(request.user, plant_key, number)
    context = {
        "pole": pole,
        "plant": pole.plant,
        "history": history.for_user(request.user, pole),
    }
    return render(request, "backoffice/pole_detail.html", context)


@require_http_methods(GET_POST)
@backoffice_view
def pole_create(request: StaffRequest, plant_key: str, code: str) -> HttpResponse:
    feeder = get_feeder_for_user(request.user, plant_key, code, EDIT)
    form = PoleForm(request.POST or None)
    pole = submit(
        request,
        form,
        lambda d: services.pole_create(feeder=feeder, by=request.user, **d),
    )
    if pole is not None:
        messages.success(request, _("Pole %(pole)s added.") % {"pole": pole})
        return redirect(_pole_url(pole))
    title = _("New pole on feeder %(feeder)s") % {"feeder": feeder}
    return form_page(request, form, title=title, cancel=_feeder_url(feeder))


def _pole_changes(user: Any, pole: Pole, data: dict[str, Any]) -> dict[str, Any]:
    """The form's feeder code, resolved among the pole's own plant's feeders."""
    feeder = get_feeder_for_user(user, pole.plant.key, data["feeder"], EDIT)
    return {**data, "feeder": feeder}


@require_http_methods(GET_POST)
@backoffice_view
def pole_edit(request: StaffRequest, plant_key: str, number: int) -> HttpResponse:
    pole = get_pole_for_user(request.user, plant_key, number, EDIT)
    feeders = feeders_for(request.user, EDIT).filter(plant_id=pole.plant_id)
    choices = [(f.code, str(f)) for f in feeders]
    initial: dict[str, Any] = {"latitude": pole.latitude, "longitude": pole.longitude}
    initial["feeder"] = pole.feeder.code
    form = PoleEditForm(request.POST or None, initial=initial, feeders=choices)
    if submit(
        request,
        form,
        lambda d: services.pole_update(
            pole=pole, by=request.user, **_pole_changes(request.user, pole, d)
        ),
    ):
        messages.success(request, _("Changes saved."))
        return redirect(_pole_url(pole))
    title = _("Edit pole %(pole)s") % {"pole": pole}
    return form_page(request, form, title=title, cancel=_pole_url(pole))


def _pole_url(pole: Pole) -> str:
    return reverse("backoffice:pole-detail", args=[pole.plant.key, pole.number])
