"""Bank Deposit in the field app (manual 3.7.7; docs/collection.md): tabs
Bank Deposit (the deposits, each with its slip photo; add one, search), In
Hand Cash (per plant: collected, deposited, cash remaining) and Bank Deposit
Review (registered against received, anomalies). The add form carries a
UUID made when the page was drawn, so a double tap registers one deposit."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mcoms.cash import selectors as sel
from mcoms.cash import services
from mcoms.core.errors import DomainError
from mcoms.field.access import field_view
from mcoms.field.collection_forms import DepositForm, period_filters, show_refusal
from mcoms.org.access import can, plants_for, require
from mcoms.org.models import Staff
from mcoms.org.permissions import Action

PAGE_SIZE = 30


def _mine(request: HttpRequest, staff: Staff) -> sel.AgentCash | None:
    if not can(request.user, Action.CASH_DEPOSIT):
        return None
    return sel.agent_cash(staff.user, staff.plant)


@require_GET
@field_view
def deposits(request: HttpRequest, staff: Staff) -> HttpResponse:
    """The Bank Deposit tab: the agent's cash in hand, the deposits of the
    user's plants newest first, a search."""
    qs = sel.deposits_for(request.user)
    q = request.GET.get("q", "").strip()[:60]
    page = Paginator(sel.deposit_search(qs, q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "q": q, "mine": _mine(request, staff), "tab": "deposits"}
    return render(request, "field/cash/deposits.html", context)


@require_http_methods(["GET", "POST"])
@field_view
def deposit_new(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Bank Deposit Details: amount, date, bank, slip number and a photo of
    the slip; more than the cash in hand is refused."""
    require(request.user, Action.CASH_DEPOSIT)
    plants = list(plants_for(request.user, Action.CASH_DEPOSIT).order_by("code"))
    form = DepositForm(request.POST or None, request.FILES or None, plants=plants)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deposit, created = services.bank_deposit_register(
                agent=staff.user,
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
            return redirect("field:deposit", deposit.uid)
    context = {"form": form, "mine": _mine(request, staff), "tab": "deposits"}
    return render(request, "field/cash/deposit_new.html", context)


@require_GET
@field_view
def deposit_page(request: HttpRequest, staff: Staff, uid: str) -> HttpResponse:
    deposit = sel.get_deposit_for_user(request.user, uid)
    context = {"deposit": deposit, "tab": "deposits"}
    return render(request, "field/cash/deposit.html", context)


@require_GET
@field_view
def deposit_slip(request: HttpRequest, staff: Staff, uid: str) -> HttpResponse:
    deposit = sel.get_deposit_for_user(request.user, uid)
    response = FileResponse(deposit.slip.open("rb"), content_type=deposit.slip_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


@require_GET
@field_view
def in_hand(request: HttpRequest, staff: Staff) -> HttpResponse:
    """In Hand Cash Report: per plant (and agent) collected and deposited in
    the period, and the cash remaining now."""
    require(request.user, Action.CASH_VIEW)
    form, period, plant, _q = period_filters(request, Action.CASH_VIEW)
    context = {
        "form": form,
        "report": sel.cash_in_hand(request.user, period=period, plant=plant),
        "plants": list(plants_for(request.user, Action.CASH_VIEW).order_by("code")),
        "mine": _mine(request, staff),
        "tab": "in_hand",
    }
    return render(request, "field/cash/in_hand.html", context)


@require_GET
@field_view
def review(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Bank Deposit Review: per plant registered against received, and the
    anomalies."""
    require(request.user, Action.CASH_VIEW)
    form, period, plant, _q = period_filters(request, Action.CASH_VIEW)
    context = {
        "form": form,
        "report": sel.deposit_review(request.user, period=period, plant=plant),
        "plants": list(plants_for(request.user, Action.CASH_VIEW).order_by("code")),
        "tab": "review",
    }
    return render(request, "field/cash/review.html", context)
