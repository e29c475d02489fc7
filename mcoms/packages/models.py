"""Packages: what a plant offers (load, timing, tariff), and the code tables
(package types, timing codes) that head office edits."""

from __future__ import annotations

import uuid

from django.conf import settings
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
    """A type code such as ``A1.1`` and the billing type it stands for.
    ``company`` empty: a default every company may use (a company's own code of
    the same name wins, see ``services._lookup``)."""

    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(
        _("code"),
        max_length=10,
        validators=[RegexValidator(ids.TYPE_CODE, _("Capitals, digits, dots."))],
    )
    label = models.CharField(_("label"), max_length=80)
    billing_type = models.CharField(
        _("billing type"), max_length=20, choices=BillingType.choices
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="package_type_code_unique"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(company__isnull=True),
                name="package_type_default_unique",
                violation_error_code="duplicate",
                violation_error_message=_("This code is already used."),
            ),
        ]

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
                violation_error_code="duplicate",
                violation_error_message=_("This code is already used."),
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
                violation_error_code="duplicate",
            ),
            models.CheckConstraint(condition=Q(load_w__gt=0), name="package_load_pos"),
            models.CheckConstraint(condition=Q(version__gte=1), name="package_ver_pos"),
        ]
        indexes = [models.Index(fields=["plant", "active"])]

    def __str__(self) -> str:
        return f"{self.package_id} v{self.version}"


class WriteAction(models.TextChoices):
    PACKAGE_CREATE = "package_create", _("Package created")
    PACKAGE_REVISE = "package_revise", _("Package revised")
    PACKAGE_WITHDRAW = "package_withdraw", _("Package withdrawn")
    PACKAGE_OFFER = "package_offer", _("Package offered")
    TYPE_CREATE = "type_create", _("Package type created")
    TIMING_CREATE = "timing_create", _("Timing code created")


class WriteKey(models.Model):
    """The idempotency key of one package or code-table write (the API's
    ``Idempotency-Key`` header, the back office's form token): a retry with the
    same key returns the first result and writes nothing. Unique per company."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=120)
    action = models.CharField(max_length=20, choices=WriteAction.choices)
    package = models.ForeignKey(
        Package, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    package_type = models.ForeignKey(
        PackageType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    timing = models.ForeignKey(
        TimingCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "key"], name="package_write_key_unique"
            ),
            models.CheckConstraint(condition=~Q(key=""), name="package_write_key_set"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.key}"


class ImportState(models.TextChoices):
    CHECKED = "checked", _("Checked, not imported")
    COMMITTED = "committed", _("Imported")


class ImportBatch(models.Model):
    """One CSV import of packages and customers (docs/import.md): the files as
    uploaded (kept between the dry run and the confirmation), the report of the
    last check, and who imported it when. A file, once imported, cannot be
    imported again by the same company (the unique constraints on its hash).

    It lives in ``packages`` because the customers app's models belong to
    another part of the work; ``mcoms/customers/imports.py`` does the import."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)
    packages_name = models.CharField(max_length=200, blank=True)
    packages_csv = models.TextField(blank=True)
    packages_sha256 = models.CharField(max_length=64, blank=True)
    customers_name = models.CharField(max_length=200, blank=True)
    customers_csv = models.TextField(blank=True)
    customers_sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.CHECKED
    )
    report = models.JSONField(default=dict)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                name="import_batch_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "packages_sha256"],
                condition=Q(state="committed") & ~Q(packages_sha256=""),
                name="import_packages_file_once",
            ),
            models.UniqueConstraint(
                fields=["company", "customers_sha256"],
                condition=Q(state="committed") & ~Q(customers_sha256=""),
                name="import_customers_file_once",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["checked", "committed"]),
                name="import_batch_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.token}"
