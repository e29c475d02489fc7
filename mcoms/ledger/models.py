"""Double-entry ledger: accounts, journals and their entries.

Sign convention: an entry's ``amount`` is signed; a debit is positive and a
credit is negative. The entries of a journal sum to exactly zero. Entries are
written once and never updated or deleted; a mistake is corrected by a
reversing journal (``Journal.reverses``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mcoms.org.models import Company, Plant


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")
    EQUITY = "equity", _("Equity")


class Service(models.TextChoices):
    ENERGY = "CHG", _("Energy charges")
    ACTIVATION = "ACT", _("Activation")
    WATER = "WATER", _("Water")
    APPLIANCE = "EMI", _("Appliance instalments")
    DEPOSIT = "DEP", _("Security deposit")
    OTHER = "OTHER", _("Other")


class HolderType(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PLANT = "plant", _("Plant")
    STAFF = "staff", _("Staff")
    COMPANY = "company", _("Company")
    PROVIDER = "provider", _("Payment provider")


class Account(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(
        Plant, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    service = models.CharField(
        _("service"), max_length=5, choices=Service.choices, blank=True
    )
    holder_type = models.CharField(
        _("holder type"), max_length=10, choices=HolderType.choices
    )
    # A business key of the holder (customer ID, plant key, username, provider
    # name); the ledger does not import the holders' apps.
    holder_ref = models.CharField(_("holder"), max_length=64, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="INR")
    # Only a cache of the sum of the entries, updated under a row lock in the
    # transaction that writes the entries; ``ledger_check`` proves it.
    balance = models.DecimalField(
        _("balance"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="ledger_account_code_unique"
            ),
        ]
        indexes = [models.Index(fields=["company", "holder_type", "holder_ref"])]

    def __str__(self) -> str:
        return self.code


class Journal(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    kind = models.CharField(_("kind"), max_length=40)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )

    class Meta:
        ordering = ["posted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                name="ledger_journal_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=~Q(idempotency_key=""), name="ledger_journal_key_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"J{self.pk} {self.kind}"


class Entry(models.Model):
    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries"
    )
    # Debit positive, credit negative.
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        verbose_name_plural = _("entries")
        ordering = ["journal_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="ledger_entry_amount_not_zero"
            ),
        ]
        indexes = [models.Index(fields=["account", "journal"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("Ledger entries are never updated.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Ledger entries are never deleted.")
