"""Mobile numbers: parse what people type, keep E.164."""

from __future__ import annotations

import phonenumbers
from django.conf import settings

from mcoms.core.errors import ValidationFailed


def phone_normalise(*, phone: str, region: str | None = None) -> str:
    """``"98000 00001"`` -> ``"+919800000001"`` (region IN by default), or
    ValidationFailed ``phone_invalid``."""
    region = region or settings.PHONENUMBER_DEFAULT_REGION
    try:
        number = phonenumbers.parse(str(phone or "").strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise _invalid(phone) from exc
    if not phonenumbers.is_valid_number(number):
        raise _invalid(phone)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _invalid(phone: object) -> ValidationFailed:
    return ValidationFailed(
        "phone_invalid",
        f"{phone!s:.30} is not a valid mobile number.",
        field="phone",
    )
