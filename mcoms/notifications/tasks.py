"""Delivery of outbox messages (run by ``manage.py db_worker``, or at once
with the immediate backend)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from mcoms.notifications.gateways import sms_gateway
from mcoms.notifications.models import Channel, Message, MessageStatus

logger = logging.getLogger(__name__)


def message_claim(*, message_id: int) -> bool:
    """Compare-and-swap queued -> sending: True for exactly one caller."""
    claimed = Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=timezone.now(),
    )
    return claimed == 1


MAX_ATTEMPTS = 3


def messages_retry(
    *, stale_after: timedelta = timedelta(minutes=10), max_attempts: int = MAX_ATTEMPTS
) -> int:
    """Queue again what a dead worker left in ``sending`` and what failed, while
    it has attempts left; returns how many were queued. Run it every few minutes
    (``manage.py notifications_retry``). A retried SMS may reach the phone twice
    if a worker died after the gateway took it: better twice than never.
    Messages past their ``expires_at`` (OTPs) are never resent: they are closed
    as failed and their secret is masked."""
    now = timezone.now()
    unsent = [MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.FAILED]
    for message in Message.objects.filter(status__in=unsent, expires_at__lt=now):
        _finish(message, status=MessageStatus.FAILED, error="expired", final=True)
    stale = now - stale_after
    retry = (
        Message.objects.filter(attempts__lt=max_attempts)
        .filter(
            Q(status=MessageStatus.SENDING, claimed_at__lt=stale)
            | Q(status=MessageStatus.FAILED)
        )
        .exclude(expires_at__lte=now)
    )
    ids = list(retry.values_list("pk", flat=True)[:1000])
    requeued = 0
    for message_id in ids:
        # CAS again: only rows still in the state we saw are requeued.
        requeued += retry.filter(pk=message_id).update(status=MessageStatus.QUEUED)
        deliver_message.enqueue(message_id)
    return requeued


@task()
def deliver_message(message_id: int) -> str:
    """Send one queued message; returns its final status.

    A message that is not (or no longer) queued is left alone, so a task that
    runs twice, or two workers, never send twice.
    """
    if not message_claim(message_id=message_id):
        return "skipped"
    message = Message.objects.get(pk=message_id)
    if message.expires_at is not None and message.expires_at <= timezone.now():
        _finish(message, status=MessageStatus.FAILED, error="expired", final=True)
        return MessageStatus.FAILED
    try:
        ref = _send(message)
    except Exception as exc:
        logger.warning("message %s failed: %s", message_id, exc)
        final = message.attempts >= MAX_ATTEMPTS
        _finish(
            message, status=MessageStatus.FAILED, error=f"{exc!r:.1000}", final=final
        )
        return MessageStatus.FAILED
    _finish(message, status=MessageStatus.SENT, ref=ref)
    return MessageStatus.SENT


def _send(message: Message) -> str:
    if message.channel == Channel.SMS:
        return sms_gateway().send(
            to=str(message.phone), body=message.body, message_id=message.pk
        )
    if message.channel == Channel.EMAIL:
        send_mail(
            subject=message.subject or message.template.replace("_", " ").capitalize(),
            message=message.body,
            from_email=None,
            recipient_list=[message.email],
        )
        return ""
    return ""  # in-app: the row is the message; it is read in the app


def _finish(
    message: Message,
    *,
    status: str,
    ref: str = "",
    error: str = "",
    final: bool = False,
) -> None:
    """Record the outcome. The secret stays readable only while a retry may still
    need it: it is masked once sent, or once the message will never be sent."""
    changes: dict[str, object] = {"status": status, "last_error": error}
    if status == MessageStatus.SENT:
        changes |= {"sent_at": timezone.now(), "provider_ref": ref[:100]}
    if message.redacted_body and (status == MessageStatus.SENT or final):
        changes |= {"body": message.redacted_body, "redacted_body": ""}
    Message.objects.filter(pk=message.pk, status=message.status).update(**changes)
