"""The receipt's SMS (manual 2.2.5: "confirming payment received"), through
the outbox of ``mcoms.notifications`` (template ``receipt_issued``, English
and Hindi). ``billing.documents.sms.sms_size`` counts its parts."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from mcoms.billing.documents.sms import COMPANY_CHARS
from mcoms.billing.documents.texts import day
from mcoms.notifications.services import template_render
from mcoms.org.models import Language
from mcoms.payments.models import PaymentStatus
from mcoms.receipts.models import Receipt
from mcoms.receipts.render.data import verify_url

TEMPLATE = "receipt_issued"


def _plain(value: Any) -> str:
    return f"{value:.2f}"


def receipt_sms_context(receipt: Receipt) -> dict[str, Any]:
    """The template's context (the receipt with its payment, customer, plant
    and company)."""
    payment = receipt.payment
    paid = payment.created_at.astimezone(ZoneInfo(receipt.plant.timezone))
    total = receipt.outstanding_total
    return {
        "company": receipt.company.name[:COMPANY_CHARS].strip(),
        "number": receipt.number,
        "customer_id": payment.customer.customer_id,
        "amount": _plain(payment.amount),
        "date": day(paid.date()),
        "owed": total > 0,
        "outstanding": _plain(total),
        "in_credit": total < 0,
        "credit": _plain(-total),
        "undone": payment.status != PaymentStatus.POSTED,
        "url": verify_url(receipt.token),
    }


def receipt_sms_text(receipt: Receipt, language: str | None = None) -> str:
    """The SMS as the customer reads it (the receipt's language by default)."""
    lang = language or receipt.language or Language.ENGLISH
    context = receipt_sms_context(receipt)
    return template_render(template=TEMPLATE, language=lang, context=context).body
