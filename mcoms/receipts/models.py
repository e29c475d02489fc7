"""Receipts: one per payment, numbered without gaps per plant and year, with
a signed token that the public verification page checks (docs/receipts.md).

A receipt is written in the payment's own transaction (``payments.hooks``),
so its number rolls back with the payment and no number is ever skipped. A
reversed or refunded payment keeps its receipt and number; the documents
then say so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mcoms.notifications.models import Message
from mcoms.org.models import Company, Language, Plant
from mcoms.payments.models import Payment


class ReceiptSequence(models.Model):
    """The last receipt number given per plant and year; locked and advanced
    in the payment's transaction, so a rolled-back payment leaves no gap."""

    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "year"], name="receipt_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plant_id}/{self.year}: {self.last}"


class Receipt(models.Model):
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="receipt"
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="+")
    # ``R-BHKATS-2026-000123``: plant key, year of the payment (plant's
    # calendar), sequence.
    number = models.CharField(_("receipt number"), max_length=30)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default="en"
    )
    # ``<payment id in base 36>.<HMAC>``: the QR code's verification link.
    token = models.CharField(_("verification token"), max_length=40, unique=True)
    # The QR code's mask (0-7), chosen once at issue (``qr.qr_mask_for``).
    qr_mask = models.PositiveSmallIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    # What the customer still owed per service right after the payment
    # (``{"CHG": "179.50"}``), and its total: the receipt keeps the moment.
    outstanding = models.JSONField(_("outstanding after"), default=dict)
    outstanding_total = models.DecimalField(
        _("total outstanding after"), max_digits=14, decimal_places=2
    )

    class Meta:
        ordering = ["plant_id", "year", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "year", "seq"], name="receipt_seq_unique"
            ),
            models.UniqueConstraint(
                fields=["plant", "number"], name="receipt_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["company", "number"])]

    def __str__(self) -> str:
        return self.number


class ReceiptSend(models.Model):
    """A receipt sent by SMS: automatically when it is issued (key ``auto``),
    or again on request with the sender's key (a retry sends nothing new)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="sends")
    key = models.CharField(_("key"), max_length=120)
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    phone = models.CharField(_("mobile number"), max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt", "key"], name="receipt_send_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.key}"
