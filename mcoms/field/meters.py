"""The Meter section of the field app (manual 3.8): the meter stock of my
plants (receive a meter), Change Meter (3.8.2) and Unreleased Meter (3.8.3)
with its Pending / Review / Completed tabs, and the count of meter release
requests waiting for me that the bell adds (3.3.3)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.core.errors import DomainError
from mcoms.customers.selectors import get_customer_for_user
from mcoms.field import meter_forms as mf
from mcoms.field.access import field_view
from mcoms.metering import changes, releases
from mcoms.metering.models import MeterState
from mcoms.metering.stock import StockFilter, stock_counts, stock_for
from mcoms.org.access import can, get_plant_for_user, plants_for, require
from mcoms.org.models import Staff, User
from mcoms.org.permissions import Action
from mcoms.workflow import selectors as wf
from mcoms.workflow.kinds import describe_payload
from mcoms.workflow.models import RequestState

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (field_view let only staff in)
    return user


def pending_counts(user: Any) -> list[tuple[str, int, str]]:
    """The bell's pending requests by type (manual 3.3.3): (label, count,
    link). Meter release requests that wait for this user's step."""
    return [
        (
            _("Meter Release Requests"),
            releases.waiting_on(user).count(),
            reverse("field:meter-releases"),
        )
    ]


def pending_total(user: Any) -> int:
    return sum(n for _label, n, _url in pending_counts(user))


def _querystring(request: HttpRequest) -> str:
    """The page's filters, without the page number (for the page links)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- stock ------------------------------------------------------------------------
@require_GET
@field_view
def stock(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Meters of my plants (and the warehouse for company-wide staff): counts
    by state per plant, then the meters of one plant with their customer."""
    get = request.GET
    chosen = StockFilter(
        plant=get.get("plant", "")[:6],
        state=get.get("state", "") if get.get("state") in MeterState.values else "",
        q=get.get("q", "")[:40],
    )
    page = Paginator(stock_for(request.user, chosen), PAGE_SIZE).get_page(
        get.get("page")
    )
    context = {
        "rows": stock_counts(request.user),
        "chosen": chosen,
        "states": MeterState.choices,
        "page": page,
        "qs": _querystring(request),
        "may_receive": can(request.user, Action.METER_STOCK_EDIT),
        "may_change": can(request.user, Action.METER_CHANGE),
    }
    return render(request, "field/meters/stock.html", context)


