"""What a receipt shows, gathered once into a plain ``ReceiptDoc``: the one
input of every renderer (ESC/POS, PNG, PDF, SMS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from mcoms.payments.models import Channel, PaymentAllocation, PaymentStatus
from mcoms.receipts.models import Receipt


@dataclass(frozen=True)
class ReceiptDoc:
    number: str
    token: str
    verify_url: str
    qr_mask: int | None
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


FIELDS = [
    "number",
    "token",
    "qr_mask",
    "outstanding",
    "outstanding_total",
    "company__name",
    "company__helpline",
    "plant__code",
    "plant__name",
    "plant__timezone",
    "plant__state__code",
    "payment__created_at",
    "payment__amount",
    "payment__currency",
    "payment__channel",
    "payment__provider_ref",
    "payment__status",
    "payment__customer__customer_id",
    "payment__customer__name",
    "payment__collected_by__first_name",
    "payment__collected_by__last_name",
    "payment__collected_by__username",
    "payment_id",
]


def receipt_doc(receipt: Receipt) -> ReceiptDoc:
    """Everything the receipt shows, in two light queries (the receipt with
    its payment, customer, collector, plant and company as values; the
    allocations)."""
    row = Receipt.objects.filter(pk=receipt.pk).values(*FIELDS).get()
    agent = " ".join(
        part
        for part in (
            row["payment__collected_by__first_name"],
            row["payment__collected_by__last_name"],
        )
        if part
    )
    agent = agent or row["payment__collected_by__username"] or ""
    allocations = PaymentAllocation.objects.filter(
        payment_id=row["payment_id"]
    ).order_by("pk")
    return ReceiptDoc(
        number=row["number"],
        token=row["token"],
        verify_url=verify_url(row["token"]),
        qr_mask=row["qr_mask"],
        company=row["company__name"],
        helpline=row["company__helpline"],
        plant_key=row["plant__state__code"] + row["plant__code"],
        plant_name=row["plant__name"],
        paid_at=row["payment__created_at"].astimezone(ZoneInfo(row["plant__timezone"])),
        customer_id=row["payment__customer__customer_id"],
        customer_name=row["payment__customer__name"],
        amount=row["payment__amount"],
        currency=row["payment__currency"],
        channel=row["payment__channel"],
        provider_ref=row["payment__provider_ref"],
        agent=agent,
        status=row["payment__status"],
        services=tuple(
            (s, Decimal(a)) for s, a in allocations.values_list("service", "amount")
        ),
        outstanding=tuple((s, Decimal(a)) for s, a in row["outstanding"].items()),
        outstanding_total=row["outstanding_total"],
    )
