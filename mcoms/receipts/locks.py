"""Row locks of the receipts app. A payment's transaction takes the ledger
accounts first (``mcoms.ledger.locks``, by primary key), then the receipt
sequence of the payment's plant and year here; nothing locks them the other
way round."""

from __future__ import annotations

from mcoms.org.models import Plant
from mcoms.receipts.models import ReceiptSequence


def sequence_locked(plant: Plant, year: int) -> ReceiptSequence:
    """The plant's receipt sequence of ``year``, made if missing, locked."""
    ReceiptSequence.objects.bulk_create(
        [ReceiptSequence(plant=plant, year=year)], ignore_conflicts=True
    )
    return ReceiptSequence.objects.select_for_update().get(plant=plant, year=year)
