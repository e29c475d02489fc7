"""Customers: one row per connection (a mobile number may hold several)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from mcoms.org.models import Company, Language, Plant, Pole


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    BANNED = "banned", _("Banned")


class Customer(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="customers")
    pole = models.ForeignKey(Pole, on_delete=models.PROTECT, related_name="customers")
    connection_no = models.PositiveSmallIntegerField(
        _("connection number"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    customer_id = models.CharField(_("customer ID"), max_length=11)
    name = models.CharField(_("name"), max_length=120)
    phone = PhoneNumberField(_("mobile number"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.HINDI
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CustomerStatus.choices,
        default=CustomerStatus.ACTIVE,
    )
    status_reason = models.CharField(_("status reason"), max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer_accounts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "customer_id"], name="customer_id_unique"
            ),
            models.UniqueConstraint(
                fields=["pole", "connection_no"], name="customer_connection_unique"
            ),
            models.CheckConstraint(
                condition=Q(connection_no__gte=1, connection_no__lte=99),
                name="customer_connection_range",
            ),
        ]
        indexes = [
            models.Index(fields=["phone"]),
            models.Index(fields=["plant", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.name}"
