"""The verification token printed in a receipt's QR code (docs/decisions/0091).

``<payment id in base 36>.<16 characters of HMAC-SHA256>``, e.g.
``2s.q1Zb8fKx0dT3hW9c``: short enough for a small QR code, 96 bits of
signature. The HMAC (Django's ``salted_hmac`` with a salt of its own, keyed
by ``SECRET_KEY``) covers the receipt's number, amount, time, customer and
company, so a token made up or edited by hand does not verify, and a genuine
token names exactly one stored receipt. Tokens signed with a key listed in
``SECRET_KEY_FALLBACKS`` still verify after a key rotation.
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "mcoms.receipts.verify"
MAC_CHARS = 16
TOKEN = re.compile(r"^(?P<ref>[0-9a-z]{1,13})\.(?P<mac>[A-Za-z0-9_-]{16})$")
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    out = ""
    while True:
        n, rest = divmod(n, 36)
        out = DIGITS[rest] + out
        if n == 0:
            return out


@dataclass(frozen=True)
class Signed:
    """What a token signs: the receipt as stored."""

    payment_id: int
    number: str
    amount: Decimal
    issued_at: datetime
    customer_id: str
    company_id: int

    def message(self) -> str:
        stamp = self.issued_at.astimezone(UTC).isoformat(timespec="seconds")
        return (
            f"{self.payment_id}|{self.number}|{self.amount:.2f}|{stamp}|"
            f"{self.customer_id}|{self.company_id}"
        )


def _mac(message: str, secret: str) -> str:
    digest = salted_hmac(SALT, message, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]


def token_make(signed: Signed) -> str:
    """The token of a receipt, signed with the current ``SECRET_KEY``."""
    mac = _mac(signed.message(), settings.SECRET_KEY)
    return f"{base36(signed.payment_id)}.{mac}"


def token_payment_id(token: str) -> int | None:
    """The payment id a well-formed token names; None for anything else."""
    found = TOKEN.match(token or "")
    return int(found["ref"], 36) if found else None


def token_valid(token: str, signed: Signed) -> bool:
    """Whether ``token`` is the signature of ``signed`` (with the current key
    or a fallback), compared in constant time."""
    found = TOKEN.match(token or "")
    if not found or int(found["ref"], 36) != signed.payment_id:
        return False
    message = signed.message()
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    given = found["mac"].encode()
    return any(hmac.compare_digest(given, _mac(message, s).encode()) for s in secrets)
