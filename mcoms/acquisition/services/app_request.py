"""Connection requests from the customer app's web pages (manual 4.2.1), where
the mobile number is proved on its own page before the request form:

1. ``connection_request_start`` (services.requests) sends a code by SMS;
2. ``connection_request_verify`` checks the code (once; wrong tries count);
3. ``connection_request_submit_verified`` files the request for that number.

``connection_request_submit`` (services.requests) takes the code and the
request in one call, which suits the API. The web pages ask for the code first
so that a wrong code is said at once, not after the whole form; the interface
keeps the proved number in the server-side session between steps 2 and 3. A
signed-in customer's own number was proved at sign-in and skips steps 1-2.

The prospect is made exactly as ``connection_request_submit`` makes it (same
channel, deferred stages, events and messages).
"""

from __future__ import annotations

from django.db import transaction

from mcoms.acquisition.models import Prospect
from mcoms.acquisition.services import _base
from mcoms.acquisition.services.pipeline import _new
from mcoms.acquisition.services.requests import PURPOSE, _create
from mcoms.core.errors import ValidationFailed
from mcoms.customers.models import Customer, Segment
from mcoms.notifications.otp import otp_verify
from mcoms.notifications.phones import phone_normalise
from mcoms.org.models import Language, Plant, User


def connection_request_verify(*, phone: str, code: str) -> str:
    """Accept the code sent to ``phone`` for a connection request; return the
    number in E.164. Raises the OTP refusals (``otp_wrong``, ``otp_expired``,
    ``otp_used``, ``otp_missing``, ``otp_locked``) or ``phone_invalid``.
    Call it outside ``transaction.atomic()`` (a wrong try must be counted)."""
    phone = phone_normalise(phone=phone)
    otp_verify(phone=phone, purpose=PURPOSE, code=code)
    return phone


def connection_request_submit_verified(
    *,
    plant: Plant,
    name: str,
    phone: str,
    address: str = "",
    segment: str = Segment.HOUSEHOLD,
    language: str = Language.HINDI,
    note: str = "",
    referrer: Customer | None = None,
    requested_by: User | None = None,
    idempotency_key: str = "",
) -> tuple[Prospect, bool]:
    """A connection request for a number the caller has proved (with
    ``connection_request_verify``, or a customer's own sign-in number): a
    prospect at stage 3, channel "self" or "referral". A retry with the same
    key returns the first prospect."""
    key = _base.check_key(idempotency_key)
    phone = phone_normalise(phone=phone)
    if referrer is not None and referrer.company_id != plant.company_id:
        raise ValidationFailed(
            "referrer_other_company",
            "The referring customer is not a customer of this company.",
            field="referrer",
        )
    with transaction.atomic():
        found = _base.existing(plant.company_id, key)
        if found is not None:
            return found, False
        prospect = _new(
            plant,
            name=name,
            phone=phone,
            segment=segment,
            language=language,
            address=address,
            key=key,
            by=requested_by,
        )
        return _create(prospect, key, referrer=referrer, note=note, by=requested_by)
