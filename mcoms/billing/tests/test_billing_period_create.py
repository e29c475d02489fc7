"""billing_period_create: monthly by default, in the plant's time zone, never
overlapping; bad input refused with nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mcoms.billing.models import BillingPeriod
from mcoms.billing.services import billing_period_create, month_after
from mcoms.billing.tests.conftest import NOV, OCT, SEPT, Site
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.org.models import Plant


def test_a_period_is_a_month_by_default(site: Site):
    period = billing_period_create(plant=site.plant, start=OCT, by=None)
    assert (period.start, period.end, period.days) == (OCT, NOV, 31)
    assert period.is_month
    assert period.due_date == date(2026, 11, 16)


def test_month_after_keeps_the_day_or_the_months_last():
    assert month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert month_after(date(2026, 12, 15)) == date(2027, 1, 15)


def test_it_starts_at_midnight_in_the_plants_time_zone(site: Site):
    period = billing_period_create(plant=site.plant, start=OCT, by=None)
    assert period.start_at.astimezone(UTC) == datetime(2026, 9, 30, 18, 30, tzinfo=UTC)
    Plant.objects.filter(pk=site.plant.pk).update(timezone="Africa/Nairobi")
    other = billing_period_create(
        plant=Plant.objects.get(pk=site.plant.pk), start=NOV, by=None
    )
    assert other.start_at.astimezone(UTC) == datetime(2026, 10, 31, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (OCT, NOV),  # the same dates
        (date(2026, 10, 15), date(2026, 11, 15)),  # starts inside
        (date(2026, 9, 15), date(2026, 10, 2)),  # ends inside
        (date(2026, 9, 1), date(2026, 12, 1)),  # covers it
        (date(2026, 10, 10), date(2026, 10, 20)),  # inside it
    ],
)
def test_it_refuses_a_period_overlapping_another(site: Site, start, end):
    billing_period_create(plant=site.plant, start=OCT, by=None)
    with pytest.raises(Conflict) as caught:
        billing_period_create(plant=site.plant, start=start, end=end, by=None)
    assert caught.value.code == "period_overlaps"
    assert BillingPeriod.objects.count() == 1


def test_adjacent_periods_and_other_plants_do_not_overlap(site: Site):
    billing_period_create(plant=site.plant, start=OCT, by=None)
    billing_period_create(plant=site.plant, start=SEPT, by=None)
    billing_period_create(plant=site.plant, start=NOV, by=None)
    billing_period_create(plant=site.world.plants["BHMADH"], start=OCT, by=None)
    assert BillingPeriod.objects.count() == 4


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"start": "2026-10-01"}, "period_start_invalid"),
        ({"start": None}, "period_start_invalid"),
        ({"start": OCT, "end": "2026-11-01"}, "period_end_invalid"),
        ({"start": OCT, "end": OCT}, "period_end_before_start"),
        ({"start": OCT, "end": SEPT}, "period_end_before_start"),
        ({"start": OCT, "end": date(2027, 1, 2)}, "period_too_long"),
        ({"start": OCT, "due_days": -1}, "period_due_days_invalid"),
        ({"start": OCT, "due_days": 91}, "period_due_days_invalid"),
        ({"start": OCT, "due_days": "15"}, "period_due_days_invalid"),
        ({"start": OCT, "due_days": True}, "period_due_days_invalid"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(site: Site, kwargs, code):
    with pytest.raises(ValidationFailed) as caught:
        billing_period_create(plant=site.plant, by=None, **kwargs)
    assert caught.value.code == code
    assert not BillingPeriod.objects.exists()
