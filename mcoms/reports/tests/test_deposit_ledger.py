"""The Security and Deposit Ledger: the deposit asked for, paid in parts and
refunded, with what is due and what is held after each row."""

from __future__ import annotations

from decimal import Decimal

from mcoms.ledger import services as ledger
from mcoms.ledger.models import Service
from mcoms.payments.services import payment_take_cash
from mcoms.payments.services.payments import receivable_for
from mcoms.reports.deposit_ledger import deposit_ledger
from tests.builders import World

D = Decimal


def test_asked_paid_in_parts_and_refunded(world: World) -> None:
    c = world.customers["BHKATS"]
    company = c.plant.company
    liability = ledger.account_for_customer_deposit(
        company=company, customer_id=c.customer_id, plant=c.plant
    )
    ledger.journal_post(
        company=company,
        idempotency_key="dep-due",
        kind="security_deposit_due",
        lines=[(receivable_for(c, Service.DEPOSIT), D("500")), (liability, D("-500"))],
    )
    for amount in ("200", "300"):
        payment_take_cash(
            customer=c, amount=amount, by=world.user("csa"), service="DEP"
        )
    bank = ledger.account_for_company_bank(company=company)
    ledger.journal_post(
        company=company,
        idempotency_key="dep-refund",
        kind="deposit_refund",
        lines=[(liability, D("100")), (bank, D("-100"))],
    )
    book = deposit_ledger(c)
    assert [
        (r.kind, r.due_change, r.held_change, r.due, r.held) for r in book.rows
    ] == [
        ("deposit_refund", D("0.00"), D("-100.00"), D("0.00"), D("400.00")),
        ("cash_collection", D("-300.00"), D("300.00"), D("0.00"), D("500.00")),
        ("cash_collection", D("-200.00"), D("200.00"), D("300.00"), D("200.00")),
        ("security_deposit_due", D("500.00"), D("0.00"), D("500.00"), D("0.00")),
    ]
    assert (book.due, book.held) == (D("0.00"), D("400.00"))
    assert book.rows[-1].label == "Security deposit due"


def test_no_deposit_no_rows(world: World) -> None:
    book = deposit_ledger(world.customers["BHSIKA"])
    assert book.rows == [] and book.due == 0 and book.held == 0
