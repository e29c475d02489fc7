from __future__ import annotations

import pytest

from mcoms.ledger import services as ledger
from mcoms.ledger.models import Account, AccountKind, HolderType, Service

pytestmark = pytest.mark.django_db


def test_customer_accounts_are_per_service_and_reused(world):
    customer = world.customers["BHKATS"]
    plant = world.plants["BHKATS"]
    args = {
        "company": world.company,
        "customer_id": customer.customer_id,
        "plant": plant,
    }
    chg = ledger.account_for_customer(service=Service.ENERGY, **args)
    assert chg.code == f"CUS:{customer.customer_id}:AR:CHG"
    assert (chg.kind, chg.holder_type, chg.holder_ref, chg.plant) == (
        AccountKind.ASSET,
        HolderType.CUSTOMER,
        customer.customer_id,
        plant,
    )
    assert ledger.account_for_customer(service=Service.ENERGY, **args).pk == chg.pk
    emi = ledger.account_for_customer(service=Service.APPLIANCE, **args)
    assert emi.pk != chg.pk
    deposit = ledger.account_for_customer(service=Service.DEPOSIT, **args)
    assert (deposit.code, deposit.kind) == (
        f"CUS:{customer.customer_id}:DEP",
        AccountKind.LIABILITY,
    )


def test_standard_accounts_have_stable_codes(world):
    company = world.company
    plant = world.plants["BHKATS"]
    revenue = ledger.account_for_plant_revenue(plant=plant, service=Service.WATER)
    cash = ledger.account_for_staff_cash(company=company, username="csa", plant=plant)
    bank = ledger.account_for_company_bank(company=company)
    clearing = ledger.account_for_provider_clearing(company=company, provider="upi")
    assert [a.code for a in (revenue, cash, bank, clearing)] == [
        "PLT:BHKATS:REV:WATER",
        "STF:csa:CASH",
        "CO:BANK",
        "PRV:upi:CLR",
    ]
    assert revenue.kind == AccountKind.INCOME
    assert {a.currency for a in (revenue, cash, bank, clearing)} == {"INR"}


def test_same_code_in_two_companies_is_two_accounts(world):
    ledger.account_for_company_bank(company=world.company)
    ledger.account_for_company_bank(company=world.other_company)
    assert Account.objects.filter(code="CO:BANK").count() == 2


def test_get_or_create_returns_the_winner_when_the_row_appears_meanwhile(world):
    """A racing creator won: the insert hits the unique constraint, we re-read."""
    company = world.company
    winner = Account.objects.create(
        company=company,
        code="CO:BANK",
        name="winner",
        kind=AccountKind.ASSET,
        holder_type=HolderType.COMPANY,
    )
    original = Account.objects.filter
    calls = []

    class _Miss:
        def first(self):
            return None

    def filter_once(*args, **kwargs):
        if not calls:
            calls.append(1)
            return _Miss()
        return original(*args, **kwargs)

    Account.objects.filter = filter_once  # type: ignore[method-assign]
    try:
        account = ledger.account_for_company_bank(company=company)
    finally:
        Account.objects.filter = original  # type: ignore[method-assign]
    assert account.pk == winner.pk
    assert Account.objects.filter(code="CO:BANK", company=company).count() == 1
