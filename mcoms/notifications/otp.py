"""One-time codes sent by SMS: request, then verify.

Rules (settings): a code lives ``OTP_TTL_MINUTES`` (10); ``OTP_MAX_TRIES`` (5)
wrong tries kill it and lock the phone and purpose for ``OTP_LOCKOUT_MINUTES``;
one phone may request ``OTP_MAX_PER_HOUR`` (5) codes an hour. Only an
HMAC-SHA256 of the code (keyed with ``SECRET_KEY``) is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mcoms.core.errors import ValidationFailed
from mcoms.notifications.models import Channel, OtpCode, OtpPurpose
from mcoms.notifications.phones import phone_normalise
from mcoms.notifications.services import message_queue
from mcoms.org.models import User

CODE_DIGITS = 6


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def otp_hash(*, phone: str, purpose: str, code: str) -> str:
    msg = f"{phone}|{purpose}|{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).hexdigest()


def _locked_until(phone: str, purpose: str, now: datetime) -> datetime | None:
    return (
        OtpCode.objects.filter(phone=phone, purpose=purpose, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )


def _locked(until: datetime) -> ValidationFailed:
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    return ValidationFailed(
        "otp_locked",
        f"Too many wrong codes. Try again in {minutes} minutes.",
        field="code",
    )


def _check_purpose(purpose: str) -> None:
    if purpose not in OtpPurpose.values:
        raise ValidationFailed(
            "otp_purpose_unknown", f"Unknown purpose {purpose!r:.30}."
        )


@transaction.atomic
def otp_request(
    *, phone: str, purpose: str, language: str = "en", user: User | None = None
) -> OtpCode:
    """Make a new 6-digit code for ``phone`` and ``purpose`` and queue its SMS.

    Earlier live codes for the same phone and purpose stop working.
    """
    phone = phone_normalise(phone=phone)
    _check_purpose(purpose)
    now = timezone.now()
    until = _locked_until(phone, purpose, now)
    if until is not None:
        raise _locked(until)
    per_hour = _setting("OTP_MAX_PER_HOUR", 5)
    recent = OtpCode.objects.filter(
        phone=phone, created_at__gt=now - timedelta(hours=1)
    ).count()
    if recent >= per_hour:
        raise ValidationFailed(
            "otp_rate_limited",
            f"At most {per_hour} codes an hour for one number. Try again later.",
            field="phone",
        )
    OtpCode.objects.filter(
        phone=phone, purpose=purpose, used_at__isnull=True, invalidated=False
    ).update(invalidated=True)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    ttl = _setting("OTP_TTL_MINUTES", 10)
    otp = OtpCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=otp_hash(phone=phone, purpose=purpose, code=code),
        created_at=now,
        expires_at=now + timedelta(minutes=ttl),
    )
    message_queue(
        channel=Channel.SMS,
        template="otp_login" if purpose == OtpPurpose.LOGIN else "otp_verify",
        context={"code": code, "minutes": ttl, "purpose": purpose},
        user=user,
        phone=phone,
        language=language,
        redact=["code"],
        expires_at=otp.expires_at,
    )
    return otp


def otp_verify(*, phone: str, purpose: str, code: str) -> None:
    """Accept the latest code for ``phone`` and ``purpose`` once, or raise
    ValidationFailed: ``otp_missing``, ``otp_used``, ``otp_expired``,
    ``otp_wrong`` or ``otp_locked``.

    A wrong try is counted in its own transaction that is finished *before*
    the error is raised, so the count survives the error. Call it outside an
    enclosing ``transaction.atomic()``: an outer block that rolls back on the
    error would undo the count (and with it the brute-force limit).
    """
    phone = phone_normalise(phone=phone)
    _check_purpose(purpose)
    error = _otp_check(phone, purpose, str(code or "").strip())
    if error is not None:
        raise error


@transaction.atomic
def _otp_check(phone: str, purpose: str, code: str) -> ValidationFailed | None:
    """Lock the latest code row, judge the try, save the outcome; return the
    error instead of raising so the transaction commits."""
    now = timezone.now()
    otp = (
        OtpCode.objects.select_for_update()
        .filter(phone=phone, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )
    until = _locked_until(phone, purpose, now)
    if until is not None:
        return _locked(until)
    if otp is None or otp.invalidated:
        return ValidationFailed(
            "otp_missing",
            "No code was sent to this number. Ask for a code.",
            field="code",
        )
    if otp.used_at is not None:
        return ValidationFailed(
            "otp_used",
            "This code was already used. Ask for a new code.",
            field="code",
        )
    if otp.expires_at <= now:
        return ValidationFailed(
            "otp_expired", "This code has expired. Ask for a new code.", field="code"
        )
    expected = otp_hash(phone=phone, purpose=purpose, code=code)
    if hmac.compare_digest(expected, otp.code_hash):
        otp.used_at = now
        otp.save(update_fields=["used_at"])
        return None
    return _wrong_try(otp, now)


def _wrong_try(otp: OtpCode, now: datetime) -> ValidationFailed:
    otp.attempts += 1
    left = _setting("OTP_MAX_TRIES", 5) - otp.attempts
    if left > 0:
        otp.save(update_fields=["attempts"])
        tries = "try" if left == 1 else "tries"
        return ValidationFailed(
            "otp_wrong", f"Wrong code. {left} {tries} left.", field="code"
        )
    otp.invalidated = True
    otp.locked_until = now + timedelta(minutes=_setting("OTP_LOCKOUT_MINUTES", 30))
    otp.save(update_fields=["attempts", "invalidated", "locked_until"])
    return _locked(otp.locked_until)
