"""Extension points of a payment, for the apps that build on it (receipts).

``register_payment_created(fn)``: ``fn(payment)`` runs inside the transaction
that writes a new payment (not on a replay), after its allocations, so a
receipt number can be taken in the same transaction (gap-free numbering rolls
back with the payment). A hook that raises undoes the payment. Work that
leaves the process belongs in ``transaction.on_commit`` inside the hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcoms.payments.models import Payment

PaymentHook = Callable[["Payment"], None]
_CREATED: list[PaymentHook] = []


def register_payment_created(fn: PaymentHook) -> PaymentHook:
    """Register ``fn`` once (an app's ``ready`` may run twice in tests)."""
    if fn not in _CREATED:
        _CREATED.append(fn)
    return fn


def run_payment_created(payment: Payment) -> None:
    for fn in list(_CREATED):
        fn(payment)
