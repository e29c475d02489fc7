"""Staff: list, detail page, create and edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mcoms.backoffice import history
from mcoms.backoffice.forms import StaffCreateForm, StaffEditForm
from mcoms.backoffice.views.common import (
    StaffRequest,
    backoffice_view,
    form_page,
    submit,
)
from mcoms.org import services
from mcoms.org.access import (
    clusters_for,
    get_scope_node_for_user,
    get_staff_for_user,
    node_in_scope,
    plants_for,
    require,
    staff_list_for,
    states_for,
)
from mcoms.org.models import Cluster, Company, Plant, Staff, State
from mcoms.org.permissions import Action

GET_POST = ["GET", "POST"]
EDIT = Action.STAFF_EDIT
Node = Company | State | Cluster | Plant


def scope_choices(user: Any) -> list[tuple[str, str]]:
    """Scope nodes the user may give a staff member: their own subtree."""
    staff = require(user, EDIT)
    choices = []
    if node_in_scope(staff, staff.company):
        choices.append(("company", str(staff.company)))
    choices += [(f"state:{s.code}", str(s)) for s in states_for(user, EDIT)]
    choices += [(f"cluster:{c.key}", str(c)) for c in clusters_for(user, EDIT)]
    choices += [(f"plant:{p.key}", str(p)) for p in plants_for(user, EDIT)]
    return choices


def resolve_scope(user: Any, value: str) -> Node:
    """A scope choice back to its node, through the access helpers (404 if
    outside the user's subtree)."""
    kind, _sep, key = value.partition(":")
    return get_scope_node_for_user(user, kind, key, EDIT)


def scope_value(staff: Staff) -> str:
    node = staff.scope_node
    if isinstance(node, State):
        return f"state:{node.code}"
    if isinstance(node, Cluster | Plant):
        return f"{staff.scope_level}:{node.key}"
    return "company"


@require_GET
@backoffice_view
def staff_list(request: StaffRequest) -> HttpResponse:
    people = staff_list_for(request.user).order_by("-is_active", "user__username")
    return render(request, "backoffice/staff_list.html", {"people": people})


@require_GET
@backoffice_view
def staff_detail(request: StaffRequest, username: str) -> HttpResponse:
    member = get_staff_for_user(request.user, username)
    context = {
        "member": member,
        "history": history.for_user(request.user, member, member.user),
    }
    return render(request, "backoffice/staff_detail.html", context)


def _create(user: Any, data: dict[str, Any]) -> Staff:
    data = {**data, "scope": resolve_scope(user, data["scope"])}
    return services.staff_create(by=user, **data)


@require_http_methods(GET_POST)
@backoffice_view
def staff_create(request: StaffRequest) -> HttpResponse:
    choices = scope_choices(request.user)
    form = StaffCreateForm(request.POST or None, scopes=choices)
    member = submit(request, form, lambda d: _create(request.user, d))
    if member is not None:
        name = member.user.username
        messages.success(request, _("%(name)s added.") % {"name": name})
        return redirect("backoffice:staff-detail", name)
    cancel = reverse("backoffice:staff-list")
    return form_page(request, form, title=_("New staff member"), cancel=cancel)


def _update(user: Any, member: Staff, data: dict[str, Any]) -> Staff:
    """Send the service only what changed: designation, scope and status are
    guarded (nobody changes their own), names and language are not."""
    changes = {k: data[k] for k in ("first_name", "last_name", "phone", "language")}
    if data["designation"] != member.designation:
        changes["designation"] = data["designation"]
    if data["scope"] != scope_value(member):
        changes["scope"] = resolve_scope(user, data["scope"])
    if data["is_active"] != member.is_active:
        changes["is_active"] = data["is_active"]
    return services.staff_update(staff=member, by=user, **changes)


@require_http_methods(GET_POST)
@backoffice_view
def staff_edit(request: StaffRequest, username: str) -> HttpResponse:
    member = get_staff_for_user(request.user, username, EDIT)
    u = member.user
    initial: dict[str, Any] = {"first_name": u.first_name, "last_name": u.last_name}
    initial |= {"phone": str(u.phone or ""), "language": u.language}
    initial |= {"designation": member.designation, "scope": scope_value(member)}
    initial["is_active"] = member.is_active
    choices = scope_choices(request.user)
    form = StaffEditForm(request.POST or None, initial=initial, scopes=choices)
    if submit(request, form, lambda d: _update(request.user, member, d)):
        messages.success(request, _("Changes saved."))
        return redirect("backoffice:staff-detail", u.username)
    cancel = reverse("backoffice:staff-detail", args=[u.username])
    title = _("Edit %(name)s") % {"name": member}
    return form_page(request, form, title=title, cancel=cancel)
