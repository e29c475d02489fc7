"""Customer acquisition in the back office: the pipeline board (counts per
stage per plant of the user's scope, cluster subtotals, a grand total, each
count a link to the list it counts), the prospect list with its filters, and
one prospect with its stage history, record changes and the form of the
step it waits for (the steps are posted to ``acquisition_work``)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.acquisition.models import STAGES, Prospect, ProspectStatus, Stage
from mcoms.acquisition.selectors import (
    COLUMNS,
    BoardRow,
    board_for,
    get_prospect_for_user,
    prospect_documents,
    prospect_filter,
    prospects_for,
)
from mcoms.backoffice import history
from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.field import acquisition_steps as steps
from mcoms.org.access import (
    clusters_for,
    get_cluster_for_user,
    get_plant_for_user,
    plants_for,
)
from mcoms.org.permissions import Action

PAGE_SIZE = 50
FILTERS = ("plant", "cluster", "stage", "rejected", "q")


@require_GET
@backoffice_view
def board(request: StaffRequest) -> HttpResponse:
    """The pipeline board (issue 3): one row per plant, one column per stage
    (the last stage done; Activation counts the activated), the rejected and
    the total; a subtotal per cluster and a grand total. Every count links to
    the list of the prospects it counts."""
    found = board_for(request.user)
    groups = [
        {
            "cluster": group.cluster,
            "plants": [(row, _cells(row, f"plant={row.key}")) for row in group.plants],
            "subtotal": (
                group.subtotal,
                _cells(group.subtotal, f"cluster={group.subtotal.key}"),
            ),
        }
        for group in found.clusters
    ]
    context = {
        "groups": groups,
        "total": (found.total, _cells(found.total, "")),
        "columns": [_column_label(c) for c in COLUMNS],
    }
    return render(request, "backoffice/acquisition/board.html", context)


def _cells(row: BoardRow, scope: str) -> list[tuple[int, str]]:
    """(count, list query) for each column of a board row, then the total."""
    base = f"{scope}&" if scope else ""
    cells = [(row.counts[s], f"?{base}stage={s}&rejected=0") for s in STAGES]
    cells.append((row.counts[ProspectStatus.REJECTED], f"?{base}rejected=1"))
    cells.append((row.total, f"?{scope}"))
    return cells


def _column_label(column: str) -> Any:
    if column == ProspectStatus.REJECTED:
        return ProspectStatus.REJECTED.label
    return Stage(column).label


def _filtered(request: StaffRequest) -> tuple[QuerySet[Prospect], dict[str, Any]]:
    """The list's filters: plant or cluster (404 outside the scope), stage
    (the last done), rejected (``1`` only the rejected, ``0`` none of them)
    and a search by name, reference or mobile number."""
    get = request.GET
    chosen: dict[str, Any] = {k: get.get(k, "")[:60] for k in FILTERS}
    qs = prospects_for(request.user)
    if chosen["plant"]:
        chosen["plant"] = get_plant_for_user(request.user, chosen["plant"])
        qs = qs.filter(plant=chosen["plant"])
    if chosen["cluster"]:
        chosen["cluster"] = get_cluster_for_user(request.user, chosen["cluster"])
        qs = qs.filter(plant__cluster=chosen["cluster"])
    if chosen["stage"] not in STAGES:
        chosen["stage"] = ""
    qs = prospect_filter(qs, stage=chosen["stage"], q=chosen["q"])
    if chosen["rejected"] == "1":
        qs = qs.filter(status=ProspectStatus.REJECTED)
    elif chosen["rejected"] == "0":
        qs = qs.exclude(status=ProspectStatus.REJECTED)
    else:
        chosen["rejected"] = ""
    return qs.order_by("-updated_at", "-pk"), chosen


@require_GET
@backoffice_view
def prospect_list(request: StaffRequest) -> HttpResponse:
    qs, chosen = _filtered(request)
    page = Paginator(qs.select_related("plant__state", "created_by"), PAGE_SIZE)
    query = "&".join(
        f"{k}={getattr(v, 'key', v)}" for k, v in chosen.items() if v and k != "q"
    )
    context = {
        "page": page.get_page(request.GET.get("page")),
        "chosen": chosen,
        "query": query,
        "plants": plants_for(request.user, Action.CUSTOMER_VIEW).order_by(
            "state__code", "code"
        ),
        "clusters": clusters_for(request.user, Action.CUSTOMER_VIEW).order_by(
            "state__code", "code"
        ),
        "stages": [(s, Stage(s).label) for s in STAGES],
    }
    return render(request, "backoffice/acquisition/list.html", context)


@require_GET
@backoffice_view
def prospect_detail(request: StaffRequest, ref: str) -> HttpResponse:
    """One prospect: where it stands, every step with who and when, its KYC
    documents and the changes to its record; and, for a designation that may
    do it, the form of the step it waits for (``?do=`` a stage to complete
    later), posted to ``acquisition_work.prospect_step``."""
    prospect = get_prospect_for_user(request.user, ref)
    do = steps.later_stage(prospect, request.GET.get("do", ""))
    context = steps.page_context(request.user, prospect, do=do)
    context["history"] = history.for_user(request.user, prospect)
    return render(request, "backoffice/acquisition/detail.html", context)


@require_GET
@backoffice_view
def prospect_document(request: StaffRequest, ref: str, pk: int) -> HttpResponse:
    """A KYC file, for staff who may see the prospect (MEDIA_URL is not
    served: decision 0017)."""
    prospect = get_prospect_for_user(request.user, ref)
    document = prospect_documents(prospect).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    response = FileResponse(
        document.file.open("rb"), content_type=document.content_type
    )
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]
