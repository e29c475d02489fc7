"""Stage 3 from the customer app (manual 4.2.1): anyone asks for a connection,
for themselves or for someone else, and proves the mobile number with a code
sent to it by SMS. The request enters the pipeline at stage 3 ("acquisition");
the survey and marketing are completed later by the sales team, who are told.

Call ``connection_request_submit`` outside an enclosing transaction: the code
check (``otp_verify``) must commit a wrong try even though it raises.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mcoms.acquisition import notify
from mcoms.acquisition.models import Channel, EventKind, Prospect, Stage
from mcoms.acquisition.services import _base
from mcoms.acquisition.services.pipeline import _insert, _new
from mcoms.core.errors import ValidationFailed
from mcoms.customers.models import Customer, Segment
from mcoms.notifications.models import OtpPurpose
from mcoms.notifications.otp import otp_request, otp_verify
from mcoms.notifications.phones import phone_normalise
from mcoms.org.models import Language, Plant, User

PURPOSE = OtpPurpose.CONNECTION_REQUEST


def connection_request_start(*, phone: str, language: str = Language.HINDI) -> None:
    """Send a code by SMS to the number a connection is asked for (purpose
    ``connection_request``; the OTP limits and lockout apply)."""
    otp_request(phone=phone_normalise(phone=phone), purpose=PURPOSE, language=language)


def connection_request_submit(
    *,
    plant: Plant,
    name: str,
    phone: str,
    code: str,
    address: str = "",
    segment: str = Segment.HOUSEHOLD,
    language: str = Language.HINDI,
    note: str = "",
    referrer: Customer | None = None,
    requested_by: User | None = None,
    idempotency_key: str = "",
) -> tuple[Prospect, bool]:
    """A connection request with the code from the SMS: a prospect at stage 3
    (channel "self", or "referral" when ``referrer`` - one of the signed-in
    customer's own accounts, checked by the interface - refers someone else).
    A retry with the same key returns the first prospect, without a new code."""
    key = _base.check_key(idempotency_key)
    phone = phone_normalise(phone=phone)
    found = _base.existing(plant.company_id, key)
    if found is not None:
        return found, False
    if referrer is not None and referrer.company_id != plant.company_id:
        raise ValidationFailed(
            "referrer_other_company",
            "The referring customer is not a customer of this company.",
            field="referrer",
        )
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
    otp_verify(phone=phone, purpose=PURPOSE, code=code)
    return _create(prospect, key, referrer=referrer, note=note, by=requested_by)


@transaction.atomic
def _create(
    prospect: Prospect,
    key: str,
    *,
    referrer: Customer | None,
    note: str,
    by: User | None,
) -> tuple[Prospect, bool]:
    prospect.channel = Channel.REFERRAL if referrer is not None else Channel.SELF
    prospect.referrer = referrer
    prospect.requested_by = by
    prospect.phone_verified_at = timezone.now()
    prospect.stage = Stage.ACQUISITION
    prospect.deferred = [Stage.SURVEY, Stage.MARKETING]
    prospect, created = _insert(prospect, key, by=by)
    if not created:
        return prospect, False
    _base.defer(prospect, [Stage.SURVEY, Stage.MARKETING], by=by)
    data = {"channel": prospect.channel}
    if referrer is not None:
        data["referrer"] = referrer.customer_id
    _base.record(
        prospect, Stage.ACQUISITION, EventKind.DONE, by=by, note=note, data=data
    )
    notify.tell_customer(prospect, "acq_request_received")
    notify.tell_team(prospect, task="request", by=by)
    return prospect, True
