from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from mcoms.core.errors import DomainError, ValidationFailed
from mcoms.notifications.gateways.locmem import Sms
from mcoms.notifications.models import OtpCode
from mcoms.notifications.otp import otp_request, otp_verify
from mcoms.notifications.testing import last_code, sms_outbox

__all__ = ["sms_outbox"]

PHONE = "+919800000444"


@pytest.fixture
def code(
    db: None, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        otp_request(phone=PHONE, purpose="login")
    return last_code(sms_outbox)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _error(code: str, *, phone: str = PHONE, purpose: str = "login") -> str:
    with pytest.raises(ValidationFailed) as err:
        otp_verify(phone=phone, purpose=purpose, code=code)
    return err.value.code


def test_the_right_code_is_accepted_once(code: str) -> None:
    otp_verify(phone="098000 00444", purpose="login", code=f" {code} ")
    assert OtpCode.objects.get().used_at is not None
    assert _error(code) == "otp_used"


def test_a_wrong_code_is_refused_and_counted(code: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        otp_verify(phone=PHONE, purpose="login", code=_wrong(code))
    assert err.value.code == "otp_wrong"
    assert "4 tries left" in err.value.message
    # The count survives the error (it is committed before raising).
    assert OtpCode.objects.get().attempts == 1
    otp_verify(phone=PHONE, purpose="login", code=code)


def test_the_code_of_another_purpose_does_not_work(code: str) -> None:
    assert _error(code, purpose="verify") == "otp_missing"


def test_an_expired_code_is_refused(code: str) -> None:
    OtpCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _error(code) == "otp_expired"


def test_no_code_requested_is_missing(db: None) -> None:
    assert _error("123456") == "otp_missing"


def test_five_wrong_tries_kill_the_code_and_lock_the_phone(
    code: str, settings: Any
) -> None:
    settings.OTP_LOCKOUT_MINUTES = 30
    codes = [_error(_wrong(code)) for _ in range(5)]
    assert codes == ["otp_wrong"] * 4 + ["otp_locked"]
    otp = OtpCode.objects.get()
    assert (otp.attempts, otp.invalidated) == (5, True)
    # Even the right code is refused now.
    assert _error(code) == "otp_locked"
    # After the lockout the dead code stays dead; a new one must be asked for.
    OtpCode.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _error(code) == "otp_missing"


def test_it_refuses_an_invalid_phone(db: None) -> None:
    assert _error("123456", phone="abc") == "phone_invalid"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_checks_of_the_right_code_succeed_once(
    sms_outbox: list[Sms],
) -> None:
    otp_request(phone=PHONE, purpose="login")  # autocommit: sent at once
    right = last_code(sms_outbox)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def check() -> None:
        try:
            barrier.wait()
            otp_verify(phone=PHONE, purpose="login", code=right)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "otp_used", "otp_used", "otp_used"]
