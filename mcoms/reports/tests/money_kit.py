"""Charges and payments at chosen times, for the collection reports' tests:
posted through the real services, then dated (journals and payments may be
re-dated; entries are never touched)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from mcoms.customers.models import Customer
from mcoms.ledger.models import Journal
from mcoms.org.models import User
from mcoms.payments.models import Payment
from mcoms.payments.services import payment_record, payment_take_cash
from mcoms.payments.tests.kit import charge


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def days_ago(n: int, today: date | None = None) -> datetime:
    return at((today or timezone.localdate()) - timedelta(days=n))


def charge_at(
    customer: Customer, amount: str, when: datetime, service: str = "CHG"
) -> Journal:
    journal = charge(customer, service, amount)
    Journal.objects.filter(pk=journal.pk).update(posted_at=when)
    return journal


def _date(payment: Payment, when: datetime | None) -> Payment:
    if when is not None:
        Journal.objects.filter(pk=payment.journal_id).update(posted_at=when)
        Payment.objects.filter(pk=payment.pk).update(created_at=when)
        payment.refresh_from_db()
    return payment


def cash_at(
    customer: Customer,
    amount: str,
    by: User,
    when: datetime | None = None,
    service: str = "",
) -> Payment:
    recorded = payment_take_cash(
        customer=customer, amount=amount, by=by, service=service,
        client_key=str(uuid.uuid4()),
    )  # fmt: skip
    return _date(recorded.payment, when)


def paid_by(
    customer: Customer, amount: str, channel: str, when: datetime | None = None
) -> Payment:
    recorded = payment_record(
        customer=customer,
        amount=amount,
        channel=channel,
        provider="simulator",
        provider_ref=str(uuid.uuid4()),
    )
    return _date(recorded.payment, when)
