"""Field app: the packages my plants offer, read-only (manual 3.6, "Package &
Scheme"): what an agent tells a prospect, on one small page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.field.access import field_view
from mcoms.org.access import get_plant_for_user, plants_for
from mcoms.org.models import Staff
from mcoms.org.permissions import Action
from mcoms.packages import display
from mcoms.packages.selectors import packages_for

VIEW = Action.PACKAGE_VIEW


@require_GET
@field_view
def packages(request: HttpRequest, staff: Staff) -> HttpResponse:
    """One plant's offered packages (the first of my plants unless chosen),
    with a plant switch when my scope has several."""
    plants = list(plants_for(request.user, VIEW))
    key = request.GET.get("plant", "")
    plant = get_plant_for_user(request.user, key, VIEW) if key else None
    if plant is None and plants:
        plant = plants[0]
    offered = packages_for(request.user, offered_only=True).filter(plant=plant)
    rows = display.described(list(offered), staff.company.currency)
    context = {"plants": plants, "plant": plant, "packages": rows}
    return render(request, "field/packages.html", context)
