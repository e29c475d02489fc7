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


class SwitchState(models.TextChoices):
    ON = "on", _("On")
    OFF = "off", _("Off")
    AUTO = "auto", _("Auto")


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
    # Control (smart meters and load limiters): the last acknowledged switch
    # state, load limit and timing schedule, and the OpenPAYGO device settings.
    switch_state = models.CharField(
        _("switch"), max_length=4, choices=SwitchState.choices, default="auto"
    )
    load_limit_w = models.PositiveIntegerField(
        _("load limit (W)"), null=True, blank=True
    )
    schedule = models.JSONField(_("timing schedule"), default=list, blank=True)
    payg_secret = models.CharField(_("OpenPAYGO key"), max_length=32, blank=True)
    payg_starting_code = models.PositiveIntegerField(
        _("OpenPAYGO starting code"), null=True, blank=True
    )
    payg_count = models.PositiveIntegerField(_("OpenPAYGO token counter"), default=0)
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


# --- readings -------------------------------------------------------------------
class ReadingSource(models.TextChoices):
    INSTALL = "install", _("First reading at installation")
    MANUAL = "manual", _("Manual reading")
    SMART = "smart", _("Smart meter")
    REMOVAL = "removal", _("Final reading at removal")


class ReadingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Reading(models.Model):
    """A register reading of one meter at one moment (kWh on the counter).

    ``units`` is the energy since the previous approved reading of the same
    meter: the difference, or across a declared rollover the difference plus
    10 ** digit_capacity. The first reading of an installation has ``units``
    empty. Manual readings wait for an in-charge's review; billing uses only
    approved ones. Smart meters' register readings are derived from their
    interval data (``IntervalReading``)."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="readings")
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="readings",
    )
    assignment = models.ForeignKey(
        MeterAssignment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="readings",
    )
    package = models.ForeignKey(
        "packages.Package",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("taken at"))
    value = models.DecimalField(_("reading (kWh)"), max_digits=12, decimal_places=3)
    units = models.DecimalField(
        _("units since last reading (kWh)"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
    )
    source = models.CharField(_("source"), max_length=8, choices=ReadingSource.choices)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ReadingStatus.choices,
        default=ReadingStatus.PENDING,
    )
    rollover = models.BooleanField(_("counter rolled over"), default=False)
    replacement = models.BooleanField(_("meter replaced"), default=False)
    # A smart meter's counter went below the previous value (not a rollover):
    # the energy is counted from zero (docs/decisions/0052).
    counter_reset = models.BooleanField(_("counter reset"), default=False)
    # Smart meters: 15-minute intervals of the day that never arrived.
    missing_intervals = models.PositiveIntegerField(_("missing intervals"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reject_reason = models.CharField(_("rejection reason"), max_length=200, blank=True)
    # A client-made key (the field app's UUID): a retried submission returns
    # the first reading.
    client_key = models.CharField(max_length=64, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meter_id", "-taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "taken_at"], name="reading_meter_time_unique"
            ),
            models.UniqueConstraint(
                fields=["client_key"],
                condition=Q(client_key__isnull=False),
                name="reading_client_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="reading_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(units__isnull=True) | Q(units__gte=0),
                name="reading_units_not_negative",
            ),
            # One reading of a meter waits for review at a time: its units are
            # judged against the previous approved one.
            models.UniqueConstraint(
                fields=["meter"],
                condition=Q(status="pending"),
                name="reading_one_pending_per_meter",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "taken_at"]),
            models.Index(fields=["meter", "status", "taken_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id}@{self.taken_at:%Y-%m-%d}: {self.value}"


class IntervalReading(models.Model):
    """A smart meter's energy counter (kWh) at the end of one interval
    (15 minutes by default). A narrow, append-mostly table written in bulk by
    the ingestion path (docs/decisions/0054): the key is (meter, at) itself
    (idempotency and the one index), and its references carry no database
    constraint or index of their own; the ingestion path resolves meters under
    a row lock and makes the batch in the same transaction, and neither
    meters nor batches are ever deleted."""

    pk = models.CompositePrimaryKey("meter", "at")
    meter = models.ForeignKey(
        Meter,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    at = models.DateTimeField(_("interval end"))
    kwh = models.DecimalField(_("counter (kWh)"), max_digits=12, decimal_places=3)
    batch = models.ForeignKey(
        "metering.ReadingBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["meter_id", "at"]

    def __str__(self) -> str:
        return f"{self.meter_id}@{self.at:%Y-%m-%d %H:%M}: {self.kwh}"


class BatchSource(models.TextChoices):
    API = "api", _("Batch API")
    CSV = "csv", _("CSV import")
    DRIVER = "driver", _("Meter driver")


class ReadingBatch(models.Model):
    """One delivery of interval readings and what became of it: stored rows,
    duplicates of rows already held, refused rows, and the gaps and counter
    resets found. ``report`` lists each issue (row, meter, time, code)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=6, choices=BatchSource.choices)
    key = models.CharField(_("idempotency key"), max_length=100)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received = models.PositiveIntegerField(_("rows received"), default=0)
    stored = models.PositiveIntegerField(_("rows stored"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rows refused"), default=0)
    gaps = models.PositiveIntegerField(_("gaps"), default=0)
    resets = models.PositiveIntegerField(_("counter resets"), default=0)
    report = models.JSONField(_("report"), default=list, blank=True)
    # SHA-256 of the rows: the same key with other rows is refused.
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "key"], name="reading_batch_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key}"


class ReadingWindow(models.Model):
    """The day of the month from which manual meter readings are due (manual
    3.8.6: "only available after the 24th"): a company-wide row (no plant)
    and optional per-plant rows that override it; 24 without any row."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(
        Plant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opens_on_day = models.PositiveSmallIntegerField(
        _("readings due from day"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(plant__isnull=True),
                name="reading_window_company_once",
            ),
            models.UniqueConstraint(
                fields=["plant"],
                condition=Q(plant__isnull=False),
                name="reading_window_plant_once",
            ),
            models.CheckConstraint(
                condition=Q(opens_on_day__gte=1) & Q(opens_on_day__lte=28),
                name="reading_window_day_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plant_id or self.company_id}: {self.opens_on_day}"


# --- control ----------------------------------------------------------------------
class CommandAction(models.TextChoices):
    ON = "on", _("Switch on")
    OFF = "off", _("Switch off")
    AUTO = "auto", _("Automatic")
    RESET = "reset", _("Reset to defaults")
    SET_LIMIT = "set_limit", _("Set load limit")
    SET_SCHEDULE = "set_schedule", _("Set timing schedule")
    TOKEN = "token", _("Send token")


class CommandTarget(models.TextChoices):
    METER = "meter", _("One meter")
    FEEDER = "feeder", _("A feeder")
    PLANT = "plant", _("The whole plant")


class CommandState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    FAILED = "failed", _("Failed")


class MeterCommand(models.Model):
    """A command to a meter through its driver, or to every meter of a feeder
    or plant (then ``parent`` of one child command per meter). The state moves
    queued -> sent -> acknowledged, or to failed after the last retry; each
    move is a ``CommandEvent`` (the audit trail)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="+")
    feeder = models.ForeignKey(
        "org.Feeder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meter = models.ForeignKey(
        Meter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commands",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    target = models.CharField(_("target"), max_length=6, choices=CommandTarget.choices)
    action = models.CharField(_("action"), max_length=12, choices=CommandAction.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=120, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=CommandState.choices,
        default=CommandState.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "key"],
                condition=Q(key__isnull=False),
                name="meter_command_key_unique",
            ),
            models.CheckConstraint(
                condition=~Q(target="meter") | Q(meter__isnull=False),
                name="meter_command_meter_has_meter",
            ),
            models.CheckConstraint(
                condition=~Q(target="feeder") | Q(feeder__isnull=False),
                name="meter_command_feeder_has_feeder",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["meter", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} -> {self.target} ({self.state})"


class CommandEvent(models.Model):
    command = models.ForeignKey(
        MeterCommand, on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=12, choices=CommandState.choices)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["command_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.command_id}: {self.state}"


class TokenIssue(models.Model):
    """An OpenPAYGO token made for a load limiter or PAYG device, once per
    payment: unique (meter, payment_ref). ``count`` is the device's token
    counter used for this token; the meter's ``payg_count`` is advanced in the
    same transaction."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="tokens")
    payment_ref = models.CharField(_("payment"), max_length=100)
    count = models.PositiveIntegerField(_("token counter"))
    token = models.CharField(_("token"), max_length=20)
    days = models.DecimalField(_("days"), max_digits=8, decimal_places=2, default=0)
    mode = models.CharField(_("mode"), max_length=12, default="add_time")
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "payment_ref"], name="token_once_per_payment"
            ),
            models.UniqueConstraint(
                fields=["meter", "count"], name="token_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id}#{self.count}"
