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
    # NEW: the account exists (stage 6 of the acquisition pipeline) but the
    # technician has not yet confirmed the connection (stage 8).
    NEW = "new", _("Awaiting connection")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    BANNED = "banned", _("Banned")


class StatusReason(models.TextChoices):
    """Why a connection is inactive or banned (seed 2.2.3)."""

    NON_PAYMENT = "non_payment", _("Non-payment")
    CUSTOMER_WISH = "customer_wish", _("Customer's wish")
    PLANT_CAPACITY = "plant_capacity", _("Plant capacity")
    OTHER = "other", _("Other")


class Segment(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    SHOP = "shop", _("Shop")
    COMMERCIAL = "commercial", _("Commercial enterprise")
    MICRO_ENTERPRISE = "med", _("Micro-enterprise (MED)")


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
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    segment = models.CharField(
        _("segment"), max_length=12, choices=Segment.choices, default=Segment.HOUSEHOLD
    )
    package = models.ForeignKey(
        "packages.Package",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    # Set by the scheduled credit-limit check (seed 2.2.3): outstanding above
    # the package's credit limit; cleared when the customer is back within it.
    flagged_at = models.DateTimeField(
        _("flagged to de-activate"), null=True, blank=True
    )
    flagged_outstanding = models.DecimalField(
        _("outstanding when flagged"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
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
            models.Index(fields=["plant", "flagged_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.name}"
