"""payment_take_cash: the field agent's "Add Transaction" in the domain: a
balanced journal (cash in hand against the receivables), the named service or
the oldest charges first, partial payments, retries by the client-made UUID
and the Idempotency-Key, and every bad amount refused with nothing written."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.ledger.models import Entry, Journal
from mcoms.payments.models import Payment, PaymentAllocation
from mcoms.payments.selectors import get_customer_for_payment
from mcoms.payments.services import payment_take_cash
from mcoms.payments.tests.kit import balance, charge, owed
from tests.builders import World

D = Decimal


def take(world: World, amount: object, **kw: object) -> Payment:
    customer = world.customers["BHKATS"]
    return payment_take_cash(
        customer=customer, amount=amount, by=world.user("csa"), **kw
    ).payment


def test_a_cash_payment_is_one_balanced_journal(world: World) -> None:
    charge(world.customers["BHKATS"], "CHG", "300.00")
    payment = take(world, "120.50", client_key=str(uuid.uuid4()))
    lines = sorted(
        Entry.objects.filter(journal=payment.journal).values_list(
            "account__code", "amount"
        )
    )
    assert lines == [
        ("CUS:BHKATS00101:AR:CHG", D("-120.50")),
        ("STF:csa:CASH", D("120.50")),
    ]
    assert payment.journal.kind == "cash_collection"
    assert payment.collected_by == world.user("csa")
    assert payment.currency == "INR" and payment.channel == "cash"
    assert owed(world.customers["BHKATS"]) == {"CHG": D("179.50")}
    assert balance("STF:csa:CASH", world.customers["BHKATS"]) == D("120.50")


def test_the_named_service_takes_the_whole_payment(world: World) -> None:
    customer = world.customers["BHKATS"]
    charge(customer, "CHG", "100.00")
    charge(customer, "WATER", "50.00")
    payment = take(world, "80", service="water")
    assert list(payment.allocations.values_list("service", "amount")) == [
        ("WATER", D("80.00"))
    ]
    assert owed(customer) == {"CHG": D("100.00"), "WATER": D("-30.00")}


def test_without_a_service_the_oldest_charges_go_first(world: World) -> None:
    customer = world.customers["BHKATS"]
    charge(customer, "ACT", "100.00")  # oldest
    charge(customer, "CHG", "60.00")
    charge(customer, "WATER", "40.00")
    charge(customer, "CHG", "70.00")  # newest
    payment = take(world, "190.00")
    parts = dict(payment.allocations.values_list("service", "amount"))
    assert parts == {"ACT": D("100.00"), "CHG": D("60.00"), "WATER": D("30.00")}
    assert owed(customer) == {"CHG": D("70.00"), "WATER": D("10.00")}


def test_earlier_payments_count_against_the_oldest_charges(world: World) -> None:
    customer = world.customers["BHKATS"]
    charge(customer, "CHG", "100.00")
    charge(customer, "ACT", "100.00")
    take(world, "50.00")  # half of the oldest CHG charge
    charge(customer, "CHG", "30.00")
    payment = take(world, "80.00")  # 50 of CHG's first charge, then 30 of ACT
    parts = dict(payment.allocations.values_list("service", "amount"))
    assert parts == {"CHG": D("50.00"), "ACT": D("30.00")}


def test_more_than_owed_is_an_advance_on_energy(world: World) -> None:
    customer = world.customers["BHKATS"]
    charge(customer, "WATER", "40.00")
    payment = take(world, "100.00")
    parts = dict(payment.allocations.values_list("service", "amount"))
    assert parts == {"WATER": D("40.00"), "CHG": D("60.00")}
    assert owed(customer) == {"CHG": D("-60.00")}


def test_a_payment_towards_the_deposit_due_pays_the_receivable(world: World) -> None:
    customer = world.customers["BHKATS"]
    charge(customer, "DEP", "500.00")
    take(world, "200.00", service="DEP")
    assert balance("CUS:BHKATS00101:AR:DEP", customer) == D("300.00")


def test_a_retry_with_the_client_key_writes_nothing(world: World) -> None:
    key = str(uuid.uuid4())
    first = payment_take_cash(
        customer=world.customers["BHKATS"],
        amount="50",
        by=world.user("csa"),
        client_key=key,
    )
    again = payment_take_cash(
        customer=world.customers["BHKATS"],
        amount="50.00",
        by=world.user("csa"),
        client_key=key.upper(),
    )
    assert first.created and not again.created
    assert again.payment.pk == first.payment.pk
    assert Payment.objects.count() == 1 and Journal.objects.count() == 1


def test_a_key_used_for_another_payment_is_refused(world: World) -> None:
    key = str(uuid.uuid4())
    take(world, "50", client_key=key)
    with pytest.raises(Conflict) as err:
        take(world, "60", client_key=key)
    assert err.value.code == "idempotency_key_reused"
    with pytest.raises(Conflict):
        payment_take_cash(
            customer=world.customers["BHSIKA"],
            amount="50",
            by=world.user("admin"),
            client_key=key,
        )
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount_not_positive"),
        ("0.00", "amount_not_positive"),
        ("-5", "amount_not_positive"),
        ("abc", "amount_invalid"),
        ("", "amount_missing"),
        (None, "amount_missing"),
        ("10.005", "amount_too_precise"),
        ("NaN", "amount_invalid"),
        ("1e3", "amount_invalid"),
        (10.5, "amount_not_decimal"),
        (True, "amount_invalid"),
        ("1000000000000", "amount_too_large"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(
    world: World, amount: object, code: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        take(world, amount, client_key=str(uuid.uuid4()))
    assert err.value.code == code and err.value.field == "amount"
    assert Payment.objects.count() == 0 and Journal.objects.count() == 0


def test_a_currency_without_decimals_refuses_paise(world: World) -> None:
    world.company.currency = "UGX"
    world.company.save()
    customer = world.customers["BHKATS"]
    customer.company.currency = "UGX"
    with pytest.raises(ValidationFailed) as err:
        payment_take_cash(customer=customer, amount="100.50", by=world.user("csa"))
    assert err.value.code == "amount_too_precise"
    assert "UGX" in err.value.message
    assert Payment.objects.count() == 0


def test_unknown_service_and_bad_client_key_are_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as err:
        take(world, "10", service="GAS")
    assert err.value.code == "service_invalid"
    with pytest.raises(ValidationFailed) as err:
        take(world, "10", client_key="not-a-uuid")
    assert err.value.code == "client_key_invalid"
    assert Payment.objects.count() == 0 and PaymentAllocation.objects.count() == 0


def test_who_may_take_a_payment_from_whom(world: World) -> None:
    assert get_customer_for_payment(world.user("csa"), "bhkats00101").pk == (
        world.customers["BHKATS"].pk
    )
    with pytest.raises(Http404):  # another plant
        get_customer_for_payment(world.user("csa"), "BHSIKA00101")
    with pytest.raises(Http404):  # another company
        get_customer_for_payment(world.user("admin"), "BHKATS00101X")
    with pytest.raises(PermissionDenied):  # operators do not collect
        get_customer_for_payment(world.user("operator"), "BHKATS00101")
    with pytest.raises(PermissionDenied):
        get_customer_for_payment(world.user("ho_manager"), "BHKATS00101")
    assert get_customer_for_payment(world.user("cluster_incharge"), "BHKATS00101")
