"""The customer app's money pages: Amount Payable (manual 4.6), Billing and
Payment Detail (manual 4.7, also the Profile's Payments, 4.5) and the bill PDF
of the customer's own bills (docs/billing-documents.md)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mcoms.billing.documents.access import get_customer_bill
from mcoms.billing.documents.data import bill_document
from mcoms.billing.documents.fonts import BillFontMissing
from mcoms.billing.documents.pdf import bill_pdf, languages
from mcoms.billing.documents.statement import amount_payable, customer_statement
from mcoms.selfcare.access import customer_view
from mcoms.selfcare.views import _account_context

PAGE_SIZE = 50


@require_GET
@customer_view
def payable(request: HttpRequest, customer_id: str) -> HttpResponse:
    """What I owe, per service, with the total and my latest bill."""
    context = _account_context(request, customer_id)
    context["payable"] = amount_payable(context["customer"])
    return render(request, "selfcare/payable.html", context)


@require_GET
@customer_view
def statement(request: HttpRequest, customer_id: str) -> HttpResponse:
    """My bills and charges, payments and credits, with the running balance
    owed, newest first; ``q`` searches them."""
    context = _account_context(request, customer_id)
    q = request.GET.get("q", "").strip()[:60]
    found = customer_statement(context["customer"], q)
    page = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(statement=found, page=page, q=q)
    return render(request, "selfcare/statement.html", context)


@require_GET
@customer_view
def bill_download(request: HttpRequest, customer_id: str, number: str) -> HttpResponse:
    """One of my bills as a PDF, in my language (``?lang=en|hi`` to choose)."""
    customer = _account_context(request, customer_id)["customer"]
    bill = get_customer_bill(customer, number)
    language = request.GET.get("lang", "")
    if language not in languages():
        language = customer.language
    try:
        data = bill_pdf(bill_document(bill), language=language)
    except BillFontMissing:
        context = _account_context(request, customer_id)
        return render(request, "selfcare/bill_unavailable.html", context, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{bill.number}.pdf"'
    return response
