"""Payment writes: cash in the field, provider callbacks, checkout sessions,
reversals and refunds, and the conflicts queue (docs/payments.md)."""

from mcoms.payments.services.callbacks import (
    payment_from_callback,
    payment_from_return,
    provider_event_settle,
)
from mcoms.payments.services.checkout import checkout_session_create
from mcoms.payments.services.payments import (
    Recorded,
    payment_record,
    payment_refund,
    payment_reverse,
    payment_take_cash,
)

__all__ = [
    "Recorded",
    "checkout_session_create",
    "payment_from_callback",
    "payment_from_return",
    "payment_record",
    "payment_refund",
    "payment_reverse",
    "payment_take_cash",
    "provider_event_settle",
]
