"""What a receipt shows, gathered once into a plain ``ReceiptDoc``: the one
input of every renderer (ESC/POS, PNG, PDF, SMS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from mcoms.payments.models import Channel, PaymentStatus
from mcoms.receipts.models import Receipt


@dataclass(frozen=True)
class ReceiptDoc:
    number: str
    token: str
    verify_url: str
    company: str
    helpline: str
    plant_key: str
    plant_name: str
    paid_at: datetime  # on the plant's clock
    customer_id: str
    customer_name: str
    amount: Decimal
    currency: str
    channel: str  # payments.Channel
    provider_ref: str
    agent: str  # the collector's name (cash); empty for electronic payments
    status: str  # payments.PaymentStatus
    services: tuple[tuple[str, Decimal], ...]  # (service code, amount paid)
    outstanding: tuple[tuple[str, Decimal], ...]  # (service code, owed after)
    outstanding_total: Decimal

    @property
    def cash(self) -> bool:
        return self.channel == Channel.CASH

    @property
    def undone(self) -> bool:
        return self.status != PaymentStatus.POSTED


def verify_url(token: str) -> str:
    """The public page that checks the receipt (``PUBLIC_BASE_URL`` + path)."""
    base = str(settings.PUBLIC_BASE_URL).rstrip("/")
    return base + reverse("receipt-verify", args=[token])


def receipt_doc(receipt: Receipt) -> ReceiptDoc:
    """Everything the receipt shows, in two queries (the receipt with its
    payment, customer, collector, plant and company; the allocations)."""
    receipt = Receipt.objects.select_related(
        "payment__customer",
        "payment__collected_by",
        "plant__state",
        "company",
    ).get(pk=receipt.pk)
    payment = receipt.payment
    collector = payment.collected_by
    agent = ""
    if collector is not None:
        agent = collector.get_full_name() or collector.get_username()
    allocations = payment.allocations.order_by("pk").values_list("service", "amount")
    return ReceiptDoc(
        number=receipt.number,
        token=receipt.token,
        verify_url=verify_url(receipt.token),
        company=receipt.company.name,
        helpline=receipt.company.helpline,
        plant_key=receipt.plant.key,
        plant_name=receipt.plant.name,
        paid_at=payment.created_at.astimezone(ZoneInfo(receipt.plant.timezone)),
        customer_id=payment.customer.customer_id,
        customer_name=payment.customer.name,
        amount=payment.amount,
        currency=payment.currency,
        channel=payment.channel,
        provider_ref=payment.provider_ref,
        agent=agent,
        status=payment.status,
        services=tuple((s, Decimal(a)) for s, a in allocations),
        outstanding=tuple((s, Decimal(a)) for s, a in receipt.outstanding.items()),
        outstanding_total=receipt.outstanding_total,
    )
