"""The bill SMS (manual 1.3.1.1: customers without the app get their bills by
SMS) and its in-app copy (manual 4.10, "bill alerts"), through the outbox of
``mcoms.notifications`` (template ``bill_issued``, English and Hindi).

* ``bill_sms_queue(bill=...)``: one bill, through ``message_queue``.
* ``bills_sms_queue(bills=...)``: many bills at once (a billing run): the same
  rows, written in one bulk insert, delivered by batch tasks after commit.
  A bill whose customer has no valid mobile number gets no SMS (counted).
* ``run_bills_notify_later(run)``: the billing run's after-run step: a task
  for the worker (``bills_notify_task``) runs ``run_bills_notify(run)``.
* ``sms_size(text)``: GSM-7 or UCS-2, and how many SMS parts the text takes.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import task

from mcoms.billing.documents.texts import day, money
from mcoms.billing.models import Bill, BillingRun
from mcoms.core.errors import ValidationFailed
from mcoms.notifications.models import Channel, Message
from mcoms.notifications.phones import phone_normalise
from mcoms.notifications.services import message_queue, template_render
from mcoms.org.models import Language

logger = logging.getLogger(__name__)
TEMPLATE = "bill_issued"
COMPANY_CHARS = 20  # the company's name is cut to keep the SMS in one part
DELIVERY_BATCH = 500
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
BILL_FIELDS = [
    "number",
    "amount_due",
    "due_date",
    "estimated",
    "company__name",
    "company__helpline",
    "period__start",
    "period__end",
    "customer__customer_id",
    "customer__phone",
    "customer__language",
    "customer__user_id",
]

# GSM 03.38: the basic set (one unit each) and the extension set (two units).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int


def sms_size(text: str) -> SmsSize:
    """One part holds 160 GSM-7 units or 70 UCS-2 units; a split message 153
    or 67 per part (the rest is the concatenation header)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    parts = 1 if units <= single else math.ceil(units / multi)
    return SmsSize(encoding, units, parts)


def _plain(amount: Any) -> str:
    """Amounts without the symbol and grouping (the template says Rs / ₹)."""
    return money(amount, symbol="").replace(",", "").replace("−", "-")


def bill_sms_context(bill: Bill) -> dict[str, Any]:
    """The template's context (the bill with company, customer and period)."""
    period = bill.period
    label = (
        period.start.strftime("%m/%Y")
        if period.is_month
        else f"{period.start:%d/%m}-{period.last_day:%d/%m/%Y}"
    )
    return {
        "company": bill.company.name[:COMPANY_CHARS].strip(),
        "number": bill.number,
        "customer_id": bill.customer.customer_id,
        "period": label,
        "amount_due": _plain(bill.amount_due),
        "in_credit": bill.amount_due <= 0,
        "credit": _plain(-bill.amount_due),
        "due_date": day(bill.due_date),
        "estimated": bill.estimated,
        "helpline": bill.company.helpline,
    }


def bill_sms_text(bill: Bill, language: str | None = None) -> str:
    """The SMS as the customer reads it (the customer's language by default)."""
    lang = language or bill.customer.language or Language.ENGLISH
    context = bill_sms_context(bill)
    return template_render(template=TEMPLATE, language=lang, context=context).body


def bill_sms_queue(*, bill: Bill) -> Message:
    """Queue the bill's SMS (and the in-app copy for a customer who signs in);
    in the caller's transaction, delivered after commit."""
    customer = bill.customer
    context = bill_sms_context(bill)
    if customer.user_id is not None:
        message_queue(
            channel=Channel.INAPP,
            template=TEMPLATE,
            context=context,
            user=customer.user,
            language=customer.language,
        )
    return message_queue(
        channel=Channel.SMS,
        template=TEMPLATE,
        context=context,
        phone=str(customer.phone),
        language=customer.language,
    )


