"""Customer sign-in by mobile number and a one-time code sent by SMS.

Used by selfcare (web) and the API. ``customer_login_finish`` must be called
outside an enclosing transaction (see ``otp_verify``), so that wrong tries are
counted even though an error is raised.
"""

from __future__ import annotations

from django.db import transaction

from mcoms.core.errors import ValidationFailed
from mcoms.customers.models import Customer
from mcoms.customers.services import customer_user_for_phone
from mcoms.notifications.models import OtpPurpose
from mcoms.notifications.otp import otp_request, otp_verify
from mcoms.notifications.phones import phone_normalise
from mcoms.org.models import Language, User


def _customers(phone: str) -> list[Customer]:
    return list(Customer.objects.filter(phone=phone).order_by("created_at", "pk"))


def _unknown() -> ValidationFailed:
    return ValidationFailed(
        "phone_unknown",
        "No customer account uses this mobile number. Check the number or "
        "call your company's helpline.",
        field="phone",
    )


def customer_login_start(*, phone: str) -> None:
    """Send a sign-in code by SMS to a customer's registered mobile number."""
    phone = phone_normalise(phone=phone)
    customers = _customers(phone)
    if not customers:
        raise _unknown()
    user = next((c.user for c in customers if c.user is not None), None)
    language = user.language if user is not None else customers[0].language
    otp_request(phone=phone, purpose=OtpPurpose.LOGIN, language=language, user=user)


def customer_login_finish(*, phone: str, code: str) -> User:
    """Check the code and return the sign-in User of this mobile number,
    linking every account of the number that has no user yet."""
    phone = phone_normalise(phone=phone)
    if not Customer.objects.filter(phone=phone).exists():
        raise _unknown()
    otp_verify(phone=phone, purpose=OtpPurpose.LOGIN, code=code)
    return _link_accounts(phone)


@transaction.atomic
def _link_accounts(phone: str) -> User:
    customers = _customers(phone)
    language = customers[0].language if customers else Language.HINDI
    user = customer_user_for_phone(phone=phone, language=language)
    for customer in customers:
        if customer.user_id is None:
            customer.user = user
            customer._history_user = user  # type: ignore[attr-defined]
            customer._change_reason = "linked at sign-in"  # type: ignore[attr-defined]
            customer.save(update_fields=["user"])
    return user
