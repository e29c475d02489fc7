"""Manual meter readings (manual 3.8.6, 3.8.7): record, approve, reject; and
the reading window (the day of the month from which readings are due).

A reading is judged against the meter's *baseline*: its latest approved
reading since the current installation, or else the first reading recorded at
installation. A reading below the baseline is refused unless the agent
declares a rollover (the register passed 10 ** digits: units = value +
10 ** digits - previous) or a meter replacement (the register started again
from zero: units = value). A reading waits for an in-charge's review; approval
computes the units again against the baseline of that moment. One reading of a
meter waits at a time (a unique constraint). The client's key (the field app's
UUID, the API's Idempotency-Key) makes a retried submission return the first
reading. Permission and scope checks are the interfaces' (``reading.enter``,
``reading.review``); the services judge the reading itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.money import KWH, quantize
from mcoms.core.services import validated_save
from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    MeterKind,
    Reading,
    ReadingSource,
    ReadingStatus,
    ReadingWindow,
)
from mcoms.org.models import Company, Plant

DEFAULT_DAY = 24
FUTURE_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead
MAX_VALUE = Decimal(10) ** 9
REASON_MAX = 200


# --- the reading window ------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """This month's reading window of a plant: from ``opens`` (day ``day`` of
    the month, 00:00 at the plant) to ``closes`` (the next month's first)."""

    day: int
    opens: datetime
    closes: datetime
    now: datetime

    @property
    def is_open(self) -> bool:
        return self.opens <= self.now < self.closes


def window_day(plant: Plant) -> int:
    """The plant's own day, else its company's, else 24."""
    days: dict[int | None, int] = dict(
        ReadingWindow.objects.filter(company_id=plant.company_id)
        .filter(Q(plant=plant) | Q(plant__isnull=True))
        .values_list("plant_id", "opens_on_day")
    )
    return days.get(plant.pk) or days.get(None) or DEFAULT_DAY


def company_window_day(company: Company) -> int:
    """The company-wide day (24 unless set)."""
    row = ReadingWindow.objects.filter(company=company, plant__isnull=True).first()
    return row.opens_on_day if row else DEFAULT_DAY


def _month_start(day: date) -> date:
    return day.replace(day=1)


def reading_window(plant: Plant, at: datetime | None = None) -> Window:
    now = at or timezone.now()
    zone = ZoneInfo(plant.timezone)
    today = now.astimezone(zone).date()
    first = _month_start(today)
    following = _month_start(first + timedelta(days=32))
    day = window_day(plant)
    return Window(
        day=day,
        opens=datetime.combine(first.replace(day=day), time(0), zone),
        closes=datetime.combine(following, time(0), zone),
        now=now,
    )


@transaction.atomic
def reading_window_set(
    *, company: Company, plant: Plant | None = None, day: int, by: Any
) -> ReadingWindow:
    """Set the day of the month (1 to 28) from which readings are due, for the
    company or for one plant."""
    if plant is not None and plant.company_id != company.pk:
        raise ValidationFailed(
            "plant_other_company", "The plant belongs to another company."
        )
    if not isinstance(day, int) or not 1 <= day <= 28:
        raise ValidationFailed(
            "reading_day_invalid", "The day is 1 to 28.", field="opens_on_day"
        )
    row = (
        ReadingWindow.objects.select_for_update()
        .filter(company=company, plant=plant)
        .first()
    ) or ReadingWindow(company=company, plant=plant)
    row.opens_on_day = day
    return validated_save(row, by=by, reason="reading window")


# --- checking a reading -------------------------------------------------------------
@dataclass(frozen=True)
class Baseline:
    """What a new reading is compared with: the latest approved reading since
    the installation (``reading``), else the installation's first reading."""

    value: Decimal
    taken_at: datetime
    reading: Reading | None


@dataclass(frozen=True)
class Checked:
    """A reading that passed every check, with the units it implies."""

    meter: Meter
    assignment: MeterAssignment
    value: Decimal
    taken_at: datetime
    baseline: Baseline
    units: Decimal
    rollover: bool
    replacement: bool


def parse_value(raw: Any, *, field: str = "value") -> Decimal:
    """A register value in kWh: a number, not negative, at most 3 decimals."""
    text = str(raw if raw is not None else "").strip()
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            "reading_not_a_number", f"{text[:20]!r} is not a reading.", field=field
        ) from exc
    if not value.is_finite():
        raise ValidationFailed(
            "reading_not_a_number", "A reading is a finite number.", field=field
        )
    if value < 0:
        raise ValidationFailed(
            "reading_negative", "A reading cannot be negative.", field=field
        )
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        raise ValidationFailed(
            "reading_too_precise", "At most 3 decimal places (Wh).", field=field
        )
    if value >= MAX_VALUE:
        raise ValidationFailed("reading_too_large", "Too large.", field=field)
    return quantize(value, KWH)


