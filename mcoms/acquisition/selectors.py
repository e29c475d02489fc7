"""Reads of the pipeline, always through the user's scope: the prospect list,
one prospect (``get_prospect_for_user``), the board of counts per stage and
plant with cluster subtotals, and a customer's own connection requests."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from mcoms.acquisition.models import (
    STAGES,
    KycDocument,
    Prospect,
    ProspectStatus,
    Stage,
    StageEvent,
)
from mcoms.org.access import plant_q, plants_for, require, staff_for
from mcoms.org.models import Cluster, Plant, User
from mcoms.org.permissions import Action

# Stages 1-6 are sales work, 7-8 the technical team's.
CONNECTION_STAGES = frozenset({Stage.METER, Stage.ACTIVATION})


def action_for_stage(stage: str) -> Action:
    """The permission a step of ``stage`` needs (rejecting at it too)."""
    if stage in CONNECTION_STAGES:
        return Action.CONNECTION_WORK
    return Action.ACQUISITION_WORK


def prospects_for(
    user: Any, action: Action = Action.CUSTOMER_VIEW
) -> QuerySet[Prospect]:
    """Prospects at the plants of the user's scope (403 for non-staff or a
    designation without ``action``)."""
    staff = require(user, action)
    return Prospect.objects.select_related(
        "plant__state", "pole", "package", "customer"
    ).filter(plant_q(staff, "plant__"))


def get_prospect_for_user(
    user: Any, ref: str, write: bool = False, action: Action | None = None
) -> Prospect:
    """One prospect by its reference (``P-BHKATS-000123``): 404 outside the
    user's scope, 403 without the designation. ``write`` asks for
    ``ACQUISITION_WORK``; pass ``action`` (e.g. ``action_for_stage(...)``) for
    another, such as ``CONNECTION_WORK`` for stages 7 and 8."""
    if staff_for(user) is None:
        raise PermissionDenied("Only staff work on prospects.")
    wanted = action or (Action.ACQUISITION_WORK if write else Action.CUSTOMER_VIEW)
    prospect = prospects_for(user, wanted).filter(ref=ref.strip().upper()).first()
    if prospect is None:
        raise Http404(f"No prospect {ref:.30} in your scope.")
    return prospect


def prospect_filter(
    qs: QuerySet[Prospect],
    *,
    stage: str = "",
    status: str = "",
    plant: str = "",
    q: str = "",
) -> QuerySet[Prospect]:
    """Narrow a prospect list: by stage (the last done), status, plant key, or
    part of a name, reference or mobile number."""
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    if plant:
        key = plant.strip().upper()
        qs = qs.filter(plant__state__code=key[:2], plant__code=key[2:])
    q = q.strip()
    if q:
        digits = "".join(c for c in q if c.isdigit())
        cond = Q(name__icontains=q) | Q(ref__icontains=q)
        if len(digits) >= 4:
            cond |= Q(phone__contains=digits)
        qs = qs.filter(cond)
    return qs


def prospect_events(prospect: Prospect) -> QuerySet[StageEvent]:
    """The history of a prospect, oldest first, with who did each step."""
    return prospect.events.select_related("by").order_by("at", "pk")


def prospect_documents(prospect: Prospect) -> QuerySet[KycDocument]:
    return prospect.documents.select_related("uploaded_by").order_by("uploaded_at")


def connection_requests_for_customer(user: User) -> QuerySet[Prospect]:
    """A signed-in customer's own connection requests: those they sent from
    the app and those for their mobile number (manual 4.2.1)."""
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.CUSTOMER:
        raise PermissionDenied("Only customers have connection requests.")
    cond = Q(requested_by=user)
    if user.phone:
        cond |= Q(phone=user.phone)
    return (
        Prospect.objects.select_related("plant__state", "customer")
        .filter(cond)
        .order_by("-created_at", "-pk")
    )


# --- the board ----------------------------------------------------------------------
COLUMNS = [*STAGES, ProspectStatus.REJECTED]


@dataclass
class BoardRow:
    """Counts of one plant (or a subtotal): prospects whose last done stage is
    each stage (stage 8, ``activation``, counts those activated), rejected
    ones, and the total."""

    key: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    @property
    def in_progress(self) -> int:
        return sum(self.counts[s] for s in STAGES[:-1])

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, other: BoardRow) -> None:
        for column, n in other.counts.items():
            self.counts[column] += n


@dataclass
class BoardCluster:
    cluster: Cluster
    plants: list[BoardRow]
    subtotal: BoardRow


@dataclass
class Board:
    clusters: list[BoardCluster]
    total: BoardRow


def board_for(user: Any) -> Board:
    """The pipeline board (issue 3): per plant of the user's scope, how many
    prospects stand at each stage, the rejected ones, cluster subtotals and a
    grand total. Plants with no prospects show zeros."""
    plants = list(
        plants_for(user, Action.CUSTOMER_VIEW)
        .select_related("cluster__state")
        .order_by("cluster__state__code", "cluster__code", "state__code", "code")
    )
    rows = {p.pk: BoardRow(key=p.key, name=p.name) for p in plants}
    counted = (
        Prospect.objects.filter(plant__in=[p.pk for p in plants])
        .values("plant_id", "stage", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in counted:
        column = (
            ProspectStatus.REJECTED
            if item["status"] == ProspectStatus.REJECTED
            else item["stage"]
        )
        rows[item["plant_id"]].counts[column] += item["n"]
    by_cluster: dict[int, list[Plant]] = defaultdict(list)
    for plant in plants:
        by_cluster[plant.cluster_id].append(plant)
    total = BoardRow(key="", name="Total")
    clusters = []
    for members in by_cluster.values():
        cluster = members[0].cluster
        subtotal = BoardRow(key=cluster.key, name=cluster.name)
        for plant in members:
            subtotal.add(rows[plant.pk])
        total.add(subtotal)
        clusters.append(BoardCluster(cluster, [rows[p.pk] for p in members], subtotal))
    return Board(clusters=clusters, total=total)
