from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from mcoms.customers.models import Customer
from mcoms.demo.acquisition import ACCOUNTS
from mcoms.org.models import Designation, Plant, Staff


def _snapshot() -> list[tuple[str, str, str, str]]:
    return list(
        Customer.objects.order_by("customer_id").values_list(
            "customer_id", "name", "phone", "status"
        )
    )


@pytest.mark.django_db
def test_it_builds_every_designation_and_the_asked_number_of_customers() -> None:
    call_command("seed_demo", customers=120, seed=3)
    # The acquisition demo adds its own accounts to the bulk-built ones.
    assert Customer.objects.count() == 120 + ACCOUNTS
    assert set(Staff.objects.values_list("designation", flat=True)) == set(
        Designation.values
    )
    assert Plant.objects.count() >= 6
    ids = [c for c, *_ in _snapshot()]
    assert len(set(ids)) == 120 + ACCOUNTS
    assert all(len(c) == 11 for c in ids)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_company() -> None:
    with transaction.atomic():
        call_command("seed_demo", customers=50, seed=11)
        first = _snapshot()
        transaction.set_rollback(True)
    assert Customer.objects.count() == 0
    call_command("seed_demo", customers=50, seed=11)
    assert _snapshot() == first
    assert len({name for _, name, _, _ in first}) > 5  # names really vary


@pytest.mark.django_db
def test_it_refuses_to_seed_twice_unless_asked_to_skip() -> None:
    call_command("seed_demo", customers=5, seed=1)
    with pytest.raises(CommandError):
        call_command("seed_demo", customers=5, seed=1)
    call_command("seed_demo", customers=5, seed=1, if_empty=True)
    assert Customer.objects.count() == 5 + ACCOUNTS


@pytest.mark.django_db
def test_the_demo_ledger_balances_and_some_customers_owe() -> None:
    from io import StringIO

    from mcoms.ledger.models import Journal
    from mcoms.ledger.selectors import customer_balances

    call_command("seed_demo", customers=40, seed=5)
    demo_charges = Journal.objects.filter(
        kind="activation_charge", idempotency_key__startswith="demo:"
    )
    assert demo_charges.count() == 40
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "OK" in out.getvalue()
    company = Customer.objects.first().company  # type: ignore[union-attr]
    owing = [
        c.customer_id
        for c in Customer.objects.all()
        if sum(customer_balances(company, c.customer_id).values()) > 0
    ]
    assert 0 < len(owing) < 40
