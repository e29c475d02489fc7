"""The demo company has meters in stock everywhere and prospects at every
stage of the pipeline."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from mcoms.acquisition.models import STAGES, Prospect
from mcoms.demo.acquisition import ACCOUNTS
from mcoms.metering.models import Meter
from mcoms.org.models import Plant


@pytest.mark.django_db
def test_the_demo_pipeline() -> None:
    out = StringIO()
    call_command("seed_demo", customers=30, seed=2, stdout=out)
    assert f"{30 + ACCOUNTS} customers" in out.getvalue()
    for plant in Plant.objects.all():
        in_stock = Meter.objects.filter(plant=plant, state="available")
        assert {m.kind for m in in_stock} == {"load_limiter", "conventional", "smart"}
    assert Meter.objects.filter(plant__isnull=True, location="warehouse").count() == 15
    open_or_done = Prospect.objects.exclude(status="rejected")
    assert set(open_or_done.values_list("stage", flat=True)) == set(STAGES)
    assert Prospect.objects.get(status="rejected").rejected_stage == "kyc"
    instant = Prospect.objects.get(channel="instant")
    assert instant.deferred == ["survey", "marketing", "kyc"]
    request = Prospect.objects.get(channel="self")
    assert (request.stage, request.phone_verified_at is not None) == (
        "acquisition",
        True,
    )
    active = Prospect.objects.get(status="active")
    assert active.customer.status == "active"
    assert Prospect.objects.filter(customer__isnull=False).count() == ACCOUNTS
    check = StringIO()
    call_command("ledger_check", stdout=check)
    assert "OK" in check.getvalue()
