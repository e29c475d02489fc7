"""Reads of requests, through the one access helper per object kind, and the
people a request concerns (who may be assigned, who is told what)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from mcoms.org.access import plant_q, staff_for
from mcoms.org.models import Plant, ScopeLevel, Staff, User
from mcoms.org.permissions import PERMISSIONS, Action, allowed
from mcoms.workflow import kinds as _kinds
from mcoms.workflow.models import OPEN_STATES, Request, RequestState

# Narrowest scope first: the people closest to the plant are told first.
DEPTH = {
    ScopeLevel.PLANT: 3,
    ScopeLevel.CLUSTER: 2,
    ScopeLevel.STATE: 1,
    ScopeLevel.COMPANY: 0,
}


def requests_for(user: Any) -> QuerySet[Request]:
    """Requests of plants in the user's scope (any request designation)."""
    staff = staff_for(user)
    if staff is None or not _may_see(staff):
        raise PermissionDenied("Your designation does not allow requests.")
    return Request.objects.filter(plant_q(staff, "plant__")).select_related(
        "plant__state", "subject", "raised_by", "assigned_to"
    )


def _may_see(staff: Staff) -> bool:
    actions = (
        Action.REQUEST_RAISE,
        Action.REQUEST_APPROVE,
        Action.REQUEST_ASSIGN,
        Action.REQUEST_EXECUTE,
        Action.REQUEST_REVIEW,
    )
    return any(allowed(staff.designation, a) for a in actions)


def get_request_for_user(user: Any, number: str) -> Request:
    """One request by its number, or 404 outside the scope, 403 without a
    request designation."""
    req = requests_for(user).filter(number=number.upper()).first()
    if req is None:
        raise Http404(f"No request {number:.20} in your scope.")
    return req


def request_counts(qs: QuerySet[Request]) -> dict[str, int]:
    """How many requests of ``qs`` are in each state (the manual's tabs)."""
    rows = qs.order_by().values("state").annotate(n=Count("pk"))
    counts = dict.fromkeys(RequestState.values, 0)
    counts |= {r["state"]: r["n"] for r in rows}
    return counts


# Who may reject in each state: the approver at Request; the approver or the
# one who assigns once approved and while in process; the reviewer at Review
# (which sends the request back to In Process instead of closing it).
REJECTERS: dict[str, tuple[Action, ...]] = {
    RequestState.REQUEST: (Action.REQUEST_APPROVE,),
    RequestState.APPROVED: (Action.REQUEST_ASSIGN, Action.REQUEST_APPROVE),
    RequestState.IN_PROCESS: (Action.REQUEST_ASSIGN,),
    RequestState.REVIEW: (Action.REQUEST_REVIEW,),
}


def request_actions(user: Any, req: Request) -> list[str]:
    """The steps ``user`` may take on ``req`` now (buttons to show); the
    services check the same rules again when a step is taken."""
    staff = staff_for(user)
    if staff is None:
        return []

    def may(action: Action) -> bool:
        return allowed(staff.designation, action)

    out = []
    if req.state == RequestState.REQUEST and may(Action.REQUEST_APPROVE):
        out.append("approve")
    if req.state in (RequestState.APPROVED, RequestState.IN_PROCESS) and may(
        Action.REQUEST_ASSIGN
    ):
        out.append("assign")
    if (
        req.state == RequestState.IN_PROCESS
        and req.assigned_to_id == user.pk
        and may(Action.REQUEST_EXECUTE)
    ):
        out.append("execute")
    if (
        req.state == RequestState.REVIEW
        and may(Action.REQUEST_REVIEW)
        and req.executed_by_id != user.pk
    ):
        out.append("complete")
    undoable = req.executed_at is None or req.state == RequestState.REVIEW
    if not undoable:
        kind = _kinds.get(req.kind)
        undoable = kind is not None and kind.revert is not None
    if undoable and any(may(a) for a in REJECTERS.get(req.state, ())):
        out.append("reject")
    return out


def covering_staff(plant: Plant) -> QuerySet[Staff]:
    """Active staff of the plant's company whose scope covers the plant."""
    cover = (
        Q(scope_level=ScopeLevel.COMPANY)
        | Q(scope_level=ScopeLevel.STATE, state_id=plant.state_id)
        | Q(scope_level=ScopeLevel.CLUSTER, cluster_id=plant.cluster_id)
        | Q(scope_level=ScopeLevel.PLANT, plant_id=plant.pk)
    )
    return Staff.objects.filter(
        cover, company_id=plant.company_id, is_active=True, user__is_active=True
    ).select_related("user")


def assignable_staff(plant: Plant) -> list[Staff]:
    """Who may be given a request of the plant: a designation that executes
    requests and a scope that covers the plant; the plant's own people first."""
    people = covering_staff(plant).filter(
        designation__in=PERMISSIONS[Action.REQUEST_EXECUTE]
    )
    return sorted(
        people,
        key=lambda s: (-DEPTH[ScopeLevel(s.scope_level)], s.user.username),
    )


def next_actors(plant: Plant, action: Action, *, exclude: User | None) -> list[User]:
    """The people to tell that ``action`` is now due: those whose designation
    allows it and whose scope covers the plant, the narrowest scope level only
    (the State In-charge before head office), never the person who acted."""
    people = [
        s
        for s in covering_staff(plant).filter(designation__in=PERMISSIONS[action])
        if exclude is None or s.user_id != exclude.pk
    ]
    if not people:
        return []
    deepest = max(DEPTH[ScopeLevel(s.scope_level)] for s in people)
    return [s.user for s in people if DEPTH[ScopeLevel(s.scope_level)] == deepest]


def staff_user(company_id: int, username: str) -> User | None:
    """A staff member's user by username, in one company (an assignee named in
    a form or an API call; the services check that they may be assigned)."""
    return User.objects.filter(
        username=username, staff__company_id=company_id, kind=User.Kind.STAFF
    ).first()


def open_requests_for_subjects(subject_ids: list[int]) -> dict[int, Request]:
    """The open request of each subject (customer) that has one."""
    qs = Request.objects.filter(subject_id__in=subject_ids, state__in=OPEN_STATES)
    return {r.subject_id: r for r in qs.order_by("raised_at") if r.subject_id}
