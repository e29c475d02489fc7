from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mcoms.core.errors import ValidationFailed
from mcoms.notifications.gateways.locmem import Sms
from mcoms.notifications.models import Message, OtpCode
from mcoms.notifications.otp import otp_hash, otp_request, otp_verify
from mcoms.notifications.testing import last_code, sms_outbox

__all__ = ["sms_outbox"]

PHONE = "+919800000333"


@pytest.fixture
def send(
    db: None, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> Any:
    def request(**kwargs: Any) -> OtpCode:
        kwargs = {"phone": PHONE, "purpose": "login", **kwargs}
        with django_capture_on_commit_callbacks(execute=True):
            return otp_request(**kwargs)

    return request


def test_it_sends_a_six_digit_code_by_sms(send: Any, sms_outbox: list[Sms]) -> None:
    otp = send(phone="98000 00333")
    assert otp.phone == PHONE
    assert [s.to for s in sms_outbox] == [PHONE]
    code = last_code(sms_outbox)
    assert len(code) == 6
    assert code.isdigit()
    assert "sign-in code" in sms_outbox[0].body
    assert otp.expires_at - otp.created_at == timedelta(minutes=10)


def test_it_stores_a_hash_and_never_the_code(send: Any, sms_outbox: list[Sms]) -> None:
    otp = send()
    code = last_code(sms_outbox)
    otp.refresh_from_db()
    assert otp.code_hash == otp_hash(phone=PHONE, purpose="login", code=code)
    assert code not in otp.code_hash
    # The outbox copy of the SMS is masked once it has been sent.
    assert code not in Message.objects.get().body


def test_the_sms_is_in_the_requested_language(send: Any, sms_outbox: list[Sms]) -> None:
    send(purpose="verify", language="hi")
    assert "सत्यापन कोड" in sms_outbox[0].body


def test_a_new_code_replaces_the_earlier_one(send: Any, sms_outbox: list[Sms]) -> None:
    first = send()
    old = last_code(sms_outbox)
    send()
    new = last_code(sms_outbox)
    first.refresh_from_db()
    assert first.invalidated
    if old != new:  # one in a million they are equal
        with pytest.raises(ValidationFailed) as err:
            otp_verify(phone=PHONE, purpose="login", code=old)
        assert err.value.code == "otp_wrong"
    otp_verify(phone=PHONE, purpose="login", code=new)


def test_codes_of_other_purposes_stay_valid(send: Any, sms_outbox: list[Sms]) -> None:
    send(purpose="verify")
    verify_code = last_code(sms_outbox)
    send(purpose="login")
    otp_verify(phone=PHONE, purpose="verify", code=verify_code)


def test_it_refuses_an_invalid_phone_and_writes_nothing(send: Any) -> None:
    for phone in ["12", "not a phone", "+91 00000 00000", ""]:
        with pytest.raises(ValidationFailed) as err:
            send(phone=phone)
        assert err.value.code == "phone_invalid"
    assert not OtpCode.objects.exists()
    assert not Message.objects.exists()


def test_it_refuses_an_unknown_purpose(send: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        send(purpose="anything")
    assert err.value.code == "otp_purpose_unknown"


def test_it_limits_codes_per_phone_and_hour(
    send: Any, sms_outbox: list[Sms], settings: Any
) -> None:
    settings.OTP_MAX_PER_HOUR = 5
    for purpose in ["login", "verify", "login", "profile_edit", "login"]:
        send(purpose=purpose)
    with pytest.raises(ValidationFailed) as err:
        send()
    assert err.value.code == "otp_rate_limited"
    assert len(sms_outbox) == 5
    assert OtpCode.objects.count() == 5
    # An hour later the number may ask again.
    OtpCode.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    send()
    assert len(sms_outbox) == 6


def test_it_refuses_a_new_code_while_locked(
    send: Any, sms_outbox: list[Sms], settings: Any
) -> None:
    settings.OTP_MAX_TRIES = 1
    send()
    wrong = "000000" if last_code(sms_outbox) != "000000" else "111111"
    with pytest.raises(ValidationFailed):
        otp_verify(phone=PHONE, purpose="login", code=wrong)
    with pytest.raises(ValidationFailed) as err:
        send()
    assert err.value.code == "otp_locked"
    assert len(sms_outbox) == 1
