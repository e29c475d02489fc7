"""receipt_issue, through the payments hook: one receipt per payment, numbered
without gaps per plant and year (a rolled-back payment takes its number with
it), the outstanding after the payment kept, the customer's language, a
reversed payment keeping its number, and the automatic SMS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction

from mcoms.notifications.models import Message
from mcoms.payments.services import payment_reverse, payment_take_cash
from mcoms.receipts.models import Receipt, ReceiptSend, ReceiptSequence
from mcoms.receipts.qr import qr_code, qr_mask_for
from mcoms.receipts.render.data import verify_url
from mcoms.receipts.services import receipt_issue
from mcoms.receipts.tests.conftest import Paid

D = Decimal


def numbers() -> list[str]:
    return list(Receipt.objects.order_by("pk").values_list("number", flat=True))


def test_a_payment_gets_its_receipt_in_the_same_transaction(paid: Paid) -> None:
    r = paid.receipt
    assert (r.plant_id, r.seq, r.company_id) == (
        paid.payment.plant_id,
        1,
        paid.payment.company_id,
    )
    assert r.number == f"R-BHKATS-{r.year}-000001"
    assert r.issued_at == paid.payment.created_at
    assert r.language == "hi"  # the customer's
    # 300 energy + 40 water owed; 120.50 paid to the oldest (energy)
    assert r.outstanding == {"CHG": "179.50", "WATER": "40.00"}
    assert r.outstanding_total == D("219.50")


def test_numbers_follow_on_without_gaps_per_plant(paid: Paid) -> None:
    paid.pay("10")
    paid.pay("10", who="BHSIKA")
    paid.pay("10")
    year = paid.receipt.year
    assert numbers() == [
        f"R-BHKATS-{year}-000001",
        f"R-BHKATS-{year}-000002",
        f"R-BHSIKA-{year}-000001",
        f"R-BHKATS-{year}-000003",
    ]
    kats = ReceiptSequence.objects.get(plant=paid.payment.plant, year=year)
    assert kats.last == 3


def test_a_rolled_back_payment_leaves_no_gap(paid: Paid) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        paid.pay("10")
        raise RuntimeError("the till jammed")
    paid.pay("11")
    year = paid.receipt.year
    assert numbers() == [f"R-BHKATS-{year}-000001", f"R-BHKATS-{year}-000002"]
    assert Receipt.objects.get(seq=2).payment.amount == D("11.00")


def test_the_year_is_the_plants_and_starts_again_at_one(paid: Paid) -> None:
    # 31 Dec 2027 19:00 UTC is already 1 Jan 2028 in Kolkata (UTC+5:30)
    at = datetime(2027, 12, 31, 19, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=at):
        payment = paid.pay("10")
    assert payment.receipt.number == "R-BHKATS-2028-000001"
    assert payment.receipt.year == 2028


def test_a_retried_payment_makes_no_second_receipt(paid: Paid) -> None:
    key = str(uuid.uuid4())
    customer = paid.world.customers["BHKATS"]
    first = payment_take_cash(
        customer=customer, amount="5", by=paid.world.user("csa"), client_key=key
    )
    again = payment_take_cash(
        customer=customer, amount="5", by=paid.world.user("csa"), client_key=key
    )
    assert (first.created, again.created) == (True, False)
    assert Receipt.objects.count() == 2
    assert receipt_issue(payment=first.payment) == first.payment.receipt
    assert Receipt.objects.count() == 2


def test_a_reversed_payment_keeps_its_receipt_and_number(paid: Paid) -> None:
    payment_reverse(
        payment=paid.payment, reason="wrong customer", by=paid.world.user("admin")
    )
    later = paid.pay("20")
    paid.receipt.refresh_from_db()
    assert paid.receipt.seq == 1 and later.receipt.seq == 2
    assert Receipt.objects.count() == 2


def test_the_customer_gets_the_receipt_by_sms(paid: Paid) -> None:
    send = ReceiptSend.objects.get(receipt=paid.receipt)
    assert (send.key, send.by, send.phone) == ("auto", None, "+919800000001")
    message = send.message
    assert message is not None
    assert message.template == "receipt_issued" and message.language == "hi"
    assert paid.receipt.number in message.body
    assert "₹120.50" in message.body and "बकाया ₹219.50" in message.body
    assert f"/r/{paid.receipt.token}" in message.body


def test_no_sms_when_switched_off(paid: Paid, settings: object) -> None:
    settings.RECEIPT_SMS_ON_PAYMENT = False  # type: ignore[attr-defined]
    before = Message.objects.count()
    payment = paid.pay("10")
    assert payment.receipt.number.endswith("000002")
    assert Message.objects.count() == before
    assert not ReceiptSend.objects.filter(receipt=payment.receipt).exists()


def test_a_number_the_gateway_cannot_take_does_not_stop_the_payment(
    paid: Paid,
) -> None:
    customer = paid.world.customers["BHKATS"]
    type(customer).objects.filter(pk=customer.pk).update(phone="+91123")
    customer.refresh_from_db()
    payment = paid.pay("10")
    assert payment.receipt.seq == 2
    assert not ReceiptSend.objects.filter(receipt=payment.receipt).exists()


def test_the_qr_codes_mask_is_chosen_once_at_issue(paid: Paid) -> None:
    r = paid.receipt
    url = verify_url(r.token)
    assert r.qr_mask is not None and 0 <= r.qr_mask <= 7
    assert r.qr_mask == qr_mask_for(url)
    assert qr_code(url, r.qr_mask).matrix == qr_code(url).matrix