def installed_assignment(meter: Meter) -> MeterAssignment:
    assignment = (
        MeterAssignment.objects.select_related("customer")
        .filter(meter=meter, removed_at__isnull=True, installed_at__isnull=False)
        .first()
    )
    if assignment is None:
        raise ValidationFailed(
            "meter_not_installed",
            f"Meter {meter.serial} is not installed at a connection.",
            field="meter",
        )
    return assignment


def baseline_for(
    meter: Meter, assignment: MeterAssignment, before: datetime | None = None
) -> Baseline:
    qs = Reading.objects.filter(
        meter=meter,
        status=ReadingStatus.APPROVED,
        taken_at__gte=assignment.installed_at,
    )
    if before is not None:
        qs = qs.filter(taken_at__lt=before)
    last = qs.order_by("-taken_at").first()
    if last is not None:
        return Baseline(last.value, last.taken_at, last)
    assert assignment.installed_at is not None  # noqa: S101 (installed_assignment)
    return Baseline(assignment.initial_reading, assignment.installed_at, None)


def _units(
    meter: Meter, value: Decimal, base: Baseline, rollover: bool, replacement: bool
) -> Decimal:
    if rollover and replacement:
        raise ValidationFailed(
            "reading_flags_conflict",
            "Declare a rollover or a meter replacement, not both.",
            field="rollover",
        )
    top = Decimal(10) ** meter.digit_capacity
    if value >= top:
        raise ValidationFailed(
            "reading_too_many_digits",
            f"Meter {meter.serial} shows at most {meter.digit_capacity} digits.",
            field="value",
        )
    if replacement:
        return value
    if rollover:
        if value >= base.value:
            raise ValidationFailed(
                "reading_rollover_not_below",
                "A rollover is declared but the reading is not below the "
                f"previous one ({base.value}).",
                field="rollover",
            )
        return value + top - base.value
    if value < base.value:
        raise ValidationFailed(
            "reading_below_previous",
            f"The reading is below the previous one ({base.value} kWh). "
            "Declare a rollover or a meter replacement if there was one.",
            field="value",
        )
    return value - base.value


def _check_time(
    assignment: MeterAssignment, taken_at: datetime, base: Baseline, now: datetime
) -> None:
    if taken_at > now + FUTURE_SKEW:
        raise ValidationFailed(
            "reading_in_future", "A reading cannot be in the future.", field="taken_at"
        )
    assert assignment.installed_at is not None  # noqa: S101
    if taken_at < assignment.installed_at:
        raise ValidationFailed(
            "reading_before_installation",
            "The reading is dated before the meter was installed.",
            field="taken_at",
        )
    if base.reading is not None and taken_at <= base.taken_at:
        raise ValidationFailed(
            "reading_before_previous",
            "The reading is dated before the previous approved one.",
            field="taken_at",
        )


def reading_check(
    *,
    meter: Meter,
    value: Any,
    taken_at: datetime | None = None,
    rollover: bool = False,
    replacement: bool = False,
    now: datetime | None = None,
) -> Checked:
    """Judge a manual reading without writing (the confirm step shows the
    units it implies); :func:`reading_record` runs the same checks under the
    meter's lock."""
    if meter.kind != MeterKind.CONVENTIONAL:
        raise ValidationFailed(
            "reading_meter_not_manual",
            f"Meter {meter.serial} is not read by hand "
            f"({meter.get_kind_display().lower()}).",
            field="meter",
        )
    number = parse_value(value)
    now = now or timezone.now()
    taken_at = taken_at or now
    assignment = installed_assignment(meter)
    base = baseline_for(meter, assignment)
    _check_time(assignment, taken_at, base, now)
    if meter.plant is not None:
        window = reading_window(meter.plant, taken_at)
        if not window.is_open:
            raise ValidationFailed(
                "reading_window_closed",
                f"Readings are taken from day {window.day} of the month.",
                field="taken_at",
            )
    units = _units(meter, number, base, rollover, replacement)
    return Checked(
        meter, assignment, number, taken_at, base, units, rollover, replacement
    )


