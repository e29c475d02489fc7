"""manage.py run_billing: start, work, resume and check a period's run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mcoms.billing.models import Bill, BillingPeriod
from mcoms.billing.tests.conftest import OCT, Site


def run(*args: str) -> str:
    out = StringIO()
    call_command("run_billing", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_period_and_bills_it(site: Site):
    site.add("a", site.unmetered)
    site.add("b", site.prepaid)
    out = run(
        "--plant",
        "bhkats",
        "--company",
        "tara",
        "--start",
        "2026-10-01",
        "--create",
        "--chunk",
        "1",
    )
    assert "done: 2/2 billed (2 now)" in out
    period = BillingPeriod.objects.get(plant=site.plant, start=OCT)
    assert Bill.objects.filter(period=period).count() == 2
    again = run("--period", str(period.pk), "--quiet")
    assert "already done: 2 bills; 0 billable customers without a bill" in again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plant", "BHKATS"], "Give --period, or --plant and --start."),
        (["--period", "999"], "No period 999."),
        (["--plant", "BHXXXX", "--start", "2026-10-01"], "No plant BHXXXX."),
        (["--plant", "BHKATS", "--start", "2026-10-01"], "Several companies"),
        (
            ["--plant", "BHKATS", "--company", "tara", "--start", "1.10.2026"],
            "--start is YYYY-MM-DD.",
        ),
        (
            ["--plant", "BHKATS", "--company", "tara", "--start", "2026-10-01"],
            "add --create",
        ),
        (
            [
                "--plant",
                "BHKATS",
                "--company",
                "tara",
                "--start",
                "2026-11-15",
                "--create",
            ],
            "period_not_ended",
        ),
        (["--period", "1", "--chunk", "0"], "--chunk must be 1 or more."),
    ],
)
def test_it_refuses_bad_arguments(site: Site, args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert message in str(caught.value)
    assert not Bill.objects.exists()
