"""Customer acquisition in the field app (seed Figure 11, manual 3.5.5, 3.5.9,
3.5.10, 3.5.11): the pipeline of my plants by stage, one prospect with its
history and the one form of the step it waits for, the survey that starts a
prospect (Add Consumer), Add Instant Consumer, and Consumer Status (the
connection steps).

Views call the services of ``mcoms.acquisition`` and hold no rule of the
pipeline: the order of the stages, what each step needs and refuses is theirs
(docs/acquisition.md). A form is shown only to a designation that may do its
step (stages 1-6 ``acquisition.work``, 7-8 ``connection.work``); posting it
anyway is 403, and a prospect outside the user's scope is 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.acquisition.consumer_status import COLUMNS as CONNECTION_COLUMNS
from mcoms.acquisition.consumer_status import connection_counts, in_connection_work
from mcoms.acquisition.models import STAGES, Prospect, ProspectStatus, Stage
from mcoms.acquisition.selectors import (
    board_for,
    get_prospect_for_user,
    prospect_filter,
    prospects_for,
)
from mcoms.core.errors import DomainError
from mcoms.field import acquisition_forms as f
from mcoms.field import acquisition_steps as steps
from mcoms.field.access import field_view
from mcoms.org.access import can, get_plant_for_user
from mcoms.org.models import Plant, Staff, User
from mcoms.org.permissions import Action

PAGE_SIZE = 50


# --- pages --------------------------------------------------------------------------
def _filtered(request: HttpRequest, plant: Plant | None) -> QuerySet[Prospect]:
    """The list's filters: plant, stage (the last done), rejected (``1``
    only, ``0`` none), connection step, and a search."""
    get = request.GET
    qs = prospects_for(request.user)
    if plant is not None:
        qs = qs.filter(plant=plant)
    stage = get.get("stage", "")
    qs = prospect_filter(
        qs, stage=stage if stage in STAGES else "", q=get.get("q", "")[:60]
    )
    if get.get("rejected") == "1":
        qs = qs.filter(status=ProspectStatus.REJECTED)
    elif get.get("rejected") == "0":
        qs = qs.exclude(status=ProspectStatus.REJECTED)
    step = get.get("connection", "")
    if step in CONNECTION_COLUMNS:
        qs = in_connection_work(qs, step)
    return qs.order_by("-updated_at", "-pk")


@require_GET
@field_view
def pipeline(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Catchment Survey (manual 3.5.11): my plants' prospects, counted by the
    last stage done, and the list (filters and search)."""
    board = board_for(request.user)
    rows = [row for cluster in board.clusters for row in cluster.plants]
    plant = None
    counts = board.total
    if request.GET.get("plant"):
        plant = get_plant_for_user(request.user, request.GET["plant"])
        counts = next(r for r in rows if r.key == plant.key)
    page = Paginator(_filtered(request, plant), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "rows": rows,
        "plant": plant,
        "stages": [(s, Stage(s).label, counts.counts[s]) for s in STAGES],
        "counts": counts,
        "all_total": board.total.total,
        "page": page,
        "q": request.GET.get("q", "")[:60],
        "chosen": {
            k: request.GET.get(k, "") for k in ("stage", "rejected", "connection")
        },
        "may_add": can(request.user, Action.ACQUISITION_WORK),
    }
    return render(request, "field/acquisition/list.html", context)


@require_GET
@field_view
def connections(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Consumer Status (manual 3.5.5): per plant, the connections by step -
    not started, At Pole, House wire, Service Wire, Review."""
    rows, total = connection_counts(request.user)
    context = {"rows": rows, "total": total, "columns": CONNECTION_COLUMNS}
    return render(request, "field/acquisition/connections.html", context)


@require_GET
@field_view
def prospect_detail(request: HttpRequest, staff: Staff, ref: str) -> HttpResponse:
    """One prospect: where it stands, its history (who, when) and the one form
    of its next step, when the user's designation may do it. ``?do=`` opens
    the form of a stage to complete later instead."""
    prospect = get_prospect_for_user(request.user, ref)
    do = steps.later_stage(prospect, request.GET.get("do", ""))
    context = steps.page_context(request.user, prospect, do=do)
    return render(request, "field/acquisition/detail.html", context)


@require_POST
@field_view
def prospect_step(
    request: HttpRequest, staff: Staff, ref: str, name: str
) -> HttpResponse:
    """Do one step: 404 for an unknown step or a prospect outside the scope,
    403 when the designation may not; a refusal is shown on the form."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (field_view let only staff in)
    posted = steps.step_post(user, ref, name, request.POST, request.FILES)
    if posted.done is not None:
        messages.success(request, steps.success_text(name, posted.done))
        return redirect("field:acq-detail", posted.prospect.ref)
    context = steps.page_context(
        user, posted.prospect, bound=(posted.step, posted.form)
    )
    return render(request, "field/acquisition/detail.html", context)


# --- new prospects ------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@field_view
def prospect_new(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Add Consumer (manual 3.5.9): stage 1, the catchment survey."""
    plant = steps.plant_or_choice(request.user, request.GET.get("plant", ""))
    if isinstance(plant, list):
        return render(request, "field/acquisition/choose_plant.html", {"plants": plant})
    return _create(request, plant, f.NewProspectForm, steps.surveyed_create, "new")


@require_http_methods(["GET", "POST"])
@field_view
def instant(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Add Instant Consumer (manual 3.5.10): name, number, pole and package;
    the account is made at once, the rest is completed later."""
    plant = steps.plant_or_choice(request.user, request.GET.get("plant", ""))
    if isinstance(plant, list):
        return render(request, "field/acquisition/choose_plant.html", {"plants": plant})
    return _create(request, plant, f.InstantForm, steps.instant_create, "instant")


def _create(
    request: HttpRequest, plant: Plant, form_class: Any, create: Any, page: str
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = form_class(data, plant=plant, initial={"token": f.token()})
    if data is not None and form.is_valid():
        try:
            prospect = create(form, plant, request.user)
        except DomainError as exc:
            f.show_refusal(form, exc)
        else:
            messages.success(request, steps.created_text(prospect))
            return redirect("field:acq-detail", prospect.ref)
    context = {"form": form, "groups": steps.field_groups(form), "plant": plant}
    return render(request, f"field/acquisition/{page}.html", context)
