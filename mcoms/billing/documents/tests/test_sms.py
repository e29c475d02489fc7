"""The bill SMS: its length in GSM-7 or UCS-2 parts, its text in English and
Hindi, and its queueing through the outbox (one bill, or a run's bills)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from mcoms.billing.documents.sms import (
    SmsSize,
    bill_sms_queue,
    bill_sms_text,
    bills_sms_queue,
    messages_deliver,
    run_bills_notify,
    sms_size,
)
from mcoms.billing.documents.tests.conftest import Billed
from mcoms.customers.models import Customer
from mcoms.notifications.models import Channel, Message, MessageStatus
from mcoms.notifications.testing import sms_outbox  # noqa: F401 (fixture)
from tests.bill_kit import make_bill, month


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("[]" * 40, "GSM-7", 160, 1),  # the extension set counts twice
        ("€" * 81, "GSM-7", 162, 2),
        ("बिल" * 23 + "क", "UCS-2", 70, 1),
        ("बिल" * 23 + "कक", "UCS-2", 71, 2),
        ("a" * 134 + "₹", "UCS-2", 135, 3),  # one rupee sign makes it UCS-2
        ("😀" * 35, "UCS-2", 70, 1),  # outside the BMP: two units each
    ],
    ids=["160", "161", "306", "307", "ext", "euro", "70", "71", "rupee", "emoji"],
)
def test_sms_size(text: str, encoding: str, units: int, parts: int) -> None:
    assert sms_size(text) == SmsSize(encoding, units, parts)


def test_the_english_sms_is_one_gsm_part(billed: Billed) -> None:
    text = bill_sms_text(billed.april, "en")
    assert text == (
        "Tara Urja Demo: bill BHKATS-2026-000002, BHKATS00101, 04/2026. "
        "Due Rs 599.25 by 16/05/2026. Estimated, no reading. Help 1800"
    )
    assert sms_size(text).encoding == "GSM-7"
    assert sms_size(text).parts == 1


def test_the_hindi_sms_is_two_ucs2_parts_at_most(billed: Billed) -> None:
    text = bill_sms_text(billed.april, "hi")
    assert "देय ₹599.25, 16/05/2026 तक।" in text
    assert "अनुमानित" in text
    size = sms_size(text)
    assert size.encoding == "UCS-2"
    assert size.parts <= 2, (size, text)


def test_the_longest_values_keep_english_in_one_part(billed: Billed) -> None:
    company = billed.customer.company
    company.name = "A very long company name indeed, Private Limited"
    company.helpline = "+91 1800 123 4567"
    company.save()
    bill = make_bill(
        billed.customer, month(2026, 5), {"CHG": "99999999.00"}, estimated=True
    )
    bill.refresh_from_db()
    english = sms_size(bill_sms_text(bill, "en"))
    assert english.parts == 1, english
    assert sms_size(bill_sms_text(bill, "hi")).parts <= 3


def test_a_bill_in_credit_says_nothing_to_pay(billed: Billed) -> None:
    bill = make_bill(
        billed.customer, month(2026, 5), {"CHG": "100.00"}, previous="-300.00"
    )
    assert "Nothing to pay, in credit Rs 200.00." in bill_sms_text(bill, "en")


def test_one_bill_is_queued_in_the_customers_language_and_sent_after_commit(
    billed: Billed,
    sms_outbox: list[Any],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    Customer.objects.filter(pk=billed.customer.pk).update(language="hi")
    billed.april.customer.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        message = bill_sms_queue(bill=billed.april)
    assert message.language == "hi"
    assert [sms.to for sms in sms_outbox] == ["+919800000001"]
    assert "BHKATS-2026-000002" in sms_outbox[0].body
    inapp = Message.objects.get(channel=Channel.INAPP)
    assert inapp.user == billed.customer.user
    assert inapp.subject == "बिल BHKATS-2026-000002"


def test_nothing_is_queued_when_the_transaction_rolls_back(
    billed: Billed,
    sms_outbox: list[Any],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        bill_sms_queue(bill=billed.april)
        transaction.set_rollback(True)
    assert Message.objects.count() == 0
    assert sms_outbox == []


def test_a_runs_bills_are_queued_in_bulk_and_delivered_once(
    billed: Billed,
    sms_outbox: list[Any],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    w = billed.world
    sika = w.customers["BHSIKA"]
    Customer.objects.filter(pk=sika.pk).update(phone="")  # no number: no SMS
    sika.refresh_from_db()
    other = make_bill(sika, month(2026, 4), {"CHG": "50.00"})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = run_bills_notify(billed.april.run)
        queued += bills_sms_queue(bills=[other])
    assert len(callbacks) == 2
    assert queued == 3  # April: SMS + in-app; Sika: in-app only
    assert [sms.to for sms in sms_outbox] == ["+919800000001"]
    assert "BHKATS-2026-000002" in sms_outbox[0].body
    sent = Message.objects.filter(status=MessageStatus.SENT)
    assert sent.count() == 3
    ids = list(sent.values_list("pk", flat=True))
    assert messages_deliver.call(ids) == 0  # a batch run again sends nothing
    assert len(sms_outbox) == 1
