"""Payment amounts: what a payer may send, checked against the currency.

``payment_amount`` refuses (``ValidationFailed``, nothing written) a missing,
non-numeric, zero or negative amount and one with more decimals than the
currency has (docs/decisions/0088). Minor units (paise, cents) for provider
payloads convert with ``from_minor`` / ``to_minor``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from mcoms.core.errors import ValidationFailed
from mcoms.core.money import parse_amount

# Digits with at most one decimal point (no exponents, no thousands separators).
PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
# Decimals of the currencies MCOMS meets; the ledger keeps at most 2.
CURRENCY_DECIMALS = {
    "INR": 2,
    "KES": 2,
    "TZS": 2,
    "NGN": 2,
    "USD": 2,
    "EUR": 2,
    "UGX": 0,
    "RWF": 0,
}


def decimals_of(currency: str) -> int:
    return CURRENCY_DECIMALS.get(currency.upper(), 2)


def payment_amount(raw: object, *, currency: str, field: str = "amount") -> Decimal:
    """The amount the payer gives, or a clear error."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationFailed("amount_missing", _("Enter the amount."), field=field)
    if isinstance(raw, bool):
        raise ValidationFailed(
            "amount_invalid", _("The amount must be a number."), field=field
        )
    if isinstance(raw, str) and not PLAIN.fullmatch(raw.strip()):
        raise ValidationFailed(
            "amount_invalid", _("The amount must be a number."), field=field
        )
    try:
        value = parse_amount(raw, field=field)
    except ValidationFailed as exc:
        messages = {
            "amount_invalid": _("The amount must be a number."),
            "amount_not_decimal": _('Send the amount as a string, e.g. "150.50".'),
            "amount_not_positive": _("The amount must be more than zero."),
            "amount_too_large": _("The amount is too large."),
            "amount_too_precise": _("%(currency)s has at most %(n)s decimals.")
            % {"currency": currency, "n": decimals_of(currency)},
        }
        raise ValidationFailed(
            exc.code, messages.get(exc.code, exc.message), field=field
        ) from exc
    places = decimals_of(currency)
    exponent = Decimal(str(raw).strip()).normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValidationFailed(
            "amount_too_precise",
            _("%(currency)s has at most %(n)s decimals.")
            % {"currency": currency, "n": places},
            field=field,
        )
    return value


def from_minor(units: object, *, currency: str) -> Decimal:
    """An amount in minor units (an int: paise, cents) as a Decimal."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise ValidationFailed("amount_invalid", _("The amount must be a number."))
    return Decimal(units).scaleb(-decimals_of(currency)).quantize(Decimal("0.01"))


def to_minor(amount: Decimal, *, currency: str) -> int:
    return int(amount.scaleb(decimals_of(currency)))
