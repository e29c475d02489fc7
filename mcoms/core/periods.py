"""A period of whole local days for reports and filters (``start`` to ``end``,
both included), and the aware datetimes that bound it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

MAX_DAYS = 3700  # about ten years: a filter wider than this is refused


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00) in ``tz`` (default: current)."""
        zone = tz or timezone.get_current_timezone()
        begin = datetime.combine(self.start, time.min, tzinfo=zone)
        finish = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return begin, finish


def this_month(today: date | None = None) -> Period:
    """From the first of this month to today."""
    day = today or timezone.localdate()
    return Period(day.replace(day=1), day)


def year_start(day: date | None = None) -> date:
    return (day or timezone.localdate()).replace(month=1, day=1)


def period_or_default(start: date | None, end: date | None) -> Period:
    """The period the user chose; a missing end is today, a missing start the
    first of the end's month; swapped ends are put in order; too wide a span
    is cut to ``MAX_DAYS`` before the end."""
    finish = end or timezone.localdate()
    begin = start or finish.replace(day=1)
    if begin > finish:
        begin, finish = finish, begin
    if (finish - begin).days >= MAX_DAYS:
        begin = finish - timedelta(days=MAX_DAYS - 1)
    return Period(begin, finish)
