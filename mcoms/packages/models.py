"""Packages: what a plant offers (load, timing, tariff), and the code tables
(package types, timing codes) that head office edits."""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mcoms.org.models import Company, Plant
from mcoms.packages import ids


class BillingType(models.TextChoices):
    PREPAID = "prepaid", _("Pre-paid")
    POSTPAID_METERED = "postpaid_metered", _("Post-paid metered")
    POSTPAID_UNMETERED = "postpaid_unmetered", _("Post-paid unmetered")


class DepositRule(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    MULTIPLE = "multiple", _("Multiple of the anticipated monthly bill")


def _money(label: str, **kw: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(_(label), max_digits=14, decimal_places=2, **kw)  # type: ignore[arg-type]


class PackageType(models.Model):
    """A type code such as ``A1.1`` and the billing type it stands for."""

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(ids.TYPE_CODE, _("Capitals, digits, dots."))],
    )
    label = models.CharField(_("label"), max_length=80)
    billing_type = models.CharField(
        _("billing type"), max_length=20, choices=BillingType.choices
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TimingCode(models.Model):
    """A timing code such as ``NN`` naming local-time [start, end) slots.
    ``company`` empty: a default every company may use."""

    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(
        _("code"),
        max_length=4,
        validators=[RegexValidator(ids.TIMING_CODE, _("Two to four capitals."))],
    )
    label = models.CharField(_("label"), max_length=80)
    slots = models.JSONField(_("slots"), default=list)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="timing_code_unique"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(company__isnull=True),
                name="timing_code_default_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Package(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="packages")
    package_type = models.ForeignKey(
        PackageType, on_delete=models.PROTECT, related_name="packages"
    )
    timing = models.ForeignKey(
        TimingCode, on_delete=models.PROTECT, related_name="packages"
    )
    load_w = models.PositiveIntegerField(
        _("maximum load (W)"), validators=[MinValueValidator(1)]
    )
    billing_type = models.CharField(
        _("billing type"), max_length=20, choices=BillingType.choices
    )
    prepaid_amount = _money("pre-paid amount", null=True, blank=True)
    prepaid_period_days = models.PositiveSmallIntegerField(
        _("pre-paid period (days)"), null=True, blank=True
    )
    rate_per_kwh = models.DecimalField(
        _("rate per kWh"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    slabs = models.JSONField(_("slabs"), default=list, blank=True)
    fixed_monthly = _money("fixed monthly charge", null=True, blank=True)
    monthly_amount = _money("monthly amount", null=True, blank=True)
    activation_charge = _money("activation charge", default=0)
    deposit_rule = models.CharField(
        _("deposit rule"), max_length=10, choices=DepositRule.choices
    )
    deposit_amount = _money("deposit amount", null=True, blank=True)
    deposit_multiple = models.DecimalField(
        _("deposit multiple"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    credit_limit = _money("credit limit", default=0)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    active = models.BooleanField(_("offered"), default=True)
    package_id = models.CharField(_("package ID"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plant_id", "package_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "package_id", "version"], name="package_id_unique"
            ),
            models.UniqueConstraint(
                fields=["plant", "package_id"],
                condition=Q(active=True),
                name="package_id_offered_once",
            ),
            models.CheckConstraint(condition=Q(load_w__gt=0), name="package_load_pos"),
            models.CheckConstraint(condition=Q(version__gte=1), name="package_ver_pos"),
        ]
        indexes = [models.Index(fields=["plant", "active"])]

    def __str__(self) -> str:
        return f"{self.package_id} v{self.version}"
