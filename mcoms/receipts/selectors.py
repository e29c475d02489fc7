"""Reads of receipts, always through the user's scope: staff with
``payment.view`` see the receipts of plants in their scope, a customer those
of their own accounts; anything else is 404 (403 for a designation without
the action). ``receipt_verify`` answers the public verification page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from mcoms.customers.models import Customer
from mcoms.org import access
from mcoms.org.models import User
from mcoms.org.permissions import Action
from mcoms.payments.models import Payment, PaymentAllocation, PaymentStatus
from mcoms.receipts.models import Receipt
from mcoms.receipts.tokens import Signed, token_payment_id, token_valid

RELATED = ("payment__customer", "payment__collected_by", "plant__state", "company")


def _is_customer(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == User.Kind.CUSTOMER


def receipts_for(user: Any, action: Action = Action.PAYMENT_VIEW) -> QuerySet[Receipt]:
    qs = Receipt.objects.select_related(*RELATED)
    if _is_customer(user):
        if action != Action.PAYMENT_VIEW:
            raise PermissionDenied("Customers can only view their receipts.")
        return qs.filter(payment__customer__user=user)
    staff = access.require(user, action)
    return qs.filter(access.plant_q(staff, "plant__"), company_id=staff.company_id)


def get_receipt_for_user(
    user: Any, number: str, action: Action = Action.PAYMENT_VIEW
) -> Receipt:
    """One receipt by its number (``R-BHKATS-2026-000123``), or 404."""
    receipt = receipts_for(user, action).filter(number=number.strip().upper()).first()
    if receipt is None:
        raise Http404(f"No receipt {number} in your scope.")
    return receipt


def get_customer_receipt(customer: Customer, number: str) -> Receipt:
    """A receipt of this customer (already checked with get_customer_for_user)."""
    receipt = (
        Receipt.objects.select_related(*RELATED)
        .filter(payment__customer=customer, number=number.strip().upper())
        .first()
    )
    if receipt is None:
        raise Http404(f"No receipt {number} for {customer.customer_id}.")
    return receipt


def customer_transactions(customer: Customer) -> QuerySet[Payment]:
    """The customer's payments, newest first, each with what it paid for and
    its receipt: the digital record (manual 2.2.5) that the customer app and
    the field app both show."""
    return (
        Payment.objects.filter(customer=customer)
        .select_related("receipt", "collected_by")
        .prefetch_related(
            Prefetch("allocations", queryset=PaymentAllocation.objects.order_by("pk"))
        )
        .order_by("-created_at", "-pk")
    )


# --- the public verification page ---------------------------------------------------
GENUINE, FAKE, UNKNOWN = "genuine", "fake", "unknown"


@dataclass(frozen=True)
class Verification:
    """What the page may say: only a genuine receipt's number, amount, time,
    status and a masked customer; nothing about anything else."""

    state: str  # genuine, fake (a token that does not verify), unknown
    number: str = ""
    amount: Decimal | None = None
    currency: str = ""
    paid_at: datetime | None = None
    company: str = ""
    plant: str = ""
    customer_id: str = ""  # masked
    customer_name: str = ""  # masked
    status: str = ""

    @property
    def genuine(self) -> bool:
        return self.state == GENUINE

    @property
    def undone(self) -> bool:
        return self.genuine and self.status != PaymentStatus.POSTED


def mask_name(name: str) -> str:
    """``Ramesh Kumar`` -> ``R***** K****``: enough to recognise, not to read."""
    return " ".join(w[:1] + "*" * (len(w) - 1) for w in name.split())


def mask_customer_id(customer_id: str) -> str:
    """``BHKATS00101`` -> ``BHKATS***01``: the plant shows, the pole does not."""
    if len(customer_id) < 9:
        return "*" * len(customer_id)
    return customer_id[:6] + "*" * (len(customer_id) - 8) + customer_id[-2:]


def receipt_verify(token: str) -> Verification:
    """Whether ``token`` (from a receipt's QR code) is the signature of a
    stored receipt; a made-up or edited token is ``fake``, a well-signed one
    of no stored receipt ``unknown``."""
    payment_id = token_payment_id(token)
    if payment_id is None:
        return Verification(FAKE)
    receipt = (
        Receipt.objects.select_related(*RELATED).filter(payment_id=payment_id).first()
    )
    if receipt is None:
        return Verification(UNKNOWN)
    payment = receipt.payment
    customer = payment.customer
    signed = Signed(
        payment_id=payment.pk,
        number=receipt.number,
        amount=payment.amount,
        issued_at=receipt.issued_at,
        customer_id=customer.customer_id,
        company_id=receipt.company_id,
    )
    if not token_valid(token, signed):
        return Verification(FAKE)
    return Verification(
        GENUINE,
        number=receipt.number,
        amount=payment.amount,
        currency=payment.currency,
        paid_at=payment.created_at.astimezone(ZoneInfo(receipt.plant.timezone)),
        company=receipt.company.name,
        plant=f"{receipt.plant.key} {receipt.plant.name}",
        customer_id=mask_customer_id(customer.customer_id),
        customer_name=mask_name(customer.name),
        status=payment.status,
    )