@require_http_methods(["GET", "POST"])
@field_view
def receive(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Take a new meter or load limiter into a plant's stock."""
    user = _user(request)
    require(user, Action.METER_STOCK_EDIT)
    places = mf.stock_places(staff, user, Action.METER_STOCK_EDIT)
    form = mf.ReceiveForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        try:
            meter, created = mf.receive(user, form.cleaned_data)
        except DomainError as exc:
            mf.show_refusal(form, exc)
        else:
            text = _("Meter %(s)s received.") if created else _("Meter %(s)s is in.")
            messages.success(request, text % {"s": meter.serial})
            return redirect(f"{reverse('field:meters')}?plant={form['place'].value()}")
    return render(request, "field/meters/receive.html", {"form": form})


# --- Change Meter -------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@field_view
def change(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Manual 3.8.2: the customer (their meter fills in), the readings and the
    new meter; Review shows what will happen; Confirm makes the change."""
    user = _user(request)
    require(user, Action.METER_CHANGE)
    customer_id = (request.POST or request.GET).get("customer", "").strip()
    if not customer_id:
        return render(request, "field/meters/change_find.html", {})
    customer = get_customer_for_user(user, customer_id)
    step = request.POST.get("step", "")
    done = changes.change_by_key(staff.company_id, request.POST.get("token", ""))
    if step == "confirm" and done is not None:  # a resent confirmation
        return redirect("field:request-detail", done.number)
    options = changes.change_options(customer)
    form = mf.ChangeForm(
        request.POST or None, options=options, initial=mf.change_initial(options)
    )
    context: dict[str, Any] = {"customer": customer, "options": options}
    if request.method == "POST" and form.is_valid():
        try:
            if step == "confirm":
                req, _created = mf.change_submit(user, customer, form)
                messages.success(
                    request,
                    _("Meter changed: %(n)s waits for review.") % {"n": req.number},
                )
                return redirect("field:request-detail", req.number)
            if step == "review":
                context["cleaned"], context["plan"] = changes.change_preview(
                    customer=customer, payload=form.payload(), by=user
                )
        except DomainError as exc:
            mf.show_refusal(form, exc)
    context["form"] = form
    template = "review" if "plan" in context else "change"
    return render(request, f"field/meters/{template}.html", context)


# --- Unreleased Meter -------------------------------------------------------------
@require_GET
@field_view
def release_list(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Manual 3.8.3: the Pending, Review and Completed tabs; the Completed
    list with a plant and time filter."""
    get = request.GET
    tab = get.get("tab", "pending")
    tab = tab if tab in releases.TABS else "pending"
    plant = get_plant_for_user(request.user, get["plant"]) if get.get("plant") else None
    since, until = (
        mf.parse_day(get.get("since", "")),
        mf.parse_day(get.get("until", "")),
    )
    scope = releases.releases_for(request.user, plant=plant)
    counts = releases.tab_counts(scope)
    closed = tab in ("completed", "rejected")
    qs = releases.releases_for(
        request.user,
        tab=tab,
        plant=plant,
        since=since if closed else None,
        until=until if closed else None,
    )
    context = {
        "tab": tab,
        "tabs": [(t, releases.TAB_LABELS[t], counts[t]) for t in releases.TABS],
        "page": Paginator(qs, PAGE_SIZE).get_page(get.get("page")),
        "plant": plant,
        "plants": plants_for(request.user),
        "since": since,
        "until": until,
        "closed": closed,
        "qs": _querystring(request),
    }
    return render(request, "field/meters/releases.html", context)


@require_http_methods(["GET", "POST"])
@field_view
def release_new(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Raise the release of a meter (its customer and plant come with it)."""
    user = _user(request)
    require(user, Action.REQUEST_RAISE)
    initial = {"token": mf.token(), "meter": request.GET.get("meter", "")[:40]}
    form = mf.ReleaseRaiseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            req, _created = mf.release_raise(user, form.cleaned_data)
        except DomainError as exc:
            mf.show_refusal(form, exc)
        else:
            messages.success(request, _("Request %(n)s raised.") % {"n": req.number})
            return redirect("field:meter-release", req.number)
    return render(request, "field/meters/release_new.html", {"form": form})


@require_GET
@field_view
def release_detail(request: HttpRequest, staff: Staff, number: str) -> HttpResponse:
    req = mf.get_release_for_user(_user(request), number)
    actions = wf.request_actions(request.user, req)
    context = {
        "req": req,
        "details": describe_payload(req.kind, req.payload),
        "steps": req.steps.select_related("by", "assignee"),
        "actions": actions,
        "assignees": wf.assignable_staff(req.plant) if "assign" in actions else [],
        "execute_form": mf.ReleaseExecuteForm(initial={"destination": "plant"}),
        "released": bool(req.result.get("released")),
        "token": mf.token(),
    }
    return render(request, "field/meters/release.html", context)


@require_POST
@field_view
def release_action(
    request: HttpRequest, staff: Staff, number: str, action: str
) -> HttpResponse:
    if action not in mf.STEPS:
        raise Http404("No such step.")
    user = _user(request)
    req = mf.get_release_for_user(user, number)
    try:
        req = mf.release_step(user, req, action, request.POST)
    except DomainError as exc:
        messages.error(request, mf.refusal(exc))
    else:
        state = RequestState(req.state).label
        messages.success(request, f"{req.number}: {state}")
    return redirect("field:meter-release", req.number)
