"""The adjustments line source: charges and credits added by head office
(``services.adjustment_add``) go on the customer's next bill, exactly once.

The source locks the pending adjustments of the chunk's customers; once the
lines are written, ``mark_billed`` sets each adjustment's bill with a guarded
update (only while it has none) and rolls the chunk back if any was taken
meanwhile (a run of another period of the plant working at the same moment)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mcoms.billing.extensions import ExtraLine
from mcoms.billing.models import Adjustment, LineKind
from mcoms.core.errors import Conflict

SOURCE = "adjustments"


def adjustment_lines(
    *, plant: Any, period: Any, customer_ids: Sequence[int]
) -> list[ExtraLine]:
    pending = (
        Adjustment.objects.filter(customer_id__in=list(customer_ids), bill__isnull=True)
        .order_by("pk")
        .select_for_update()
    )
    return [
        ExtraLine(
            customer_id=a.customer_id,
            service=a.service,
            kind=LineKind.ADJUSTMENT,
            description=a.description,
            amount=a.amount,
            ref=str(a.pk),
        )
        for a in pending
    ]


def mark_billed(*, period: Any, lines: Sequence[Any]) -> None:
    for line in lines:
        taken = Adjustment.objects.filter(
            pk=int(line.source_ref), bill__isnull=True
        ).update(bill_id=line.bill_id)
        if taken != 1:
            raise Conflict(
                "adjustment_already_billed",
                f"Adjustment {line.source_ref} was billed by another run.",
            )
