"""After a payment commits: the credit-limit check runs for the customer (a
payment that brings them within the limit clears the flag and switches a cut
supply back on; a reversal that puts them over it flags them), and the
``payment_created`` hooks ran inside the payment's transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.customers.status import customers_flag_over_credit_limit
from mcoms.packages.tests.factories import PREPAID, make
from mcoms.payments import hooks
from mcoms.payments.models import Payment
from mcoms.payments.services import payment_reverse, payment_take_cash
from mcoms.payments.tests.kit import charge
from tests.builders import World


@pytest.fixture
def over_limit(world: World) -> Customer:
    package = make(world.plants["BHKATS"], PREPAID, credit_limit="100")
    customer = world.customers["BHKATS"]
    Customer.objects.filter(pk=customer.pk).update(
        package=package, status=CustomerStatus.ACTIVE
    )
    customer.refresh_from_db()
    charge(customer, "CHG", "250.00")
    customers_flag_over_credit_limit(customers=Customer.objects.filter(pk=customer.pk))
    customer.refresh_from_db()
    assert customer.flagged_at is not None
    return customer


def test_a_payment_within_the_limit_clears_the_flag(
    world: World, over_limit: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payment_take_cash(customer=over_limit, amount="200", by=world.user("csa"))
    assert callbacks
    over_limit.refresh_from_db()
    assert over_limit.flagged_at is None


def test_a_partial_payment_still_over_the_limit_keeps_the_flag(
    world: World, over_limit: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        payment_take_cash(customer=over_limit, amount="100", by=world.user("csa"))
    over_limit.refresh_from_db()
    assert over_limit.flagged_at is not None
    assert over_limit.flagged_outstanding == Decimal("150.00")


def test_a_reversal_that_puts_them_over_flags_them_again(
    world: World, over_limit: Customer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        paid = payment_take_cash(
            customer=over_limit, amount="250", by=world.user("csa")
        ).payment
    over_limit.refresh_from_db()
    assert over_limit.flagged_at is None
    with django_capture_on_commit_callbacks(execute=True):
        payment_reverse(payment=paid, reason="wrong customer", by=world.user("admin"))
    over_limit.refresh_from_db()
    assert over_limit.flagged_outstanding == Decimal("250.00")


def test_hooks_run_once_per_new_payment_inside_its_transaction(world: World) -> None:
    seen: list[tuple[int, bool]] = []

    def hook(payment: Payment) -> None:
        seen.append((payment.pk, payment.allocations.exists()))

    hooks.register_payment_created(hook)
    try:
        customer = world.customers["BHKATS"]
        key = "0b7f4a52-8d3e-4f43-9c59-5d0c6b0e1a10"
        first = payment_take_cash(
            customer=customer, amount="10", by=world.user("csa"), client_key=key
        )
        payment_take_cash(
            customer=customer, amount="10", by=world.user("csa"), client_key=key
        )
    finally:
        hooks._CREATED.remove(hook)
    assert seen == [(first.payment.pk, True)]


def test_a_hook_that_fails_undoes_the_payment(world: World) -> None:
    def hook(payment: Payment) -> None:
        raise RuntimeError("receipt printer on fire")

    hooks.register_payment_created(hook)
    try:
        with pytest.raises(RuntimeError):
            payment_take_cash(
                customer=world.customers["BHKATS"], amount="10", by=world.user("csa")
            )
    finally:
        hooks._CREATED.remove(hook)
    assert Payment.objects.count() == 0
