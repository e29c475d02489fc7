"""The payment provider port: what every adapter offers.

A callback arrives as an ``Inbound`` (raw body bytes, headers, query, the
caller's address). The adapter ``verify``s it (``Refused`` when the signature,
token or address does not check out) and ``parse``s it into a ``Parsed``
(``Malformed`` when it cannot). ``answer`` says what to reply to the provider
for a stored event. Adapters with a hosted payment page also create checkout
sessions and verify the payer's return."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from mcoms.org.models import Company


class Refused(Exception):
    """The callback is not authentic (signature, token, address, shortcode)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Malformed(Exception):
    """Authentic, but its content cannot be read."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ProviderUnavailable(Exception):
    """Calling the provider failed (network, timeout, an error answer)."""


@dataclass(frozen=True)
class Inbound:
    provider: str
    company: Company | None
    kind: str  # webhook, validation, confirmation, return
    body: bytes
    headers: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)
    remote_addr: str | None = None

    def header(self, name: str) -> str:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return ""


PAY = "pay"  # a payment to record
VALIDATE = "validate"  # asks whether a payment would be accepted (M-Pesa)
IGNORE = "ignore"  # a notification that records nothing (failed, refunded ...)


@dataclass(frozen=True)
class Parsed:
    action: str
    event_ref: str = ""  # the provider's transaction id
    amount: Decimal | None = None
    currency: str = ""
    reference: str = ""  # the customer ID the payer gave
    session_ref: str = ""  # our checkout session (its uid hex) or gateway order
    channel: str = ""
    payer: str = ""
    service: str = ""
    note: str = ""


@dataclass(frozen=True)
class Checkout:
    order_ref: str
    checkout_url: str


class PaymentProvider(Protocol):
    name: str
    channels: tuple[str, ...]

    def verify(self, inbound: Inbound) -> None: ...

    def parse(self, inbound: Inbound) -> Parsed: ...

    def answer(self, *, kind: str, state: str, code: str) -> tuple[int, Any]: ...


def hmac_sha256(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets or signatures."""
    return hmac.compare_digest(a.encode(), b.encode())
