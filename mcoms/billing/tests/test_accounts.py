"""The bulk accounts of a billing chunk are the ledger's own accounts."""

from __future__ import annotations

from decimal import Decimal

from mcoms.billing import accounts
from mcoms.billing.tests.conftest import Site
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Account

FIELDS = ("code", "name", "kind", "service", "holder_type", "holder_ref", "currency")


def test_bulk_receivables_are_made_like_the_ledgers_and_found_again(site: Site):
    company, plant = site.world.company, site.plant
    cid = site.world.customers["BHKATS"].customer_id
    made = accounts.receivables(company=company, plant=plant, keys={(cid, "CHG")})
    bulk = made[(cid, "CHG")]
    again = ledger.account_for_customer(
        company=company, customer_id=cid, plant=plant, service="CHG"
    )
    assert again.pk == bulk.pk  # the ledger finds the bulk-made account
    fresh = ledger.account_for_customer(
        company=company, customer_id=cid, plant=plant, service="WATER"
    )
    twin = accounts._receivable(company, plant, cid, "WATER", None)
    assert dict(zip(("company", "plant", *FIELDS), twin[:9], strict=True)) == {
        "company": company.pk,
        "plant": plant.pk,
        **{f: getattr(fresh, f) for f in FIELDS},
    }
    assert bulk.balance == Decimal("0.00") and bulk.plant_id == plant.pk
    assert Account.objects.filter(holder_ref=cid).count() == 2


def test_it_reads_the_outstanding_but_the_deposit(site: Site):
    company, plant = site.world.company, site.plant
    cid = site.world.customers["BHKATS"].customer_id
    chg = ledger.account_for_customer(
        company=company, customer_id=cid, plant=plant, service="CHG"
    )
    dep = ledger.account_for_customer(
        company=company, customer_id=cid, plant=plant, service="DEP"
    )
    revenue = ledger.account_for_plant_revenue(plant=plant, service="CHG")
    ledger.journal_post(
        company=company,
        idempotency_key="x",
        kind="t",
        lines=[(chg, Decimal("70.00")), (revenue, Decimal("-70.00"))],
    )
    cash = ledger.account_for_staff_cash(company=company, username="csa")
    ledger.journal_post(
        company=company,
        idempotency_key="y",
        kind="t",
        lines=[(cash, Decimal("20.00")), (dep, Decimal("-20.00"))],
    )
    assert accounts.owed_locked(company=company, customer_ids=[cid]) == {
        cid: Decimal("70.00")
    }
