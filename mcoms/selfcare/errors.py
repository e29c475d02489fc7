"""Customer-facing wording, in the user's language, of the sign-in errors
that the domain raises with a stable ``code``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mcoms.core.errors import DomainError

MESSAGES = {
    "phone_invalid": _("Enter a valid 10-digit mobile number."),
    "phone_unknown": _(
        "No customer account uses this mobile number. Check the number or "
        "call the helpline."
    ),
    "otp_rate_limited": _("Too many codes for this number. Try again in an hour."),
    "otp_locked": _("Too many wrong codes. Sign-in is locked for a while."),
    "otp_wrong": _("Wrong code. Check the SMS and try again."),
    "otp_expired": _("This code has expired. Ask for a new code."),
    "otp_used": _("This code was already used. Ask for a new code."),
    "otp_missing": _("No code was sent to this number. Ask for a code."),
}


def message_for(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, error.message))
