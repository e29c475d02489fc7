"""The demo's meter readings: smart meters with a month of interval data
rolled up into daily readings, and conventional meters with approved readings,
some waiting for review and some due."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from mcoms.metering.models import IntervalReading, Meter, Reading, ReadingBatch


@pytest.mark.django_db
def test_the_demo_seeds_smart_and_manual_readings() -> None:
    call_command("seed_demo", customers=120, seed=3)
    smart = Meter.objects.filter(serial__contains="-RSM-", location="installed")
    manual = Meter.objects.filter(serial__contains="-RCM-", location="installed")
    # (120 customers: one or two metered customers at each of the six plants)
    assert smart.count() >= 5 and manual.count() >= 5
    assert IntervalReading.objects.filter(meter__in=smart).count() >= 5 * 2800
    days = Reading.objects.filter(source="smart", status="approved")
    assert days.filter(units__gt=0).count() >= 5 * 29
    assert not ReadingBatch.objects.filter(rejected__gt=0).exists()
    by_status = {
        s: Reading.objects.filter(source="manual", status=s).count()
        for s in ("approved", "pending")
    }
    assert by_status["approved"] >= 10 and by_status["pending"] >= 5
    assert all(
        r.units is not None and r.units > 0
        for r in Reading.objects.filter(source="manual")
    )
