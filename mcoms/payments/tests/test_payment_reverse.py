"""Reversal and refund: the mirror journal of the payment (balanced, the debt
back, the money off the cash in hand or the clearing account), once per
payment, a retry with the same key returns the first, a reason needed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.ledger.models import Entry, Journal
from mcoms.payments.models import PaymentReversal, PaymentStatus
from mcoms.payments.services import payment_refund, payment_reverse, payment_take_cash
from mcoms.payments.tests.kit import balance, charge, owed
from tests.builders import World

D = Decimal


@pytest.fixture
def paid(world: World):
    customer = world.customers["BHKATS"]
    charge(customer, "CHG", "100.00")
    charge(customer, "WATER", "50.00")
    return payment_take_cash(
        customer=customer, amount="120", by=world.user("csa")
    ).payment


def test_a_reversal_mirrors_the_payment(world: World, paid) -> None:
    reversal, created = payment_reverse(
        payment=paid, reason="wrong customer", by=world.user("ho_manager")
    )
    assert created and reversal.journal.reverses_id == paid.journal_id
    mirror = sorted(
        Entry.objects.filter(journal=reversal.journal).values_list(
            "account__code", "amount"
        )
    )
    assert mirror == [
        ("CUS:BHKATS00101:AR:CHG", D("100.00")),
        ("CUS:BHKATS00101:AR:WATER", D("20.00")),
        ("STF:csa:CASH", D("-120.00")),
    ]
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.REVERSED
    customer = world.customers["BHKATS"]
    assert owed(customer) == {"CHG": D("100.00"), "WATER": D("50.00")}
    assert balance("STF:csa:CASH", customer) == D("0.00")


def test_a_refund_is_recorded_as_a_refund(world: World, paid) -> None:
    refund, _created = payment_refund(
        payment=paid, reason="paid twice", by=world.user("admin"), idempotency_key="r-1"
    )
    paid.refresh_from_db()
    assert (refund.kind, paid.status) == ("refund", PaymentStatus.REFUNDED)


def test_a_payment_is_undone_once(world: World, paid) -> None:
    first, _ = payment_reverse(
        payment=paid, reason="x", by=world.user("admin"), idempotency_key="k1"
    )
    again, created = payment_reverse(
        payment=paid, reason="x", by=world.user("admin"), idempotency_key="k1"
    )
    assert again.pk == first.pk and not created
    for undo in (payment_reverse, payment_refund):
        with pytest.raises(Conflict) as err:
            undo(payment=paid, reason="y", by=world.user("admin"), idempotency_key="k2")
        assert err.value.code == "payment_already_reversed"
    assert PaymentReversal.objects.count() == 1
    assert Journal.objects.filter(kind="reversal").count() == 1


def test_a_reason_is_needed(world: World, paid) -> None:
    with pytest.raises(ValidationFailed) as err:
        payment_reverse(payment=paid, reason="  ", by=world.user("admin"))
    assert err.value.code == "reason_missing"
    assert PaymentReversal.objects.count() == 0
