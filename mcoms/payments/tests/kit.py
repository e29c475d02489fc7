"""Helpers for the payments tests: charges on a customer's receivables (as a
bill would post them) and the balances read back from the ledger."""

from __future__ import annotations

import uuid
from decimal import Decimal

from mcoms.customers.models import Customer
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Account, Journal
from mcoms.ledger.selectors import account_balance, customer_balances
from mcoms.payments.services.payments import receivable_for

D = Decimal


def charge(customer: Customer, service: str, amount: str) -> Journal:
    """A charge of ``amount`` on one of the customer's receivables."""
    company = customer.plant.company
    value = D(amount)
    revenue = ledger.account_for_plant_revenue(
        plant=customer.plant, service="CHG" if service == "DEP" else service
    )
    return ledger.journal_post(
        company=company,
        idempotency_key=f"test-charge:{uuid.uuid4()}",
        kind="bill",
        lines=[(receivable_for(customer, service), value), (revenue, -value)],
    )


def owed(customer: Customer) -> dict[str, Decimal]:
    """The customer's receivables per service (deposit liability left out)."""
    rows = customer_balances(customer.plant.company, customer.customer_id)
    dep_liability = Account.objects.filter(
        company=customer.plant.company, code=f"CUS:{customer.customer_id}:DEP"
    ).first()
    if dep_liability is not None and "DEP" in rows:
        rows["DEP"] -= account_balance(dep_liability)
    return {k: v for k, v in rows.items() if v}


def balance(code: str, customer: Customer) -> Decimal:
    return account_balance(
        Account.objects.get(company=customer.plant.company, code=code)
    )
