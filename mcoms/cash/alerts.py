"""The limit on cash in hand (manual 2.4.3): after a cash payment, an agent
whose cash in hand goes over the limit is told, and so is the cluster
in-charge. Only the payment that crosses the limit alerts; later ones do not
until a deposit brings the cash under the limit again.

Registered as a payment hook (``mcoms.payments.hooks``): it runs inside the
payment's transaction, where the agent's cash account is locked and its
cached balance already moved, so two racing payments cannot both (or
neither) be the one that crosses. The messages are delivered after commit.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from mcoms.cash import notify
from mcoms.cash.selectors import limit_for
from mcoms.core.errors import DomainError
from mcoms.ledger.models import Account, HolderType

if TYPE_CHECKING:
    from mcoms.payments.models import Payment

log = logging.getLogger(__name__)


def _cash_account(payment: Payment) -> Account | None:
    """The staff cash account the payment's journal debited."""
    return (
        Account.objects.filter(
            entries__journal_id=payment.journal_id,
            entries__amount__gt=0,
            holder_type=HolderType.STAFF,
        )
        .order_by("pk")
        .first()
    )


def limit_check_after_payment(payment: Payment) -> None:
    if payment.channel != "cash" or payment.collected_by_id is None:
        return
    limit = limit_for(payment.plant)
    if limit is None:
        return
    account = _cash_account(payment)
    if account is None:
        return
    after = account.balance  # read under the payment's lock, already moved
    before = after - payment.amount
    if not (before <= limit < after):
        return
    try:
        notify.tell_limit_crossed(
            agent=payment.collected_by,  # type: ignore[arg-type]
            plant=payment.plant,
            cash=after,
            limit=limit,
        )
    except DomainError:  # a missing template must not undo the payment
        log.exception("Could not queue the cash limit alert for %s", payment.pk)
