from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from mcoms.ledger import services as ledger
from mcoms.ledger.models import Account, Service
from mcoms.org.models import Company
from tests.builders import World


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")
    )


@dataclass
class Books:
    company: Company
    receivable: Account  # customer BHKATS, energy
    water: Account  # customer BHKATS, water
    revenue: Account  # plant BHKATS, energy
    cash: Account  # csa's cash in hand
    bank: Account
    foreign: Account  # an account of the other company


@pytest.fixture
def books(world: World) -> Books:
    company = world.company
    plant = world.plants["BHKATS"]
    customer = world.customers["BHKATS"]
    other = world.customers["other"]
    return Books(
        company=company,
        receivable=ledger.account_for_customer(
            company=company,
            customer_id=customer.customer_id,
            plant=plant,
            service=Service.ENERGY,
        ),
        water=ledger.account_for_customer(
            company=company,
            customer_id=customer.customer_id,
            plant=plant,
            service=Service.WATER,
        ),
        revenue=ledger.account_for_plant_revenue(plant=plant, service=Service.ENERGY),
        cash=ledger.account_for_staff_cash(
            company=company, username="csa", plant=plant
        ),
        bank=ledger.account_for_company_bank(company=company),
        foreign=ledger.account_for_customer(
            company=world.other_company,
            customer_id=other.customer_id,
            plant=other.plant,
            service=Service.ENERGY,
        ),
    )
