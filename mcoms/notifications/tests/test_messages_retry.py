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
