"""Billing: periods per plant, runs over a period, bills with their lines, the
gap-free bill numbers, and the adjustments waiting for the next bill.

* A period is a range of local dates ``[start, end)`` of one plant, in the
  plant's time zone; periods of a plant never overlap (``services``).
* A run bills every billable customer of the period once: one ``Bill`` per
  customer and period (a unique constraint), so a killed run started again
  ends with exactly one bill each.
* A bill's money is one balanced ledger journal (``Bill.journal``); the bill
  keeps the figures it showed (previous balance, payments since, charges by
  service, amount due) and its lines.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mcoms.ledger.models import Journal, Service
from mcoms.org.models import Company, Plant

ZERO = Decimal("0.00")


def _money(label: str, **kw: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(_(label), max_digits=14, decimal_places=2, **kw)  # type: ignore[arg-type]


class BillingPeriod(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(
        Plant, on_delete=models.PROTECT, related_name="billing_periods"
    )
    # Local dates in the plant's time zone; ``end`` is the first day after.
    start = models.DateField(_("first day"))
    end = models.DateField(_("day after the last"))
    due_days = models.PositiveSmallIntegerField(
        _("days to pay after the period"), default=15
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["plant_id", "-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "start"], name="billing_period_start_unique"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="billing_period_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plant_id} {self.start}..{self.end}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.plant.timezone)

    @property
    def start_at(self) -> datetime:
        """The first moment of the period (aware, the plant's midnight)."""
        return datetime.combine(self.start, time.min, tzinfo=self.tz)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=self.tz)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def due_date(self) -> date:
        return date.fromordinal(self.end.toordinal() + self.due_days)

    @property
    def is_month(self) -> bool:
        """A whole calendar month."""
        return self.start.day == 1 and self.end.day == 1 and self.days <= 31

    @property
    def label(self) -> str:
        if self.is_month:
            return self.start.strftime("%m/%Y")
        return f"{self.start:%d/%m/%Y}–{self.last_day:%d/%m/%Y}"


class RunStatus(models.TextChoices):
    STARTED = "started", _("Started")
    DONE = "done", _("Done")


class BillingRun(models.Model):
    """The one run of a period. Started once; a worker bills customers in
    chunks (one transaction each) and records progress; killed, it is started
    again and resumes where the committed chunks end."""

    period = models.OneToOneField(
        BillingPeriod, on_delete=models.PROTECT, related_name="run"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.STARTED
    )
    total = models.PositiveIntegerField(_("customers to bill"), default=0)
    done = models.PositiveIntegerField(_("customers billed"), default=0)
    started_at = models.DateTimeField(_("started"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    # The last time a worker committed a chunk (or resumed the run).
    touched_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("starts"), default=1)
    error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["started", "done"]),
                name="billing_run_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"run of {self.period} ({self.status})"

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.status == RunStatus.DONE else 0
        return min(100, self.done * 100 // self.total)


class BillSequence(models.Model):
    """The last bill number given per plant and year; locked and advanced in
    the transaction that writes the bills, so a rolled-back chunk leaves no gap."""

    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "year"], name="bill_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plant_id}/{self.year}: {self.last}"


class Bill(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(
        BillingPeriod, on_delete=models.PROTECT, related_name="bills"
    )
    run = models.ForeignKey(BillingRun, on_delete=models.PROTECT, related_name="bills")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="bills"
    )
    # ``BHKATS-2026-000123``: plant key, year of the period's start, sequence.
    number = models.CharField(_("bill number"), max_length=30)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence"))
    package = models.ForeignKey(
        "packages.Package",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    billing_type = models.CharField(_("billing type"), max_length=20, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    due_date = models.DateField(_("due date"))
    previous_balance = _money("previous balance", default=ZERO)
    payments = _money("payments and credits since the last bill", default=ZERO)
    new_charges = _money("new charges", default=ZERO)
    amount_due = _money("amount due", default=ZERO)
    # New charges per service code (``{"CHG": "123.45"}``), the sums of the lines.
    charges = models.JSONField(_("charges by service"), default=dict)
    estimated = models.BooleanField(_("estimated"), default=False)
    # Metered: the consumption counted for this period (an actual reading that
    # covers several periods is spread evenly); the basis of later estimates.
    kwh = models.DecimalField(
        _("consumption (kWh)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    journal = models.OneToOneField(
        Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="bill"
    )

    class Meta:
        ordering = ["plant_id", "year", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "period"], name="bill_one_per_customer_period"
            ),
            models.UniqueConstraint(
                fields=["plant", "number"], name="bill_number_unique"
            ),
            models.UniqueConstraint(
                fields=["plant", "year", "seq"], name="bill_seq_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["period", "customer"], name="bill_period_customer"),
            models.Index(fields=["customer", "issued_at"], name="bill_customer_time"),
        ]

    def __str__(self) -> str:
        return self.number


class LineKind(models.TextChoices):
    ENERGY = "energy", _("Energy")
    TRUE_UP = "true_up", _("True-up of an estimate")
    FIXED = "fixed", _("Fixed monthly charge")
    MONTHLY = "monthly", _("Monthly amount")
    PREPAID = "prepaid", _("Pre-paid package")
    ADJUSTMENT = "adjustment", _("Adjustment")
    INSTALMENT = "instalment", _("Instalment")
    WATER = "water", _("Water")
    OTHER = "other", _("Other")


BILLED_SERVICES = [
    (Service.ENERGY.value, Service.ENERGY.label),
    (Service.ACTIVATION.value, Service.ACTIVATION.label),
    (Service.WATER.value, Service.WATER.label),
    (Service.APPLIANCE.value, Service.APPLIANCE.label),
    (Service.OTHER.value, Service.OTHER.label),
]


class BillLine(models.Model):
    """One line of a bill. Energy: ``quantity`` kWh at ``unit_price`` per kWh
    (empty with slabs). Fixed, monthly and pre-paid: ``quantity`` is the share
    of the period billed (1 for all of it) and ``unit_price`` the whole-period
    amount. True-up: the actual kWh less the kWh estimated before."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="lines")
    service = models.CharField(_("service"), max_length=5, choices=BILLED_SERVICES)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal("1.000")
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    amount = _money("amount")
    estimated = models.BooleanField(_("estimated"), default=False)
    # Which line source made it (``extensions``) and its own reference.
    source = models.CharField(_("source"), max_length=40, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    # An estimated energy line: the true-up line that settled it.
    settled_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settles",
    )

    class Meta:
        ordering = ["bill_id", "pk"]
        indexes = [
            models.Index(
                fields=["bill"],
                condition=Q(estimated=True, settled_by__isnull=True),
                name="bill_line_open_estimate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Adjustment(models.Model):
    """A charge (positive) or credit (negative) waiting for the customer's next
    bill; the bill that carries it is set once, in the run's transaction."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="adjustments"
    )
    service = models.CharField(_("service"), max_length=5, choices=BILLED_SERVICES)
    amount = _money("amount")
    description = models.CharField(_("description"), max_length=200)
    idempotency_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bill = models.ForeignKey(
        Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                name="billing_adjustment_key_unique",
            ),
            models.CheckConstraint(
                condition=~Q(amount=0), name="billing_adjustment_not_zero"
            ),
            models.CheckConstraint(
                condition=~Q(idempotency_key=""), name="billing_adjustment_key_set"
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer"],
                condition=Q(bill__isnull=True),
                name="billing_adjustment_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.service} {self.amount}"