def _bills(bills: Sequence[Bill]) -> Iterator[Bill]:
    pks = [b.pk for b in bills]
    for start in range(0, len(pks), 2000):
        yield from (
            Bill.objects.filter(pk__in=pks[start : start + 2000])
            .select_related("company", "period", "customer")
            .only(*BILL_FIELDS)
            .order_by("pk")
        )


def _messages_for(bill: Bill) -> list[Message]:
    customer = bill.customer
    rendered = template_render(
        template=TEMPLATE,
        language=customer.language or Language.ENGLISH,
        context=bill_sms_context(bill),
    )
    common = {
        "template": TEMPLATE,
        "language": rendered.language,
        "subject": rendered.subject[:200],
        "body": rendered.body,
    }
    out = []
    if customer.user_id is not None:
        out.append(Message(channel=Channel.INAPP, user_id=customer.user_id, **common))
    phone = str(customer.phone or "")  # stored in E.164, checked when saved
    if E164.match(phone):
        out.append(Message(channel=Channel.SMS, phone=phone, **common))
    else:
        logger.warning("bill %s: no valid mobile number, no SMS", bill.number)
    return out


@transaction.atomic
def bills_sms_queue(*, bills: Sequence[Bill]) -> int:
    """Queue the SMS and in-app copies of many bills in one bulk insert;
    delivery runs in batch tasks after commit. Returns the messages queued."""
    messages = [m for bill in _bills(bills) for m in _messages_for(bill)]
    created = Message.objects.bulk_create(messages, batch_size=1000)
    ids = [m.pk for m in created]  # SQLite and PostgreSQL return the keys
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


def _enqueue(ids: list[int]) -> None:
    for start in range(0, len(ids), DELIVERY_BATCH):
        messages_deliver.enqueue(ids[start : start + DELIVERY_BATCH])


@task()
def messages_deliver(message_ids: list[int]) -> int:
    """Deliver a batch of queued messages, one by one (each claims its row, so
    a batch run twice sends nothing twice); returns how many were sent."""
    from mcoms.notifications.tasks import deliver_message

    return sum(deliver_message.call(pk) == "sent" for pk in message_ids)


def run_bills_notify_later(run: BillingRun) -> None:
    """The billing run's after-run hook: the run's SMS are made and sent by a
    task in the worker, after commit (``BILL_SMS_AFTER_RUN=false``: none)."""
    if not settings.BILL_SMS_AFTER_RUN:
        return
    pk = run.pk
    transaction.on_commit(lambda: bills_notify_task.enqueue(pk))


@task()
def bills_notify_task(run_pk: int) -> int:
    return run_bills_notify(BillingRun.objects.get(pk=run_pk))


@transaction.atomic
def run_bills_notify(run: BillingRun) -> int:
    """After a run (its hook): queue the SMS of every bill it wrote, once.
    Two workers that finish one run at the same moment both call the hook:
    the run's row is locked, and a run whose first reachable customer already
    has the bill's message is left alone. Returns the messages queued."""
    BillingRun.objects.select_for_update().filter(pk=run.pk).first()
    if _notified(run):
        return 0
    return bills_sms_queue(bills=list(run.bills.only("pk")))


def _notified(run: BillingRun) -> bool:
    """Whether the run's marker bill (its first whose customer signs in, else
    its first with a mobile number) already has its message."""
    bills = run.bills.select_related("customer").order_by("pk")
    marker = (
        bills.filter(customer__user__isnull=False).first()
        or bills.exclude(customer__phone="").first()
    )
    if marker is None:
        return False
    sent = Message.objects.filter(
        template=TEMPLATE,
        created_at__gte=run.started_at,
        body__contains=marker.number,
    )
    customer = marker.customer
    if customer.user_id is not None:
        return sent.filter(user_id=customer.user_id, channel=Channel.INAPP).exists()
    try:
        phone = phone_normalise(phone=str(customer.phone))
    except ValidationFailed:
        return False
    return sent.filter(phone=phone, channel=Channel.SMS).exists()
