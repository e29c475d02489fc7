from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from mcoms.notifications.gateways.locmem import Sms
from mcoms.notifications.models import Message, MessageStatus
from mcoms.notifications.services import message_queue
from mcoms.notifications.tasks import messages_retry
from mcoms.notifications.testing import sms_outbox

__all__ = ["sms_outbox"]


def _message(status: str, *, attempts: int, claimed_minutes_ago: int = 0) -> Message:
    message = message_queue(
        channel="sms", template="test", context={"note": "x"}, phone="+919800000333"
    )
    Message.objects.filter(pk=message.pk).update(
        status=status,
        attempts=attempts,
        claimed_at=timezone.now() - timedelta(minutes=claimed_minutes_ago),
    )
    return message


def test_it_resends_stuck_and_failed_messages_that_have_tries_left(
    db: None, sms_outbox: list[Sms], settings: Any
) -> None:
    stuck = _message(MessageStatus.SENDING, attempts=1, claimed_minutes_ago=30)
    busy = _message(MessageStatus.SENDING, attempts=1, claimed_minutes_ago=1)
    failed = _message(MessageStatus.FAILED, attempts=2)
    spent = _message(MessageStatus.FAILED, attempts=3)
    sent = _message(MessageStatus.SENT, attempts=1)
    assert messages_retry() == 2
    statuses = {
        m.pk: m.status
        for m in Message.objects.filter(
            pk__in=[stuck.pk, busy.pk, failed.pk, spent.pk, sent.pk]
        )
    }
    assert statuses == {
        stuck.pk: MessageStatus.SENT,
        busy.pk: MessageStatus.SENDING,  # a live worker may still be on it
        failed.pk: MessageStatus.SENT,
        spent.pk: MessageStatus.FAILED,
        sent.pk: MessageStatus.SENT,
    }
    assert len(sms_outbox) == 2


def test_the_command_reports_what_it_queued(db: None, sms_outbox: list[Sms]) -> None:
    _message(MessageStatus.FAILED, attempts=1)
    out = StringIO()
    call_command("notifications_retry", stdout=out)
    assert "1 message(s) queued again." in out.getvalue()


def _otp_message(settings: Any) -> Message:
    return message_queue(
        channel="sms",
        template="otp_verify",
        context={"code": "123456", "minutes": 10, "purpose": "verify"},
        phone="+919800000334",
        redact=["code"],
        expires_at=timezone.now() + timedelta(minutes=10),
    )


def test_a_failed_otp_keeps_its_code_for_the_retry_then_masks_it(
    db: None, sms_outbox: list[Sms], settings: Any
) -> None:
    from mcoms.notifications.tasks import deliver_message

    message = _otp_message(settings)
    settings.SMS_BACKEND = "tests.nowhere.Gateway"  # fails: no such gateway
    assert deliver_message.call(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert "123456" in message.body  # a retry must send the real code
    settings.SMS_BACKEND = "locmem"
    assert messages_retry() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert "123456" in sms_outbox[-1].body
    assert "123456" not in message.body


def test_an_expired_otp_is_never_sent_and_its_code_is_masked(
    db: None, sms_outbox: list[Sms], settings: Any
) -> None:
    message = _otp_message(settings)
    Message.objects.filter(pk=message.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert messages_retry() == 0
    message.refresh_from_db()
    assert (message.status, message.last_error) == (MessageStatus.FAILED, "expired")
    assert "123456" not in message.body
    assert sms_outbox == []
