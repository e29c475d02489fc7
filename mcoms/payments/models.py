"""Payments (cash, UPI, M-Pesa, card, wallet), where each goes (allocations),
the raw provider callbacks, card/UPI checkout sessions and reversals.

Every payment is a balanced journal (``journal``); a retried payment writes
nothing new: the field app's client-made id (``client_key``), the API's
``Idempotency-Key`` (``idempotency_key``) and a provider's transaction id
(``provider`` + ``provider_ref``) are each unique, in the database.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mcoms.customers.models import Customer
from mcoms.ledger.models import Journal, Service
from mcoms.org.models import Company, Plant

PAYABLE_SERVICES = [
    (Service.ENERGY.value, Service.ENERGY.label),
    (Service.ACTIVATION.value, Service.ACTIVATION.label),
    (Service.WATER.value, Service.WATER.label),
    (Service.APPLIANCE.value, Service.APPLIANCE.label),
    (Service.DEPOSIT.value, _("Security deposit due")),
    (Service.OTHER.value, Service.OTHER.label),
]


def _money(label: str, **kw: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(_(label), max_digits=14, decimal_places=2, **kw)  # type: ignore[arg-type]


class Channel(models.TextChoices):
    CASH = "cash", _("Cash (point of sale)")
    UPI = "upi", _("UPI")
    MPESA = "mpesa", _("M-Pesa")
    CARD = "card", _("Card")
    WALLET = "wallet", _("Mobile wallet")


# Channels a gateway's hosted page takes; how a person settles a conflict.
HOSTED_CHANNELS = [
    (Channel.CARD.value, Channel.CARD.label),
    (Channel.UPI.value, Channel.UPI.label),
    (Channel.WALLET.value, Channel.WALLET.label),
]
SETTLE_ACTIONS = [("apply", _("Apply to a customer")), ("dismiss", _("Dismiss"))]


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    uid = models.UUIDField(
        _("payment"), default=uuid.uuid4, unique=True, editable=False
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="payments"
    )
    amount = _money("amount")
    currency = models.CharField(_("currency"), max_length=3)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The service the payer named; empty: the oldest charges first.
    service = models.CharField(
        _("service named"), max_length=5, choices=PAYABLE_SERVICES, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PaymentStatus.choices,
        default=PaymentStatus.POSTED,
    )
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=100, blank=True)
    payer = models.CharField(_("payer"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    client_key = models.CharField(_("client key"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, blank=True)
    journal = models.OneToOneField(
        Journal, on_delete=models.PROTECT, related_name="payment"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "client_key"],
                condition=~Q(client_key=""),
                name="payment_client_key_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payment_idempotency_key_unique",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="payment_provider_ref_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "created_at"]),
            models.Index(fields=["plant", "created_at"]),
            models.Index(fields=["collected_by", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.amount} {self.channel}"


class PaymentAllocation(models.Model):
    """The part of a payment credited to one service's receivable."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="allocations"
    )
    service = models.CharField(_("service"), max_length=5, choices=PAYABLE_SERVICES)
    amount = _money("amount")

    class Meta:
        ordering = ["payment_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "service"], name="allocation_once_per_service"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="allocation_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.amount}"


class ReversalKind(models.TextChoices):
    REVERSAL = "reversal", _("Reversal")
    REFUND = "refund", _("Refund")


class PaymentReversal(models.Model):
    """A payment undone (recorded by mistake) or refunded to the payer: the
    mirror journal of the payment's journal; at most one per payment."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="reversal"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReversalKind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    journal = models.OneToOneField(
        Journal, on_delete=models.PROTECT, related_name="payment_reversal"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.payment_id}"


class EventState(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    REFUSED = "refused", _("Refused")
    CONFLICT = "conflict", _("Conflict")


class Settlement(models.TextChoices):
    APPLIED = "applied", _("Applied to a customer")
    DISMISSED = "dismissed", _("Dismissed")


class ProviderEvent(models.Model):
    """One callback from a payment provider, stored raw before it is processed.

    A callback whose signature does not verify is kept as ``refused``; one whose
    amount, currency or reference does not match waits as ``conflict`` for a
    person to settle (apply it to a customer or dismiss it)."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider = models.CharField(_("provider"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, default="webhook")
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    headers = models.JSONField(_("headers"), default=dict)
    body = models.BinaryField(_("raw body"))
    signature_ok = models.BooleanField(_("signature verified"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=EventState.choices, default="received"
    )
    error_code = models.CharField(_("error code"), max_length=60, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    # What the callback says, once parsed (blank when it could not be).
    event_ref = models.CharField(_("provider reference"), max_length=100, blank=True)
    amount = _money("amount", null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, blank=True
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    settlement = models.CharField(
        _("settlement"), max_length=10, choices=Settlement.choices, blank=True
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    settle_note = models.CharField(_("settlement note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "state", "received_at"]),
            models.Index(fields=["provider", "event_ref"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_ref or self.pk} {self.state}"


class SessionState(models.TextChoices):
    CREATED = "created", _("Waiting for the payer")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class CheckoutSession(models.Model):
    """A card or UPI payment on a gateway's hosted page: MCOMS creates an order
    at the gateway and sends the payer there; no card data reaches MCOMS. The
    gateway's signed callback makes the payment."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="checkout_sessions"
    )
    amount = _money("amount")
    currency = models.CharField(_("currency"), max_length=3)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    service = models.CharField(
        _("service named"), max_length=5, choices=PAYABLE_SERVICES, blank=True
    )
    provider = models.CharField(_("provider"), max_length=20)
    order_ref = models.CharField(_("gateway order"), max_length=100)
    checkout_url = models.URLField(_("hosted page"), max_length=500)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SessionState.choices,
        default=SessionState.CREATED,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkout_session",
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="checkout_idempotency_key_unique",
            ),
            models.UniqueConstraint(
                fields=["provider", "order_ref"], name="checkout_order_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="checkout_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.order_ref}"
