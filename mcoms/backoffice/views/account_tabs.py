"""The account page's money tabs (manual 3.5.2) in the back office:
Transaction (the customer's payments with their receipts), Cash Ledger
(bills and payments with the running balance) and Security and Deposit
Ledger. The customer comes through ``get_customer_for_user`` (404 outside the
scope); each tab needs its action too (``payment.view``, ``ledger.view``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.billing.documents.fonts import BillFontMissing
from mcoms.billing.documents.statement import customer_statement
from mcoms.customers.selectors import get_customer_for_user
from mcoms.org.access import require
from mcoms.org.permissions import Action
from mcoms.receipts.render.files import FORMATS, receipt_file
from mcoms.receipts.selectors import customer_transactions, get_customer_receipt
from mcoms.reports.deposit_ledger import deposit_ledger

PAGE_SIZE = 50
EXT_FORMAT = {ext: fmt for fmt, (_type, ext) in FORMATS.items()}


@require_GET
@backoffice_view
def customer_transactions_tab(request: StaffRequest, customer_id: str) -> HttpResponse:
    """The customer's payments, newest first, with what each paid for and
    its receipt (PDF, PNG, thermal-printer bytes)."""
    require(request.user, Action.PAYMENT_VIEW)
    customer = get_customer_for_user(request.user, customer_id)
    page = Paginator(customer_transactions(customer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"customer": customer, "page": page, "tab": "transactions"}
    return render(request, "backoffice/customers/transactions.html", context)


@require_GET
@backoffice_view
def customer_receipt_file(
    request: StaffRequest, customer_id: str, number: str, ext: str
) -> HttpResponse:
    require(request.user, Action.PAYMENT_VIEW)
    if ext not in EXT_FORMAT:
        raise Http404("No such format.")
    customer = get_customer_for_user(request.user, customer_id)
    receipt = get_customer_receipt(customer, number)
    try:
        file = receipt_file(receipt, EXT_FORMAT[ext], request.GET.get("lang", ""))
    except BillFontMissing as exc:
        context = {"message": exc.message}
        return render(request, "backoffice/bill_unavailable.html", context, status=503)
    response = HttpResponse(file.data, content_type=file.content_type)
    disposition = "attachment" if ext == "bin" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{file.filename}"'
    return response


@require_GET
@backoffice_view
def customer_cash_ledger(request: StaffRequest, customer_id: str) -> HttpResponse:
    """Bills (debits) and payments and credits with the running balance
    owed, newest first; searchable like the customer app's."""
    require(request.user, Action.LEDGER_VIEW)
    customer = get_customer_for_user(request.user, customer_id)
    q = request.GET.get("q", "").strip()[:60]
    statement = customer_statement(customer, q)
    page = Paginator(statement.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "customer": customer,
        "statement": statement,
        "page": page,
        "q": q,
        "tab": "cash",
    }
    return render(request, "backoffice/customers/cash_ledger.html", context)


@require_GET
@backoffice_view
def customer_deposit_ledger(request: StaffRequest, customer_id: str) -> HttpResponse:
    """The security deposit: asked for, paid, refunded or recouped, with
    what is still due and what the company holds after each row."""
    require(request.user, Action.LEDGER_VIEW)
    customer = get_customer_for_user(request.user, customer_id)
    context = {
        "customer": customer,
        "ledger": deposit_ledger(customer),
        "tab": "deposit",
    }
    return render(request, "backoffice/customers/deposit_ledger.html", context)
