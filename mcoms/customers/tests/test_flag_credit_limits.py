"""The credit-limit check (seed 2.2.3): flag, keep, update and clear the
"to de-activate" mark from the ledger's receivable balances."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.customers.status import (
    FlagCounts,
    customers_flag_over_credit_limit,
    flag_credit_limits_task,
)
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Service
from mcoms.notifications.testing import IMMEDIATE_TASKS
from mcoms.org.models import Pole
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def owe(customer: Customer, amount: str, service: str = Service.ENERGY) -> None:
    """Post a bill (positive) or a payment (negative) on a receivable."""
    company = customer.plant.company
    receivable = ledger.account_for_customer(
        company=company,
        customer_id=customer.customer_id,
        plant=customer.plant,
        service=service,
    )
    other = ledger.account_for_plant_revenue(
        plant=customer.plant, service=Service.ENERGY
    )
    value = Decimal(amount)
    ledger.journal_post(
        company=company,
        idempotency_key=str(uuid.uuid4()),
        kind="bill",
        lines=[(receivable, value), (other, -value)],
    )


@pytest.fixture
def kats(world: World) -> list[Customer]:
    """Three customers at BHKATS on a package with a credit limit of 100."""
    package = make(world.plants["BHKATS"], PREPAID, credit_limit="100")
    first = world.customers["BHKATS"]
    Customer.objects.filter(pk=first.pk).update(package=package)
    people = [Customer.objects.get(pk=first.pk)]
    for n in (2, 3):
        pole = Pole.objects.get(plant=world.plants["BHKATS"], number=n)
        people.append(
            customer_create(
                pole=pole,
                name=f"K{n}",
                phone=f"+91980000010{n}",
                package=package,
                by=None,
            )
        )
    return people


def fresh(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def test_over_the_limit_is_flagged_within_is_not(world: World, kats) -> None:
    over, at_limit, within = kats
    owe(over, "150.50")
    owe(at_limit, "100.00")
    owe(within, "20.00")

    counts = customers_flag_over_credit_limit(now=NOW)

    assert counts == FlagCounts(checked=3, over=1, flagged=1, updated=0, cleared=0)
    flagged = fresh(over)
    assert (flagged.flagged_at, flagged.flagged_outstanding) == (NOW, Decimal("150.50"))
    assert fresh(at_limit).flagged_at is None  # exactly at the limit is within
    assert fresh(within).flagged_at is None
    record = flagged.history.latest("history_date")
    assert record.history_change_reason == "credit-limit check"
    assert record.flagged_outstanding == Decimal("150.50")


def test_every_receivable_counts_but_not_the_deposit(world: World, kats) -> None:
    customer = kats[0]
    owe(customer, "60.00", Service.ENERGY)
    owe(customer, "45.00", Service.WATER)
    deposit = ledger.account_for_customer_deposit(
        company=world.company, customer_id=customer.customer_id, plant=customer.plant
    )
    receivable = ledger.account_for_customer(
        company=world.company,
        customer_id=customer.customer_id,
        plant=customer.plant,
        service=Service.ACTIVATION,
    )
    # A deposit taken (liability credited) is no debt of the customer.
    ledger.journal_post(
        company=world.company,
        idempotency_key="dep",
        kind="deposit",
        lines=[(receivable, Decimal("-500.00")), (deposit, Decimal("500.00"))],
    )
    owe(customer, "500.00", Service.ACTIVATION)  # ACT billed: nets to 0

    customers_flag_over_credit_limit(now=NOW)

    assert fresh(customer).flagged_outstanding == Decimal("105.00")


def test_a_flag_is_kept_updated_and_cleared(world: World, kats) -> None:
    customer = kats[0]
    owe(customer, "300.00")
    customers_flag_over_credit_limit(now=NOW)
    later = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

    assert customers_flag_over_credit_limit(now=later).flagged == 0  # unchanged
    owe(customer, "-100.00")  # a payment
    counts = customers_flag_over_credit_limit(now=later)
    assert (counts.over, counts.updated) == (1, 1)
    kept = fresh(customer)
    assert (kept.flagged_at, kept.flagged_outstanding) == (NOW, Decimal("200.00"))

    owe(customer, "-150.00")  # back within the limit
    counts = customers_flag_over_credit_limit(now=later)
    assert (counts.over, counts.cleared) == (0, 1)
    cleared = fresh(customer)
    assert (cleared.flagged_at, cleared.flagged_outstanding) == (None, None)


def test_no_package_means_no_flag(world: World, kats) -> None:
    bare = world.customers["BHSIKA"]  # no package
    owe(bare, "5000.00")
    owe(kats[0], "500.00")
    customers_flag_over_credit_limit(now=NOW)
    assert fresh(bare).flagged_at is None

    Customer.objects.filter(pk=kats[0].pk).update(package=None)
    counts = customers_flag_over_credit_limit(now=NOW)
    assert counts.cleared == 1
    assert fresh(kats[0]).flagged_at is None


def test_a_customer_no_longer_active_loses_the_flag(world: World, kats) -> None:
    owe(kats[0], "500.00")
    customers_flag_over_credit_limit(now=NOW)
    Customer.objects.filter(pk=kats[0].pk).update(status="inactive")
    counts = customers_flag_over_credit_limit(now=NOW)
    assert (counts.checked, counts.cleared) == (2, 1)
    assert fresh(kats[0]).flagged_at is None


def test_one_company_only(world: World, kats) -> None:
    other = world.customers["other"]
    package = make(other.plant, PREPAID, credit_limit="10")
    Customer.objects.filter(pk=other.pk).update(package=package)
    owe(other, "50.00")
    owe(kats[0], "500.00")

    counts = customers_flag_over_credit_limit(company=world.company, now=NOW)

    assert (counts.checked, counts.flagged) == (3, 1)
    assert fresh(other).flagged_at is None
    customers_flag_over_credit_limit(company=world.other_company, now=NOW)
    assert fresh(other).flagged_outstanding == Decimal("50.00")


def test_the_same_queries_for_three_or_thirty_customers(world: World, kats) -> None:
    customers_flag_over_credit_limit(now=NOW)
    with CaptureQueriesContext(connection) as few:
        customers_flag_over_credit_limit(now=NOW)
    package = kats[0].package
    for n in range(27):
        pole = Pole.objects.get(plant=world.plants["BHKATS"], number=1 + n % 3)
        c = customer_create(
            pole=pole,
            name=f"N{n}",
            phone=f"+9198000002{n:02d}",
            package=package,
            by=None,
        )
        owe(c, "1.00")
    with CaptureQueriesContext(connection) as many:
        customers_flag_over_credit_limit(now=NOW)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_command_prints_the_counts(world: World, kats) -> None:
    owe(kats[0], "500.00")
    out = StringIO()
    call_command("flag_credit_limits", "--company", "tara", stdout=out)
    assert (
        out.getvalue().strip() == "checked 3, over 1, flagged 1, updated 0, cleared 0"
    )
    assert fresh(kats[0]).flagged_at is not None
    with pytest.raises(CommandError):
        call_command("flag_credit_limits", "--company", "nope", stdout=out)


def test_the_command_can_hand_the_job_to_the_worker(
    world: World, kats, settings
) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    owe(kats[0], "500.00")
    out = StringIO()
    call_command("flag_credit_limits", "--enqueue", stdout=out)
    assert out.getvalue().startswith("Queued credit-limit check")
    assert fresh(kats[0]).flagged_outstanding == Decimal("500.00")


def test_the_task_returns_the_counts(world: World, kats, settings) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    owe(kats[1], "101.00")
    result = flag_credit_limits_task.enqueue(company_code="tara")
    assert result.return_value == {
        "checked": 3,
        "over": 1,
        "flagged": 1,
        "updated": 0,
        "cleared": 0,
    }
