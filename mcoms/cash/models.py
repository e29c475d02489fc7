"""Bank deposits of collected cash and the limit on cash in hand.

An agent's cash in hand is the balance of their ledger account
``STF:<username>:CASH`` (cash payments debit it). A deposit they register
credits it and debits the company's deposits in transit; head office then
verifies the deposit (the money moves to the company's bank account) or
rejects it (the registration's journal is reversed: the cash is back in the
agent's hands). Each step is one balanced journal, keyed by the deposit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mcoms.ledger.models import Journal
from mcoms.org.models import Company, Plant

SLIP_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def slip_upload_to(instance: BankDeposit, filename: str) -> str:
    """``deposits/<company id>/<plant key>/<random>.<ext>``: never the
    uploader's file name; the extension from the checked content type."""
    ext = SLIP_EXTENSIONS[instance.slip_type]
    folder = f"deposits/{instance.company_id}/{instance.plant.key}"
    return f"{folder}/{uuid.uuid4().hex}.{ext}"


class DepositStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    VERIFIED = "verified", _("Received")
    REJECTED = "rejected", _("Rejected")


class BankDeposit(models.Model):
    uid = models.UUIDField(_("deposit"), default=uuid.uuid4, unique=True)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="+")
    # The agent whose cash in hand went to the bank (who registered it).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    deposited_on = models.DateField(_("deposited on"))
    bank = models.CharField(_("bank and branch"), max_length=80)
    reference = models.CharField(_("slip number"), max_length=40, blank=True)
    slip = models.FileField(_("deposit slip"), upload_to=slip_upload_to, max_length=200)
    slip_type = models.CharField(_("slip type"), max_length=40)
    slip_size = models.PositiveIntegerField(_("slip size"))
    slip_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DepositStatus.choices,
        default=DepositStatus.REGISTERED,
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    client_key = models.CharField(_("client key"), max_length=120)
    journal = models.OneToOneField(
        Journal, on_delete=models.PROTECT, related_name="bank_deposit"
    )
    # Head office's answer: the amount the bank statement shows, or why not.
    received_amount = models.DecimalField(
        _("received"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("verified or rejected"), null=True, blank=True)
    settle_note = models.CharField(_("note"), max_length=200, blank=True)
    settle_journal = models.OneToOneField(
        Journal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_deposit_settled",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-registered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "client_key"], name="deposit_client_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="deposit_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(received_amount__isnull=True) | Q(received_amount__gte=0),
                name="deposit_received_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(client_key=""), name="deposit_client_key_not_blank"
            ),
        ]
        indexes = [
            models.Index(fields=["plant", "registered_at"]),
            models.Index(fields=["agent", "registered_at"]),
            models.Index(fields=["company", "status", "registered_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.plant_id} {self.amount} {self.status}"

    @property
    def mismatch(self) -> bool:
        """Verified with another amount than the one registered."""
        return (
            self.status == DepositStatus.VERIFIED
            and self.received_amount is not None
            and self.received_amount != self.amount
        )


class CashLimit(models.Model):
    """The most cash an agent may hold (manual 2.4.3: "a limit on the
    permissible cash in-hand"): the company's, or a plant's own."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(
        Plant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("limit"), max_digits=14, decimal_places=2)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(plant__isnull=True),
                name="cash_limit_company_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "plant"],
                condition=Q(plant__isnull=False),
                name="cash_limit_plant_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="cash_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plant_id or self.company_id} {self.amount}"
