"""The billing run's after-run hook switches supply (issue 4 item 7): a
load-limited customer the run puts over the credit limit is switched OFF
through the meter control port; a conventional one is only flagged; a re-run
switches nothing again; a payment then brings the supply back (supply_review,
as the payments issue calls it)."""

from __future__ import annotations

from mcoms.billing.services import billing_run_start, billing_run_work
from mcoms.billing.tests.conftest import OCT, Site
from mcoms.customers.models import Customer
from mcoms.metering.control import command_dispatch
from mcoms.metering.models import Meter, MeterCommand
from mcoms.metering.supply import OFF_REASON, supply_review
from mcoms.metering.tests.control_kit import installed, sim
from mcoms.metering.tests.test_supply import owe

__all__ = ["sim"]


def test_a_run_switches_off_the_limiter_over_its_limit(site: Site, sim: None):
    limited = site.add("limited", site.prepaid)  # 160 billed, credit limit 100
    conventional = site.add("conventional", site.prepaid)
    installed(limited, "LL-1", kind="load_limiter")
    installed(conventional, "CM-1", kind="conventional", driver="manual")
    period = site.period(OCT)
    billing_run_work(run=billing_run_start(period=period, by=None))
    billing_run_work(run=billing_run_start(period=period, by=None))  # a re-run
    command = MeterCommand.objects.get()
    assert (command.meter.serial, command.action, command.reason) == (
        "LL-1",
        "off",
        OFF_REASON,
    )
    assert Customer.objects.get(pk=conventional.pk).flagged_at is not None
    assert command_dispatch(command_id=command.pk) == "acknowledged"
    assert Meter.objects.get(serial="LL-1").switch_state == "off"
    owe(limited, "-160")  # the payment
    counts = supply_review(customers=[limited])
    assert counts.restored == 1
    assert MeterCommand.objects.latest("pk").action == "auto"
