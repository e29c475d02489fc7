"""Writes for the outbox: queue a message; delivery runs in ``tasks``.

Nothing leaves the process inside a transaction: ``message_queue`` writes the
row and schedules ``deliver_message`` with ``transaction.on_commit``, so a
rolled-back transaction sends nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import timezone

from mcoms.core.errors import ValidationFailed
from mcoms.notifications.models import Channel, Message
from mcoms.notifications.phones import phone_normalise
from mcoms.org.models import Language, User

TEMPLATE_KEY = re.compile(r"^[a-z0-9_]{1,60}$")
FALLBACK_LANGUAGE = Language.ENGLISH
MASK = "******"


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    body: str


@cache
def _engine() -> Engine:
    """Plain-text templates: no HTML escaping. Looks in every app's
    ``templates/`` folder and in the project's ``TEMPLATES`` dirs."""
    templates: list[dict[str, Any]] = settings.TEMPLATES
    dirs = [d for t in templates for d in t.get("DIRS", [])]
    return Engine(dirs=dirs, app_dirs=True, autoescape=False)


def template_render(
    *, template: str, language: str, context: Mapping[str, Any]
) -> Rendered:
    """Render ``notifications/<template>.<language>.txt``, falling back to
    English. A first line ``Subject: ...`` becomes the subject."""
    if not TEMPLATE_KEY.match(template):
        raise _unknown(template)
    languages = [language] if language == FALLBACK_LANGUAGE else [language, "en"]
    for lang in languages:
        try:
            tpl = _engine().get_template(f"notifications/{template}.{lang}.txt")
        except TemplateDoesNotExist:
            continue
        text = tpl.render(Context(dict(context), autoescape=False)).strip()
        subject = ""
        first, _sep, rest = text.partition("\n")
        if first.startswith("Subject:"):
            subject, text = first.removeprefix("Subject:").strip(), rest.strip()
        return Rendered(language=lang, subject=subject, body=text)
    raise _unknown(template)


def _unknown(template: str) -> ValidationFailed:
    return ValidationFailed(
        "template_unknown", f"There is no message template {template!r:.70}."
    )


def _language_for(language: str | None, user: User | None) -> str:
    wanted = language or (user.language if user is not None else "") or "en"
    known = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in known else FALLBACK_LANGUAGE


@transaction.atomic
def message_queue(
    *,
    channel: str,
    template: str,
    context: Mapping[str, Any],
    user: User | None = None,
    phone: str | None = None,
    email: str | None = None,
    language: str | None = None,
    redact: Collection[str] = (),
    expires_at: datetime | None = None,
) -> Message:
    """Write a message to the outbox and deliver it after commit.

    The language is ``language``, else the user's, else English. Recipients
    default to the user's phone / e-mail. Context keys named in ``redact`` (an
    OTP) are masked in the stored text once delivery is over.
    """
    if channel not in Channel.values:
        raise ValidationFailed("channel_unknown", f"Unknown channel {channel!r:.20}.")
    rendered = template_render(
        template=template, language=_language_for(language, user), context=context
    )
    message = Message(
        channel=channel,
        user=user,
        template=template,
        language=rendered.language,
        subject=rendered.subject[:200],
        body=rendered.body,
        expires_at=expires_at,
    )
    if redact:
        masked = {**context, **dict.fromkeys(redact, MASK)}
        message.redacted_body = template_render(
            template=template, language=rendered.language, context=masked
        ).body
    _set_recipient(message, phone=phone, email=email, user=user)
    message.save()
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from mcoms.notifications.tasks import deliver_message

    deliver_message.enqueue(message_id)


def _set_recipient(
    message: Message, *, phone: str | None, email: str | None, user: User | None
) -> None:
    if message.channel == Channel.SMS:
        raw = phone or (str(user.phone) if user is not None and user.phone else "")
        if not raw:
            raise ValidationFailed(
                "recipient_missing", "No mobile number to send the SMS to."
            )
        message.phone = phone_normalise(phone=raw)
    elif message.channel == Channel.EMAIL:
        message.email = email or (user.email if user is not None else "")
        if not message.email:
            raise ValidationFailed("recipient_missing", "No e-mail address to send to.")
    elif user is None:
        raise ValidationFailed(
            "recipient_missing", "An in-app message needs a user to show it to."
        )


def message_mark_read(*, message: Message, user: User) -> Message:
    """The user opened an in-app message (their own only)."""
    if message.user_id != user.pk or message.channel != Channel.INAPP:
        raise ValidationFailed("message_not_yours", "This message is not yours.")
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        message.refresh_from_db(fields=["read_at"])
    return message


def inbox_mark_read(*, user: Any, messages: Iterable[Message]) -> int:
    """Mark the shown in-app messages read (the user's own only); returns how many
    changed. Idempotent: messages already read keep their first read time."""
    ids = [m.pk for m in messages if m.user_id == user.pk]
    return Message.objects.filter(
        pk__in=ids, user=user, channel=Channel.INAPP, read_at__isnull=True
    ).update(read_at=timezone.now())
