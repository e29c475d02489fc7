"""Cash in hand and bank deposits in the back office (manual 2.4.3, 3.7.7;
docs/collection.md): In Hand Cash per plant and agent, the deposits with
their slips, registering one's own deposit, head office's Verify / Reject,
the Bank Deposit Review with its anomalies, and the limit on cash in hand."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.cash import selectors as sel
from mcoms.cash import services
from mcoms.cash.models import CashLimit, DepositStatus
from mcoms.core.errors import DomainError
from mcoms.field.collection_forms import (
    DepositForm,
    LimitForm,
    RejectForm,
    VerifyForm,
    period_filters,
    show_refusal,
)
from mcoms.org.access import can, get_plant_for_user, plants_for, require
from mcoms.org.models import ScopeLevel
from mcoms.org.permissions import Action

PAGE_SIZE = 50


def _plants(request: StaffRequest, action: Action) -> list[Any]:
    return list(plants_for(request.user, action).order_by("state__code", "code"))


@require_GET
@backoffice_view
def cash_in_hand_page(request: StaffRequest) -> HttpResponse:
    """Per plant and agent: collected and deposited in the period, cash in
    hand now, deposits waiting, the limit; cluster subtotals and total."""
    require(request.user, Action.CASH_VIEW)
    form, period, plant, _q = period_filters(request, Action.CASH_VIEW)
    context = {
        "form": form,
        "report": sel.cash_in_hand(request.user, period=period, plant=plant),
        "plants": _plants(request, Action.CASH_VIEW),
    }
    return render(request, "backoffice/cash/in_hand.html", context)


@require_GET
@backoffice_view
def deposit_list(request: StaffRequest) -> HttpResponse:
    """The deposits of the user's plants, newest first; search and filters."""
    qs = sel.deposits_for(request.user)
    status = request.GET.get("status", "")
    if status in DepositStatus.values:
        qs = qs.filter(status=status)
    if key := request.GET.get("plant", ""):
        qs = qs.filter(plant=get_plant_for_user(request.user, key, Action.CASH_VIEW))
    q = request.GET.get("q", "").strip()[:60]
    qs = sel.deposit_search(qs, q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "q": q,
        "status": status,
        "plant_key": key,
        "statuses": DepositStatus.choices,
        "plants": _plants(request, Action.CASH_VIEW),
        "query": params.urlencode(),
        "may_deposit": can(request.user, Action.CASH_DEPOSIT),
    }
    return render(request, "backoffice/cash/deposits.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def deposit_new(request: StaffRequest) -> HttpResponse:
    """Register a deposit of one's own cash in hand, with the slip."""
    require(request.user, Action.CASH_DEPOSIT)
    plants = _plants(request, Action.CASH_DEPOSIT)
    form = DepositForm(request.POST or None, request.FILES or None, plants=plants)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deposit, created = services.bank_deposit_register(
                agent=request.user,
                plant=form.plants[data["plant"]],
                amount=data["amount"],
                deposited_on=data["deposited_on"],
                bank=data["bank"],
                reference=data["reference"],
                slip=data["slip"],
                client_key=data["client_key"],
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            if created:
                messages.success(request, _("The deposit is registered."))
            return redirect("backoffice:deposit-detail", deposit.uid)
    mine = sel.agent_cash(request.user, plants[0] if len(plants) == 1 else None)
    context = {"form": form, "mine": mine}
    return render(request, "backoffice/cash/deposit_new.html", context)


@require_GET
@backoffice_view
def deposit_detail(request: StaffRequest, uid: str) -> HttpResponse:
    deposit = sel.get_deposit_for_user(request.user, uid)
    may_settle = (
        can(request.user, Action.CASH_VERIFY)
        and deposit.status == DepositStatus.REGISTERED
        and deposit.agent_id != request.user.pk
    )
    context = {
        "deposit": deposit,
        "may_settle": may_settle,
        "verify": VerifyForm(initial={"received_amount": deposit.amount}),
        "reject": RejectForm(),
    }
    return render(request, "backoffice/cash/deposit_detail.html", context)


@require_GET
@backoffice_view
def deposit_slip(request: StaffRequest, uid: str) -> HttpResponse:
    """The slip, read through the scope (MEDIA_ROOT is not served)."""
    deposit = sel.get_deposit_for_user(request.user, uid)
    response = FileResponse(deposit.slip.open("rb"), content_type=deposit.slip_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


@require_POST
@backoffice_view
def deposit_settle(request: StaffRequest, uid: str, action: str) -> HttpResponse:
    """Head office: ``verify`` (with the amount on the bank statement) or
    ``reject`` (with the reason)."""
    deposit = sel.get_deposit_for_user(request.user, uid, Action.CASH_VERIFY)
    form: VerifyForm | RejectForm
    form = VerifyForm(request.POST) if action == "verify" else RejectForm(request.POST)
    if action not in ("verify", "reject"):
        return redirect("backoffice:deposit-detail", deposit.uid)
    if form.is_valid():
        try:
            if action == "verify":
                services.bank_deposit_verify(
                    deposit=deposit,
                    received_amount=form.cleaned_data["received_amount"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            else:
                services.bank_deposit_reject(
                    deposit=deposit, reason=form.cleaned_data["reason"], by=request.user
                )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            return redirect("backoffice:deposit-detail", deposit.uid)
    context = {
        "deposit": deposit,
        "may_settle": True,
        "verify": form if action == "verify" else VerifyForm(),
        "reject": form if action == "reject" else RejectForm(),
    }
    return render(request, "backoffice/cash/deposit_detail.html", context, status=400)


@require_GET
@backoffice_view
def deposit_review_page(request: StaffRequest) -> HttpResponse:
    """Per plant: registered against received, waiting, rejected; then the
    anomalies."""
    require(request.user, Action.CASH_VIEW)
    form, period, plant, _q = period_filters(request, Action.CASH_VIEW)
    context = {
        "form": form,
        "report": sel.deposit_review(request.user, period=period, plant=plant),
        "plants": _plants(request, Action.CASH_VIEW),
    }
    return render(request, "backoffice/cash/review.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def cash_limits(request: StaffRequest) -> HttpResponse:
    """The limit on cash in hand: the company's (company-wide staff) and
    each plant's own."""
    staff = require(request.user, Action.CASH_LIMIT_EDIT)
    plants = _plants(request, Action.CASH_LIMIT_EDIT)
    company_wide = staff.scope_level == ScopeLevel.COMPANY
    form = LimitForm(request.POST or None, plants=plants, company_wide=company_wide)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["plant"]
        plant = (
            get_plant_for_user(request.user, key, Action.CASH_LIMIT_EDIT)
            if key
            else None
        )
        try:
            services.cash_limit_set(
                company=staff.company,
                plant=plant,
                amount=form.cleaned_data["amount"],
                by=request.user,
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The limit is saved."))
            return redirect("backoffice:cash-limits")
    limits = CashLimit.objects.filter(company=staff.company).select_related(
        "plant__state", "changed_by"
    )
    shown = [lim for lim in limits if lim.plant_id is None or lim.plant in plants]
    context = {"form": form, "limits": shown, "company_wide": company_wide}
    return render(request, "backoffice/cash/limits.html", context)
