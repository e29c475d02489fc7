"""Receipt writes: the receipt of a new payment (numbered in the payment's
transaction), and sending it by SMS (docs/receipts.md).

* ``receipt_issue(*, payment)``: the payment's receipt, made once. It runs
  from the payment's own transaction (``payments.hooks``, registered in
  ``apps.py``): the plant's sequence row of the year is locked (``locks``),
  advanced and the receipt written, so concurrent payments queue on the row
  and get consecutive numbers, and a payment that rolls back takes its number
  with it (no gap). The customer's outstanding per service right after the
  payment is kept on the receipt.
* ``receipt_sms_send(*, receipt, key, by, phone="")``: the receipt's SMS to
  the customer (or another number), once per key; a retry returns the first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mcoms.core.errors import ValidationFailed
from mcoms.ledger.models import Account, AccountKind, HolderType, Service
from mcoms.notifications.models import Channel
from mcoms.notifications.phones import phone_normalise
from mcoms.notifications.services import message_queue
from mcoms.org.models import Language
from mcoms.payments.models import Payment
from mcoms.receipts.locks import sequence_locked
from mcoms.receipts.models import Receipt, ReceiptSend
from mcoms.receipts.qr import qr_mask_for
from mcoms.receipts.render.data import verify_url
from mcoms.receipts.render.sms import TEMPLATE, receipt_sms_context
from mcoms.receipts.tokens import Signed, token_make

AUTO_KEY = "auto"
ZERO = Decimal("0.00")


def receipt_number(plant_key: str, year: int, seq: int) -> str:
    """``R-BHKATS-2026-000123`` (more digits past 999,999 in a year)."""
    return f"R-{plant_key}-{year}-{seq:06d}"


def _year(payment: Payment) -> int:
    """The payment's year on the plant's calendar."""
    return payment.created_at.astimezone(ZoneInfo(payment.plant.timezone)).year


def _outstanding(payment: Payment) -> tuple[dict[str, str], Decimal]:
    """The customer's receivables per service now (their cached balances, kept
    under the locks the payment holds), in the ledger's service order."""
    rows = dict(
        Account.objects.filter(
            company_id=payment.company_id,
            holder_type=HolderType.CUSTOMER,
            holder_ref=payment.customer.customer_id,
            kind=AccountKind.ASSET,
        ).values_list("service", "balance")
    )
    owed = {code: rows[code] for code in Service.values if rows.get(code)}
    total = sum(owed.values(), ZERO)
    return {code: f"{amount:.2f}" for code, amount in owed.items()}, total


def receipt_issue(*, payment: Payment) -> Receipt:
    """The payment's receipt: made once, numbered in this transaction."""
    with transaction.atomic():
        found = Receipt.objects.filter(payment=payment).first()
        if found is not None:
            return found
        year = _year(payment)
        sequence = sequence_locked(payment.plant, year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        number = receipt_number(payment.plant.key, year, sequence.last)
        outstanding, total = _outstanding(payment)
        customer = payment.customer
        signed = Signed(
            payment_id=payment.pk,
            number=number,
            amount=payment.amount,
            issued_at=payment.created_at,
            customer_id=customer.customer_id,
            company_id=payment.company_id,
        )
        token = token_make(signed)
        return Receipt.objects.create(
            payment=payment,
            company_id=payment.company_id,
            plant_id=payment.plant_id,
            number=number,
            year=year,
            seq=sequence.last,
            language=customer.language or Language.ENGLISH,
            token=token,
            qr_mask=qr_mask_for(verify_url(token)),
            issued_at=payment.created_at,
            outstanding=outstanding,
            outstanding_total=total,
        )


def receipt_on_payment(payment: Payment) -> None:
    """The payments hook: the receipt, and its SMS to the customer when
    ``RECEIPT_SMS_ON_PAYMENT`` is on (delivered after commit)."""
    receipt = receipt_issue(payment=payment)
    if settings.RECEIPT_SMS_ON_PAYMENT and payment.customer.phone:
        try:
            _send(receipt, key=AUTO_KEY, by=None, phone="")
        except ValidationFailed:  # a number the gateway cannot take: no SMS
            return


def _send(receipt: Receipt, *, key: str, by: Any, phone: str) -> ReceiptSend:
    customer = receipt.payment.customer
    number = phone_normalise(phone=phone or str(customer.phone))
    with transaction.atomic():
        message = message_queue(
            channel=Channel.SMS,
            template=TEMPLATE,
            context=receipt_sms_context(receipt),
            phone=number,
            language=receipt.language,
        )
        return ReceiptSend.objects.create(
            receipt=receipt, key=key, message=message, phone=number, by=by
        )


def receipt_sms_send(
    *, receipt: Receipt, key: str, by: Any, phone: str = ""
) -> tuple[ReceiptSend, bool]:
    """Send the receipt by SMS again (to the customer's number, or ``phone``);
    ``key`` (the form's UUID, the API's Idempotency-Key) makes a retry return
    the first send, ``(send, False)``."""
    key = (key or "").strip()
    if not key or len(key) > 120 or key == AUTO_KEY:
        raise ValidationFailed(
            "idempotency_key_invalid",
            _("A send needs a key of 1-120 characters; reload the page."),
        )
    earlier = ReceiptSend.objects.filter(receipt=receipt, key=key).first()
    if earlier is not None:
        return earlier, False
    try:
        return _send(receipt, key=key, by=by, phone=phone), True
    except IntegrityError:  # a racing retry with the same key won
        return ReceiptSend.objects.get(receipt=receipt, key=key), False
