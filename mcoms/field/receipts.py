"""The field app's receipts (manual 2.2.5; docs/receipts.md): the receipt page
that "Add Transaction" leads to, with Print (the ESC/POS bytes to a Bluetooth
or serial printer from the browser, else the .bin file), Share image and Send
SMS; the files; and a customer's transactions, the same list the customer app
shows. Staff need ``payment.view`` and the receipt's plant in their scope;
sending the SMS needs ``payment.take``."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mcoms.billing.documents.fonts import BillFontMissing
from mcoms.core.errors import DomainError
from mcoms.field.access import field_view
from mcoms.org.access import can, require
from mcoms.org.models import Language, Staff
from mcoms.org.permissions import Action
from mcoms.payments.selectors import customer_for_view, get_payment_for_user
from mcoms.receipts.render.data import receipt_doc
from mcoms.receipts.render.files import FORMATS, qr_svg, receipt_file
from mcoms.receipts.render.texts import blocks
from mcoms.receipts.selectors import customer_transactions, get_receipt_for_user
from mcoms.receipts.services import receipt_sms_send

PAGE_SIZE = 30
EXT_FORMAT = {ext: fmt for fmt, (_type, ext) in FORMATS.items()}


def _file_url(number: str, ext: str) -> str:
    return reverse("field:receipt-file", args=[number, ext])


@require_GET
@field_view
def receipt_page(request: HttpRequest, staff: Staff, number: str) -> HttpResponse:
    receipt = get_receipt_for_user(request.user, number)
    doc = receipt_doc(receipt)
    files = {ext: _file_url(receipt.number, ext) for ext in EXT_FORMAT}
    context = {
        "receipt": receipt,
        "doc": doc,
        "blocks": blocks(doc),
        "blocks_language": get_language(),
        "qr": qr_svg(doc),
        "files": files,
        "may_send": can(request.user, Action.PAYMENT_TAKE),
        "send_key": uuid.uuid4(),
        "customer": receipt.payment.customer,
        "languages": Language.choices,
    }
    return render(request, "field/receipts/receipt.html", context)


@require_GET
@field_view
def receipt_download(
    request: HttpRequest, staff: Staff, number: str, ext: str
) -> HttpResponse:
    """``.bin`` (ESC/POS), ``.png`` or ``.pdf``, in the customer's language
    unless ``?lang=en|hi``."""
    if ext not in EXT_FORMAT:
        raise Http404("No such format.")
    receipt = get_receipt_for_user(request.user, number)
    try:
        file = receipt_file(receipt, EXT_FORMAT[ext], request.GET.get("lang", ""))
    except BillFontMissing as exc:
        messages.error(request, exc.message)
        return redirect("field:receipt", receipt.number)
    response = HttpResponse(file.data, content_type=file.content_type)
    disposition = "inline" if ext != "bin" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{file.filename}"'
    return response


@require_POST
@field_view
def receipt_sms(request: HttpRequest, staff: Staff, number: str) -> HttpResponse:
    receipt = get_receipt_for_user(request.user, number, Action.PAYMENT_TAKE)
    try:
        _send, created = receipt_sms_send(
            receipt=receipt,
            key=request.POST.get("key", ""),
            by=request.user,
            phone=request.POST.get("phone", "").strip(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if created:
            messages.success(request, _("The receipt SMS is on its way."))
        else:
            messages.info(request, _("This SMS was already sent."))
    return redirect("field:receipt", receipt.number)


@require_GET
@field_view
def payment_receipt(request: HttpRequest, staff: Staff, uid: str) -> HttpResponse:
    """The receipt of a payment (the target "Add Transaction" leads to)."""
    payment = get_payment_for_user(request.user, uid)
    receipt = getattr(payment, "receipt", None)
    if receipt is None:
        raise Http404("This payment has no receipt.")
    return redirect("field:receipt", receipt.number)


@require_GET
@field_view
def transactions(request: HttpRequest, staff: Staff, customer_id: str) -> HttpResponse:
    """The customer's payments with their receipts (what the customer sees)."""
    require(request.user, Action.PAYMENT_VIEW)
    customer = customer_for_view(request.user, customer_id)
    page = Paginator(customer_transactions(customer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for payment in page.object_list:
        receipt = getattr(payment, "receipt", None)
        if receipt is not None:
            payment.receipt_href = reverse("field:receipt", args=[receipt.number])  # type: ignore[attr-defined]
            payment.receipt_files = [  # type: ignore[attr-defined]
                (ext.upper(), _file_url(receipt.number, ext)) for ext in ("png", "pdf")
            ]
    context = {"customer": customer, "page": page, "rows": page.object_list}
    return render(request, "field/receipts/transactions.html", context)
