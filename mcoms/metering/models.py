"""Meters and load limiters: the stock a plant holds and which connection each
one serves. Readings, control and billing come with the metering issue."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mcoms.org.models import Company, Plant


class MeterKind(models.TextChoices):
    CONVENTIONAL = "conventional", _("Conventional meter")
    SMART = "smart", _("Smart meter")
    LOAD_LIMITER = "load_limiter", _("Load limiter")


class MeterLocation(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    PLANT = "plant", _("Plant stock")
    INSTALLED = "installed", _("Installed")


class MeterState(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ASSIGNED = "assigned", _("Assigned")
    FAULTY = "faulty", _("Faulty")
    RETIRED = "retired", _("Retired")


class Meter(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    # The plant whose stock holds it or where it is installed; empty while it
    # sits in the company warehouse.
    plant = models.ForeignKey(
        Plant, null=True, blank=True, on_delete=models.PROTECT, related_name="meters"
    )
    serial = models.CharField(_("serial"), max_length=40)
    kind = models.CharField(_("kind"), max_length=14, choices=MeterKind.choices)
    driver = models.CharField(_("driver"), max_length=30, default="manual")
    digit_capacity = models.PositiveSmallIntegerField(
        _("digits"), default=6, validators=[MinValueValidator(3), MaxValueValidator(9)]
    )
    location = models.CharField(
        _("location"),
        max_length=10,
        choices=MeterLocation.choices,
        default=MeterLocation.WAREHOUSE,
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=MeterState.choices,
        default=MeterState.AVAILABLE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "serial"], name="meter_serial_unique"
            ),
            models.CheckConstraint(
                condition=~Q(location="plant") | Q(plant__isnull=False),
                name="meter_plant_stock_has_plant",
            ),
        ]
        indexes = [models.Index(fields=["plant", "state"])]

    def __str__(self) -> str:
        return self.serial


class MeterAssignment(models.Model):
    """A meter serving a connection from ``installed_at`` until ``removed_at``."""

    meter = models.ForeignKey(
        Meter, on_delete=models.PROTECT, related_name="assignments"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="meter_assignments"
    )
    assigned_at = models.DateTimeField(_("assigned"))
    installed_at = models.DateTimeField(_("installed"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    initial_reading = models.DecimalField(
        _("first reading (kWh)"), max_digits=12, decimal_places=3, default=0
    )
    by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assigned_at"]
        constraints = [
            # A meter serves one connection at a time.
            models.UniqueConstraint(
                fields=["meter"],
                condition=Q(removed_at__isnull=True),
                name="meter_assigned_once",
            ),
        ]
        indexes = [models.Index(fields=["customer", "removed_at"])]

    def __str__(self) -> str:
        return f"{self.meter} -> {self.customer_id}"
