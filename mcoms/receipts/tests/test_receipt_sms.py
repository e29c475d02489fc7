"""The receipt SMS: its text in English and Hindi (what it says, how many SMS
parts), a reversed payment said so, and sending it again once per key."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from mcoms.billing.documents.sms import sms_size
from mcoms.core.errors import ValidationFailed
from mcoms.notifications.models import Message
from mcoms.payments.services import payment_reverse
from mcoms.receipts.models import ReceiptSend
from mcoms.receipts.render.sms import receipt_sms_text
from mcoms.receipts.services import receipt_sms_send
from mcoms.receipts.tests.conftest import Paid


def test_the_english_text(paid: Paid) -> None:
    r = paid.receipt
    text = receipt_sms_text(r, "en")
    day = r.issued_at.astimezone(ZoneInfo(r.plant.timezone)).strftime("%d/%m/%Y")
    assert text == (
        f"Tara Urja Demo: received Rs 120.50 from BHKATS00101 on {day}, "
        f"receipt {r.number}. Outstanding Rs 219.50. "
        f"Check: http://127.0.0.1:8000/r/{r.token}"
    )
    size = sms_size(text)
    assert (size.encoding, size.parts) == ("GSM-7", 2)


def test_the_hindi_text(paid: Paid) -> None:
    r = paid.receipt
    text = receipt_sms_text(r)  # the receipt's language: the customer's, Hindi
    assert "BHKATS00101 से ₹120.50 प्राप्त" in text
    assert f"रसीद {r.number}।" in text and "बकाया ₹219.50।" in text
    assert text.endswith(f"/r/{r.token}")
    size = sms_size(text)
    assert (size.encoding, size.parts) == ("UCS-2", 3)


def test_nothing_owed_and_in_credit(paid: Paid) -> None:
    settled = paid.pay("219.50")  # all that was owed
    assert "Nothing outstanding." in receipt_sms_text(settled.receipt, "en")
    ahead = paid.pay("80.50")
    assert "In credit Rs 80.50." in receipt_sms_text(ahead.receipt, "en")
    assert "जमा ₹80.50।" in receipt_sms_text(ahead.receipt, "hi")


def test_a_reversed_payment_says_so(paid: Paid) -> None:
    payment_reverse(payment=paid.payment, reason="typo", by=paid.world.user("admin"))
    text = receipt_sms_text(paid.receipt, "en")
    assert "This payment was reversed." in text
    assert "Outstanding" not in text


def test_sending_again_once_per_key(paid: Paid) -> None:
    r, csa = paid.receipt, paid.world.user("csa")
    before = Message.objects.count()
    send, created = receipt_sms_send(receipt=r, key="k-1", by=csa)
    again, created_again = receipt_sms_send(receipt=r, key="k-1", by=csa)
    assert (created, created_again) == (True, False)
    assert again.pk == send.pk and Message.objects.count() == before + 1
    other, _ = receipt_sms_send(receipt=r, key="k-2", by=csa, phone="98000 00009")
    assert other.phone == "+919800000009"
    assert other.message is not None and other.message.phone == "+919800000009"
    assert ReceiptSend.objects.filter(receipt=r).count() == 3  # with "auto"


@pytest.mark.parametrize(
    ("key", "phone", "code"),
    [
        ("", "", "idempotency_key_invalid"),
        ("auto", "", "idempotency_key_invalid"),
        ("x" * 121, "", "idempotency_key_invalid"),
        ("k-3", "12", "phone_invalid"),
    ],
)
def test_bad_input_sends_nothing(paid: Paid, key: str, phone: str, code: str) -> None:
    before = (Message.objects.count(), ReceiptSend.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        receipt_sms_send(
            receipt=paid.receipt, key=key, by=paid.world.user("csa"), phone=phone
        )
    assert caught.value.code == code
    assert (Message.objects.count(), ReceiptSend.objects.count()) == before
