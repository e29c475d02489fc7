"""The account page's ledgers in the field app (manual 3.5.2): Cash Ledger
(bills and payments with the running balance) and Security and Deposit
Ledger. The Transaction tab is the receipts' transactions page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.billing.documents.statement import customer_statement
from mcoms.customers.selectors import get_customer_for_user
from mcoms.field.access import field_view
from mcoms.org.access import require
from mcoms.org.models import Staff
from mcoms.org.permissions import Action
from mcoms.reports.deposit_ledger import deposit_ledger

PAGE_SIZE = 30


@require_GET
@field_view
def cash_ledger(request: HttpRequest, staff: Staff, customer_id: str) -> HttpResponse:
    require(request.user, Action.LEDGER_VIEW)
    customer = get_customer_for_user(request.user, customer_id)
    statement = customer_statement(customer)
    page = Paginator(statement.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "customer": customer,
        "statement": statement,
        "page": page,
        "tab": "cash",
    }
    return render(request, "field/customers/cash_ledger.html", context)


@require_GET
@field_view
def deposit_ledger_page(
    request: HttpRequest, staff: Staff, customer_id: str
) -> HttpResponse:
    require(request.user, Action.LEDGER_VIEW)
    customer = get_customer_for_user(request.user, customer_id)
    context = {
        "customer": customer,
        "ledger": deposit_ledger(customer),
        "tab": "deposit",
    }
    return render(request, "field/customers/deposit_ledger.html", context)
