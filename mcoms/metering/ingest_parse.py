"""The row checks of the interval ingestion (``ingest.py``): meter serials
resolved in one query per 500, times parsed once per distinct value (a
batch repeats the same times across its meters), counters parsed by a fast
path for plain decimal text. Each refused row becomes a report item with its
row number, meter, time and a machine-readable code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Min, QuerySet

from mcoms.core.money import KWH
from mcoms.metering.models import Meter, MeterKind
from mcoms.org.models import Company

INTERVAL = 15 * 60  # seconds
FUTURE_SKEW = 5 * 60  # a meter's clock may run this far ahead
MAX_KWH = Decimal(10) ** 9

DETAILS = {
    "row_invalid": "A row has a meter, a time and a counter (kWh).",
    "meter_unknown": "No smart meter with this serial in your scope.",
    "meter_not_smart": "This meter is not a smart meter.",
    "meter_not_installed": "This meter has never been installed.",
    "reading_before_installation": "The time is before the meter's installation.",
    "time_invalid": "The time is not an ISO 8601 date and time.",
    "time_without_zone": "The time has no UTC offset.",
    "time_not_on_interval": "The time is not the end of a 15-minute interval.",
    "time_in_future": "The time is in the future.",
    "kwh_invalid": "The counter is not a number.",
    "kwh_negative": "The counter is negative.",
    "kwh_too_large": "The counter is too large.",
    "duplicate_differs": "Already held for this time with another counter; the "
    "held value is kept.",
}


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def issue(row: Any, code: str, meter: Any = "", at: Any = "") -> dict[str, Any]:
    return {
        "row": row,
        "meter": str(meter or "")[:40],
        "at": str(at)[:40],
        "code": code,
        "detail": DETAILS[code],
    }


@dataclass
class MeterInfo:
    pk: int
    serial: str
    tz: str
    installed_from: int  # epoch of the first installation
    digits: int


@dataclass
class Parsed:
    """What one chunk's rows became: per meter id, the good rows by epoch
    (kWh, row); duplicates within the chunk; the refused rows' report."""

    meters: dict[int, dict[int, tuple[Decimal, Any, str]]] = field(default_factory=dict)
    duplicates: int = 0
    issues: list[dict[str, Any]] = field(default_factory=list)


class Times:
    """Memoised timestamps: each gives (epoch, None) or (None, refusal)."""

    def __init__(self, now: datetime) -> None:
        self.limit = int(now.timestamp()) + FUTURE_SKEW
        self.seen: dict[Any, tuple[int | None, str | None]] = {}

    def __call__(self, raw: Any) -> tuple[int | None, str | None]:
        try:
            hit = self.seen.get(raw)
        except TypeError:  # unhashable (a list in JSON)
            return None, "time_invalid"
        if hit is None:
            hit = self.seen[raw] = self._parse(raw)
        return hit

    def _parse(self, raw: Any) -> tuple[int | None, str | None]:
        if isinstance(raw, datetime):
            at = raw
        elif isinstance(raw, str):
            try:
                at = datetime.fromisoformat(raw.strip())
            except ValueError:
                return None, "time_invalid"
        else:
            return None, "time_invalid"
        if at.tzinfo is None:
            return None, "time_without_zone"
        stamp = at.timestamp()
        epoch = int(stamp)
        if epoch != stamp or epoch % INTERVAL:
            return None, "time_not_on_interval"
        if epoch > self.limit:
            return None, "time_in_future"
        return epoch, None


def kwh(raw: Any) -> tuple[Decimal | None, str | None]:
    """A counter: a Decimal, an int or decimal text; rounded to Wh."""
    if isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            return None, "kwh_invalid"
    elif isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        return None, "kwh_invalid"
    if not value.is_finite():
        return None, "kwh_invalid"
    if value < 0:
        return None, "kwh_negative"
    if value >= MAX_KWH:
        return None, "kwh_too_large"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        value = value.quantize(KWH)
    return value, None


def _fast_kwh(raw: str) -> Decimal | None:
    """Plain decimal text below 10 ** 9 with at most 3 decimals (the usual
    row), without the general checks; None sends the row to :func:`kwh`."""
    if not raw or raw[0] == " " or raw[-1] == " ":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value >= MAX_KWH:
        return None
    dot = raw.find(".")
    if (dot >= 0 and len(raw) - dot > 4) or "e" in raw or "E" in raw:
        return None
    return value


def meters(
    company: Company, serials: set[str], scope: QuerySet[Meter] | None
) -> dict[str, MeterInfo | str]:
    """Serial -> the meter, or the refusal code for that serial."""
    qs = (scope if scope is not None else Meter.objects).filter(company=company)
    wanted = sorted(serials)
    out: dict[str, MeterInfo | str] = dict.fromkeys(wanted, "meter_unknown")
    rows: list[tuple[int, str, str, str | None, int, datetime | None]] = []
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        rows += (
            qs.filter(serial__in=part)
            .annotate(first=Min("assignments__installed_at"))
            .values_list(
                "pk", "serial", "kind", "plant__timezone", "digit_capacity", "first"
            )
        )
    first = {r[0]: r[5] for r in rows if r[5] is not None}
    for pk, serial, kind, tz, digits, _first in rows:
        if kind != MeterKind.SMART:
            out[serial] = "meter_not_smart"
        elif pk not in first:
            out[serial] = "meter_not_installed"
        else:
            since = int(first[pk].timestamp())
            out[serial] = MeterInfo(pk, serial, tz or "Asia/Kolkata", since, digits)
    return out


def parse(
    rows: list[tuple[Any, Any, Any, Any]],
    found: dict[str, MeterInfo | str],
    times: Times,
) -> Parsed:
    """Check each row; good rows go to their meter, keyed by time (the
    first of two rows for one time wins: the second is a duplicate)."""
    out = Parsed()
    issues, by_meter, seen = out.issues, out.meters, times.seen
    differs = []
    for row, serial, raw_at, raw_kwh in rows:
        meter = found.get(serial) if type(serial) is str else None
        if type(meter) is not MeterInfo:
            code = meter if isinstance(meter, str) else "row_invalid"
            issues.append(issue(row, code, serial, raw_at))
            continue
        try:
            epoch, problem = seen[raw_at]
        except (KeyError, TypeError):
            epoch, problem = times(raw_at)
        value = _fast_kwh(raw_kwh) if type(raw_kwh) is str else None
        text = raw_kwh
        if value is None and problem is None:
            value, problem = kwh(raw_kwh)
            text = str(value)
        if problem is not None or epoch is None or value is None:
            issues.append(issue(row, problem or "row_invalid", serial, raw_at))
            continue
        if epoch < meter.installed_from:
            issues.append(issue(row, "reading_before_installation", serial, raw_at))
            continue
        mine = by_meter.get(meter.pk)
        if mine is None:
            mine = by_meter[meter.pk] = {}
        held = mine.get(epoch)
        if held is None:
            mine[epoch] = (value, row, text)
            continue
        out.duplicates += 1
        if held[0] != value:
            differs.append(issue(row, "duplicate_differs", serial, iso(epoch)))
    issues += differs
    return out