# --- writing ------------------------------------------------------------------------
def _by_key(key: str, meter: Meter) -> Reading | None:
    found = Reading.objects.filter(client_key=key).first()
    if found is not None and found.meter_id != meter.pk:
        raise Conflict(
            "reading_key_reused",
            "This key was used for a reading of another meter.",
            field="client_key",
        )
    return found


@transaction.atomic
def reading_record(
    *,
    meter: Meter,
    value: Any,
    taken_at: datetime | None = None,
    rollover: bool = False,
    replacement: bool = False,
    client_key: str | None = None,
    note: str = "",
    by: Any,
) -> tuple[Reading, bool]:
    """Record a manual reading, pending review. Returns it and whether it is
    new (a retry with the same ``client_key`` returns the first one)."""
    key = (client_key or "").strip()[:64] or None
    if key and (found := _by_key(key, meter)):
        return found, False
    meter = (
        Meter.objects.select_for_update(of=("self",))
        .select_related("plant")
        .get(pk=meter.pk)
    )
    if key and (found := _by_key(key, meter)):  # a twin got the lock first
        return found, False
    checked = reading_check(
        meter=meter,
        value=value,
        taken_at=taken_at,
        rollover=rollover,
        replacement=replacement,
    )
    if Reading.objects.filter(meter=meter, status=ReadingStatus.PENDING).exists():
        raise Conflict(
            "reading_pending_exists",
            f"A reading of meter {meter.serial} is waiting for review.",
            field="meter",
        )
    customer = checked.assignment.customer
    reading = Reading(
        meter=meter,
        customer=customer,
        assignment=checked.assignment,
        package_id=customer.package_id,
        taken_at=checked.taken_at,
        value=checked.value,
        units=checked.units,
        source=ReadingSource.MANUAL,
        status=ReadingStatus.PENDING,
        rollover=rollover,
        replacement=replacement,
        note=(note or "").strip()[:200],
        entered_by=by,
        client_key=key,
    )
    reading._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            reading.save()
    except IntegrityError as exc:
        raise Conflict(
            "reading_duplicate_time",
            "This meter already has a reading at that time.",
            field="taken_at",
        ) from exc
    return reading, True


def _locked(reading: Reading) -> Reading:
    Meter.objects.select_for_update().get(pk=reading.meter_id)
    return (
        Reading.objects.select_for_update(of=("self",))
        .select_related("meter__plant", "assignment")
        .get(pk=reading.pk)
    )


def _review_by_other(reading: Reading, by: Any) -> None:
    if by is not None and reading.entered_by_id == getattr(by, "pk", None):
        raise Conflict(
            "reading_review_own",
            "A reading is reviewed by someone other than the person who took it.",
        )


@transaction.atomic
def reading_approve(*, reading: Reading, by: Any) -> Reading:
    """Approve a pending reading: its units are computed against the
    baseline of now (approving it again changes nothing)."""
    reading = _locked(reading)
    if reading.status == ReadingStatus.APPROVED:
        return reading
    if reading.status != ReadingStatus.PENDING:
        raise Conflict("reading_not_pending", "This reading was rejected.")
    _review_by_other(reading, by)
    assignment = reading.assignment or installed_assignment(reading.meter)
    base = baseline_for(reading.meter, assignment, before=reading.taken_at)
    reading.units = _units(
        reading.meter, reading.value, base, reading.rollover, reading.replacement
    )
    reading.status = ReadingStatus.APPROVED
    reading.reviewed_by = by
    reading.reviewed_at = timezone.now()
    return validated_save(reading, by=by, reason="approved")


@transaction.atomic
def reading_reject(*, reading: Reading, by: Any, reason: str) -> Reading:
    """Reject a pending reading with a reason; the meter is due again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "reason_required", "Say why the reading is rejected.", field="reason"
        )
    reading = _locked(reading)
    if reading.status == ReadingStatus.REJECTED:
        return reading
    if reading.status != ReadingStatus.PENDING:
        raise Conflict("reading_not_pending", "This reading is already approved.")
    _review_by_other(reading, by)
    reading.status = ReadingStatus.REJECTED
    reading.reject_reason = reason[:REASON_MAX]
    reading.reviewed_by = by
    reading.reviewed_at = timezone.now()
    return validated_save(reading, by=by, reason="rejected")
