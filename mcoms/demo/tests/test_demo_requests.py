"""The demo's Consumer Activity: flags at the first plant and a request at
every step of the chain, made through the services."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from mcoms.customers.models import Customer
from mcoms.workflow.models import Request, RequestStep


@pytest.mark.django_db
def test_the_demo_has_flags_and_a_request_at_every_step() -> None:
    call_command("seed_demo", customers=120, seed=3)

    flagged = Customer.objects.filter(flagged_at__isnull=False)
    assert flagged.exists()
    assert all(c.flagged_outstanding > c.package.credit_limit for c in flagged)
    states = sorted(Request.objects.values_list("state", flat=True))
    steps = ["request", "approved", "in_process", "review", "rejected", "completed"]
    assert states == sorted([*steps, "completed"])  # and the re-activation
    back = Request.objects.get(kind="reactivation")
    assert back.subject.status == "active"
    assert back.subject.history.filter(status="inactive").exists()
    assert RequestStep.objects.filter(action="execute").count() == 3
