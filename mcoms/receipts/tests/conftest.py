"""A paid customer: BHKATS00101 owes energy and water charges, and the CSA
takes a partial cash payment (``pay``) through the payments service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from mcoms.payments.models import Payment
from mcoms.payments.services import payment_take_cash
from mcoms.payments.tests.kit import charge
from mcoms.receipts.models import Receipt
from tests.builders import World


@dataclass
class Paid:
    world: World
    payment: Payment
    receipt: Receipt
    pay: Callable[..., Payment]


@pytest.fixture
def paid(world: World) -> Paid:
    customer = world.customers["BHKATS"]
    charge(customer, "CHG", "300.00")
    charge(customer, "WATER", "40.00")

    def pay(amount: str = "120.50", who: str = "BHKATS", **kw: object) -> Payment:
        return payment_take_cash(
            customer=world.customers[who],
            amount=amount,
            by=world.user("csa" if who == "BHKATS" else "sika_csa"),
            client_key=str(uuid.uuid4()),
            **kw,
        ).payment

    payment = pay()
    return Paid(world, payment, Receipt.objects.get(payment=payment), pay)
