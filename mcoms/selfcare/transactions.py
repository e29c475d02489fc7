"""The customer app's transaction history (manual 2.2.5: "their complete
transaction history, as seen by company agents"): the same selector and the
same list as the field app, each payment with its receipt (page, PNG, PDF);
the customer's own accounts only (docs/receipts.md)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from mcoms.billing.documents.fonts import BillFontMissing
from mcoms.receipts.render.data import receipt_doc
from mcoms.receipts.render.files import qr_svg, receipt_file
from mcoms.receipts.render.texts import blocks
from mcoms.receipts.selectors import customer_transactions, get_customer_receipt
from mcoms.selfcare.access import customer_view
from mcoms.selfcare.views import _account_context

PAGE_SIZE = 30
EXT_FORMAT = {"png": "png", "pdf": "pdf"}


def _file_url(customer_id: str, number: str, ext: str) -> str:
    return reverse("selfcare:receipt-file", args=[customer_id, number, ext])


@require_GET
@customer_view
def transactions(request: HttpRequest, customer_id: str) -> HttpResponse:
    context = _account_context(request, customer_id)
    customer = context["customer"]
    page = Paginator(customer_transactions(customer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for payment in page.object_list:
        receipt = getattr(payment, "receipt", None)
        if receipt is not None:
            cid, number = customer.customer_id, receipt.number
            payment.receipt_href = reverse("selfcare:receipt", args=[cid, number])  # type: ignore[attr-defined]
            payment.receipt_files = [  # type: ignore[attr-defined]
                (ext.upper(), _file_url(cid, number, ext)) for ext in EXT_FORMAT
            ]
    context.update(page=page, rows=page.object_list)
    return render(request, "selfcare/transactions.html", context)


@require_GET
@customer_view
def receipt_page(request: HttpRequest, customer_id: str, number: str) -> HttpResponse:
    context = _account_context(request, customer_id)
    receipt = get_customer_receipt(context["customer"], number)
    doc = receipt_doc(receipt)
    context.update(
        receipt=receipt,
        doc=doc,
        blocks=blocks(doc),
        blocks_language=get_language(),
        qr=qr_svg(doc),
        files={
            ext: _file_url(context["customer"].customer_id, receipt.number, ext)
            for ext in EXT_FORMAT
        },
    )
    return render(request, "selfcare/receipt.html", context)


@require_GET
@customer_view
def receipt_download(
    request: HttpRequest, customer_id: str, number: str, ext: str
) -> HttpResponse:
    """My receipt as PNG or PDF, in my language unless ``?lang=en|hi``."""
    if ext not in EXT_FORMAT:
        raise Http404("No such format.")
    context = _account_context(request, customer_id)
    receipt = get_customer_receipt(context["customer"], number)
    try:
        file = receipt_file(receipt, EXT_FORMAT[ext], request.GET.get("lang", ""))
    except BillFontMissing:
        return render(request, "selfcare/receipt_unavailable.html", context, status=503)
    response = HttpResponse(file.data, content_type=file.content_type)
    response["Content-Disposition"] = f'inline; filename="{file.filename}"'
    return response
