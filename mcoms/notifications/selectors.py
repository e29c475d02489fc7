"""Reads of the outbox: a person's in-app inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mcoms.notifications.models import Channel, Message


def inbox_for(user: Any) -> QuerySet[Message]:
    """The user's own in-app messages, newest first."""
    return Message.objects.filter(user=user, channel=Channel.INAPP).order_by(
        "-created_at", "-pk"
    )


def unread_count(user: Any) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()
