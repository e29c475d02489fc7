"""What happens after a billing run is done (outside its transactions).

The credit-limit flag (seed 2.2.3) runs first, then the supply of
smart-metered and load-limited customers follows it (``switch_supply``);
other apps add their step with ``register_after_run``. A re-run of a finished
run calls nothing: it writes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable

from mcoms.billing.documents.sms import run_bills_notify_later
from mcoms.billing.models import BillingRun
from mcoms.customers.models import Customer
from mcoms.customers.status import customers_flag_over_credit_limit
from mcoms.metering.supply import supply_review

logger = logging.getLogger(__name__)
AfterRun = Callable[[BillingRun], None]
_AFTER_RUN: list[AfterRun] = []


def register_after_run(fn: AfterRun) -> None:
    if fn not in _AFTER_RUN:
        _AFTER_RUN.append(fn)


def flag_credit_limits(run: BillingRun) -> None:
    """Flag the customers over their credit limit now that the bills are on
    the ledger (the check works per company; the plant's company)."""
    customers_flag_over_credit_limit(company=run.period.plant.company)


def switch_supply(run: BillingRun) -> None:
    """Customers of the plant over their limit with a smart meter or load
    limiter are switched OFF through the meter control port, and back to AUTO
    once within it (docs/metering.md, "Control and tokens"); the flag was
    just set, so it is not checked again."""
    supply_review(customers=Customer.objects.filter(plant=run.period.plant), flag=False)


def after_run(run: BillingRun) -> None:
    for fn in [flag_credit_limits, switch_supply, *_AFTER_RUN]:
        fn(run)
    run_bills_notify_later(run)  # the bills' SMS (docs/billing-documents.md)
