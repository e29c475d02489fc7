"""Row locks of the billing app, always taken in this order within one
transaction: the plant (creating periods), the run, the bill sequence, then
the ledger accounts (by primary key, ``mcoms.ledger.locks``)."""

from __future__ import annotations

from mcoms.billing.models import BillingRun, BillSequence
from mcoms.org.models import Plant


def plant_locked(pk: int) -> Plant:
    return (
        Plant.objects.select_for_update(of=("self",))
        .select_related("state", "company")
        .get(pk=pk)
    )


def run_locked(pk: int) -> BillingRun:
    return BillingRun.objects.select_for_update(of=("self",)).get(pk=pk)


def sequence_locked(plant: Plant, year: int) -> BillSequence:
    """The plant's bill sequence of ``year``, made if missing, locked."""
    BillSequence.objects.bulk_create(
        [BillSequence(plant=plant, year=year)], ignore_conflicts=True
    )
    return BillSequence.objects.select_for_update().get(plant=plant, year=year)
