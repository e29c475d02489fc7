"""Amount payable (manual 4.6) and the billing and payment detail (manual
4.7) from the ledger: per service, the running balance, the search."""

from __future__ import annotations

from decimal import Decimal

from mcoms.billing.documents.statement import amount_payable, customer_statement
from mcoms.billing.documents.tests.conftest import Billed
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Service

D = Decimal


def test_amount_payable_by_service_with_the_total(billed: Billed) -> None:
    payable = amount_payable(billed.customer)
    assert [(r.service, r.amount) for r in payable.rows] == [
        ("CHG", D("473.50")),  # 436.75 + 436.75 - 400.00
        ("EMI", D("125.75")),
    ]
    assert payable.total == D("599.25") == billed.april.amount_due
    assert payable.last_bill == billed.april
    assert not payable.in_credit


def test_the_deposit_held_is_not_owed_but_the_deposit_due_is(billed: Billed) -> None:
    c = billed.customer
    due = ledger.account_get_or_create(
        company=c.company,
        code=f"CUS:{c.customer_id}:AR:DEP",
        name="Deposit due",
        kind="asset",
        service=Service.DEPOSIT,
        holder_type="customer",
        holder_ref=c.customer_id,
        plant=c.plant,
    )
    held = ledger.account_for_customer_deposit(
        company=c.company, customer_id=c.customer_id, plant=c.plant
    )
    ledger.journal_post(
        company=c.company,
        idempotency_key="dep-due",
        lines=[(due, D("300.00")), (held, D("-300.00"))],
        kind="security_deposit_due",
    )
    payable = amount_payable(c)
    assert {r.service: r.amount for r in payable.rows}["DEP"] == D("300.00")
    assert payable.total == D("899.25")


def test_the_statement_has_debits_credits_and_the_running_balance(
    billed: Billed,
) -> None:
    statement = customer_statement(billed.customer)
    rows = statement.rows[::-1]  # oldest first
    assert [(r.kind, r.amount, r.balance, r.bill_number) for r in rows] == [
        ("bill", D("436.75"), D("436.75"), "BHKATS-2026-000001"),
        ("cash_collection", D("-400.00"), D("36.75"), ""),
        ("bill", D("562.50"), D("599.25"), "BHKATS-2026-000002"),
    ]
    assert rows[1].credit == D("400.00") and rows[1].debit is None
    assert rows[2].services == ("CHG", "EMI")
    assert statement.balance == D("599.25")
    assert statement.count == 3


def test_the_statement_is_searchable(billed: Billed) -> None:
    def found(q: str) -> list[str]:
        return [r.kind for r in customer_statement(billed.customer, q).rows]

    assert found("000002") == ["bill"]
    assert found("receipt r-1") == ["cash_collection"]
    assert found("400.00") == ["cash_collection"]
    assert found("appliance") == ["bill"]  # a service of the April bill
    assert found("nothing like this") == []
    assert customer_statement(billed.customer, "000002").balance == D("599.25")
