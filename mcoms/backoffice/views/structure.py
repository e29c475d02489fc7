"""States, clusters and plants: lists, detail pages, create and edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mcoms.backoffice import history
from mcoms.backoffice.forms import (
    ClusterForm,
    NameForm,
    PlantEditForm,
    PlantForm,
    StateForm,
)
from mcoms.backoffice.views.common import (
    StaffRequest,
    backoffice_view,
    form_page,
    submit,
)
from mcoms.org import services
from mcoms.org.access import (
    clusters_for,
    feeders_for,
    get_cluster_for_user,
    get_company_for_user,
    get_plant_for_user,
    get_state_for_user,
    plants_for,
    states_for,
)
from mcoms.org.permissions import Action

GET_POST = ["GET", "POST"]
EDIT = Action.ORG_EDIT_STRUCTURE


def _may_add_state(user: Any) -> bool:
    try:
        get_company_for_user(user, EDIT)
    except PermissionDenied:
        return False
    return True


# --- states -----------------------------------------------------------------
@require_GET
@backoffice_view
def state_list(request: StaffRequest) -> HttpResponse:
    states = states_for(request.user).annotate(
        n_clusters=Count("clusters", distinct=True),
        n_plants=Count("plants", distinct=True),
    )
    context = {"states": states, "may_add": _may_add_state(request.user)}
    return render(request, "backoffice/state_list.html", context)


@require_GET
@backoffice_view
def state_detail(request: StaffRequest, code: str) -> HttpResponse:
    state = get_state_for_user(request.user, code)
    context = {
        "state": state,
        "clusters": clusters_for(request.user)
        .filter(state=state)
        .annotate(n_plants=Count("plants")),
        "history": history.for_user(request.user, state),
    }
    return render(request, "backoffice/state_detail.html", context)


@require_http_methods(GET_POST)
@backoffice_view
def state_create(request: StaffRequest) -> HttpResponse:
    company = get_company_for_user(request.user, EDIT)
    form = StateForm(request.POST or None)
    state = submit(
        request,
        form,
        lambda d: services.state_create(company=company, by=request.user, **d),
    )
    if state is not None:
        messages.success(request, _("State %(code)s added.") % {"code": state.code})
        return redirect("backoffice:state-detail", state.code)
    cancel = reverse("backoffice:state-list")
    return form_page(request, form, title=_("New state"), cancel=cancel)


@require_http_methods(GET_POST)
@backoffice_view
def state_edit(request: StaffRequest, code: str) -> HttpResponse:
    state = get_state_for_user(request.user, code, EDIT)
    form = NameForm(request.POST or None, initial={"name": state.name})
    if submit(
        request,
        form,
        lambda d: services.state_update(state=state, by=request.user, **d),
    ):
        messages.success(request, _("Changes saved."))
        return redirect("backoffice:state-detail", state.code)
    cancel = reverse("backoffice:state-detail", args=[state.code])
    title = _("Edit state %(code)s") % {"code": state.code}
    return form_page(request, form, title=title, cancel=cancel)


# --- clusters ---------------------------------------------------------------
@require_GET
@backoffice_view
def cluster_list(request: StaffRequest) -> HttpResponse:
    clusters = clusters_for(request.user).annotate(n_plants=Count("plants"))
    return render(request, "backoffice/cluster_list.html", {"clusters": clusters})


@require_GET
@backoffice_view
def cluster_detail(request: StaffRequest, key: str) -> HttpResponse:
    cluster = get_cluster_for_user(request.user, key)
    context = {
        "cluster": cluster,
        "plants": plants_for(request.user).filter(cluster=cluster),
        "history": history.for_user(request.user, cluster),
    }
    return render(request, "backoffice/cluster_detail.html", context)


@require_http_methods(GET_POST)
@backoffice_view
def cluster_create(request: StaffRequest, code: str) -> HttpResponse:
    state = get_state_for_user(request.user, code, EDIT)
    form = ClusterForm(request.POST or None)
    cluster = submit(
        request,
        form,
        lambda d: services.cluster_create(state=state, by=request.user, **d),
    )
    if cluster is not None:
        messages.success(request, _("Cluster %(key)s added.") % {"key": cluster.key})
        return redirect("backoffice:cluster-detail", cluster.key)
    cancel = reverse("backoffice:state-detail", args=[state.code])
    title = _("New cluster in %(state)s") % {"state": state}
    return form_page(request, form, title=title, cancel=cancel)


@require_http_methods(GET_POST)
@backoffice_view
def cluster_edit(request: StaffRequest, key: str) -> HttpResponse:
    cluster = get_cluster_for_user(request.user, key, EDIT)
    form = NameForm(request.POST or None, initial={"name": cluster.name})
    if submit(
        request,
        form,
        lambda d: services.cluster_update(cluster=cluster, by=request.user, **d),
    ):
        messages.success(request, _("Changes saved."))
        return redirect("backoffice:cluster-detail", cluster.key)
    cancel = reverse("backoffice:cluster-detail", args=[cluster.key])
    title = _("Edit cluster %(key)s") % {"key": cluster.key}
    return form_page(request, form, title=title, cancel=cancel)


# --- plants -----------------------------------------------------------------
@require_GET
@backoffice_view
def plant_list(request: StaffRequest) -> HttpResponse:
    plants = plants_for(request.user).annotate(
        n_feeders=Count("feeders", distinct=True),
        n_poles=Count("poles", distinct=True),
    )
    return render(request, "backoffice/plant_list.html", {"plants": plants})


@require_GET
@backoffice_view
def plant_detail(request: StaffRequest, key: str) -> HttpResponse:
    plant = get_plant_for_user(request.user, key)
    context = {
        "plant": plant,
        "feeders": feeders_for(request.user)
        .filter(plant=plant)
        .annotate(n_poles=Count("poles")),
        "history": history.for_user(request.user, plant),
    }
    return render(request, "backoffice/plant_detail.html", context)


@require_http_methods(GET_POST)
@backoffice_view
def plant_create(request: StaffRequest, key: str) -> HttpResponse:
    cluster = get_cluster_for_user(request.user, key, EDIT)
    form = PlantForm(request.POST or None)
    plant = submit(
        request,
        form,
        lambda d: services.plant_create(cluster=cluster, by=request.user, **d),
    )
    if plant is not None:
        messages.success(request, _("Plant %(key)s added.") % {"key": plant.key})
        return redirect("backoffice:plant-detail", plant.key)
    cancel = reverse("backoffice:cluster-detail", args=[cluster.key])
    title = _("New plant in cluster %(key)s") % {"key": cluster.key}
    return form_page(request, form, title=title, cancel=cancel)


def _plant_changes(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The form's cluster key, resolved through the access helper."""
    return {**data, "cluster": get_cluster_for_user(user, data["cluster"], EDIT)}


@require_http_methods(GET_POST)
@backoffice_view
def plant_edit(request: StaffRequest, key: str) -> HttpResponse:
    plant = get_plant_for_user(request.user, key, EDIT)
    choices = [(c.key, str(c)) for c in clusters_for(request.user, EDIT)]
    initial: dict[str, Any] = {
        f: getattr(plant, f) for f in ("name", "capacity_kwp", "timezone")
    }
    initial |= {"village": plant.village, "cluster": plant.cluster.key}
    form = PlantEditForm(request.POST or None, initial=initial, clusters=choices)
    if submit(
        request,
        form,
        lambda d: services.plant_update(
            plant=plant, by=request.user, **_plant_changes(request.user, d)
        ),
    ):
        messages.success(request, _("Changes saved."))
        return redirect("backoffice:plant-detail", plant.key)
    cancel = reverse("backoffice:plant-detail", args=[plant.key])
    title = _("Edit plant %(key)s") % {"key": plant.key}
    return form_page(request, form, title=title, cancel=cancel)
