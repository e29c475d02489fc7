"""Decimal money helpers: one rounding rule (ROUND_HALF_UP) for the whole system."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mcoms.core.errors import ValidationFailed

CENT = Decimal("0.01")
RATE = Decimal("0.0001")
KWH = Decimal("0.001")
MAX_AMOUNT = Decimal("999999999999.99")


def quantize(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Round with the house rule (half up)."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def parse_amount(
    raw: object, *, field: str = "amount", allow_zero: bool = False
) -> Decimal:
    """Parse user input into an amount; refuse floats, junk, >2 decimals, <=0."""
    if isinstance(raw, float):
        raise ValidationFailed(
            "amount_not_decimal", "Amounts must be sent as strings.", field=field
        )
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            "amount_invalid", f"{raw!r} is not a number.", field=field
        ) from exc
    if not value.is_finite():
        raise ValidationFailed("amount_invalid", "Amount must be finite.", field=field)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationFailed(
            "amount_too_precise", "At most 2 decimal places.", field=field
        )
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationFailed(
            "amount_not_positive", "Amount must be greater than zero.", field=field
        )
    if value > MAX_AMOUNT:
        raise ValidationFailed("amount_too_large", "Amount is too large.", field=field)
    return quantize(value)
