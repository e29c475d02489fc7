"""Bill documents from a real billing run (the billing services): the run's
hook queues one SMS per bill, once; every bill renders in both languages with
the figures the run wrote; the customer's amount payable is the bill's due."""

from __future__ import annotations

from typing import Any

from mcoms.billing.documents.data import bill_document
from mcoms.billing.documents.pdf import bill_pdf
from mcoms.billing.documents.sms import run_bills_notify
from mcoms.billing.documents.statement import amount_payable
from mcoms.billing.documents.texts import money
from mcoms.billing.services import billing_run_start, billing_run_work
from mcoms.billing.tests.conftest import SEPT, build_site
from mcoms.notifications.models import Channel, Message
from mcoms.notifications.testing import sms_outbox  # noqa: F401 (fixture)
from tests import pdf_reader
from tests.builders import World


def test_a_run_queues_each_bills_sms_once_and_every_bill_renders(
    world: World,
    sms_outbox: list[Any],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    site = build_site(world)
    metered = site.add("Metered", site.metered)
    site.add("Prepaid", site.prepaid)
    site.add("Flat", site.unmetered)
    site.read(metered, SEPT.replace(day=20), "42.000")
    period = site.period(SEPT)
    with django_capture_on_commit_callbacks(execute=True):
        run = billing_run_start(period=period, by=None)
        result = billing_run_work(run=run)
    bills = list(result.run.bills.order_by("pk"))
    assert len(bills) == 3  # the world's own BHKATS customer has no package
    billed_phones = sorted(str(b.customer.phone) for b in bills)
    assert sorted(sms.to for sms in sms_outbox) == billed_phones
    assert Message.objects.filter(channel=Channel.SMS).count() == len(bills)
    assert run_bills_notify(result.run) == 0  # a second call queues nothing
    assert Message.objects.filter(channel=Channel.SMS).count() == len(bills)
    for bill in bills:
        assert bill.amount_due == (
            bill.previous_balance - bill.payments + bill.new_charges
        )
        doc = bill_document(bill)
        for language, label in (("en", "Amount due"), ("hi", "देय राशि")):
            text = pdf_reader.text(bill_pdf(doc, language=language, compress=False))
            assert f"{label}\n{money(bill.amount_due)}" in text, (bill, language)
            assert bill.number in text
        assert amount_payable(bill.customer).total == bill.amount_due
    metered_bill = next(b for b in bills if b.customer_id == metered.pk)
    data = bill_pdf(bill_document(metered_bill), language="en", compress=False)
    text = pdf_reader.text(data)
    assert "42.000" in text  # the reading used


def test_no_sms_after_a_run_when_switched_off(
    world: World,
    settings: Any,
    sms_outbox: list[Any],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BILL_SMS_AFTER_RUN = False
    site = build_site(world)
    site.add("Prepaid", site.prepaid)
    with django_capture_on_commit_callbacks(execute=True):
        run = billing_run_start(period=site.period(SEPT), by=None)
        assert billing_run_work(run=run).billed == 1
    assert Message.objects.count() == 0
    assert sms_outbox == []
