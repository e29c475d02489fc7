from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from mcoms.core.errors import ValidationFailed
from mcoms.notifications import services
from mcoms.notifications.gateways.locmem import Sms
from mcoms.notifications.models import Message, MessageStatus
from mcoms.notifications.services import message_queue
from mcoms.notifications.testing import sms_outbox
from mcoms.org.models import User

__all__ = ["sms_outbox"]

PHONE = "+919800000111"


def _user(language: str, **extra: Any) -> User:
    return User.objects.create(
        username=f"u{language}{User.objects.count()}",
        kind=User.Kind.CUSTOMER,
        phone=PHONE,
        language=language,
        **extra,
    )


def test_it_sends_only_after_the_transaction_commits(
    db: None, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = message_queue(
            channel="sms", template="test", context={}, phone="98000 00111"
        )
        assert sms_outbox == []
        assert message.status == MessageStatus.QUEUED
    assert len(callbacks) == 1
    assert [(s.to, s.message_id) for s in sms_outbox] == [(PHONE, message.pk)]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert message.sent_at is not None


def test_it_sends_nothing_when_the_transaction_rolls_back(
    db: None, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        message_queue(channel="sms", template="test", context={}, phone=PHONE)
        raise RuntimeError("the caller fails after queueing")
    assert callbacks == []
    assert sms_outbox == []
    assert not Message.objects.exists()


def test_a_hindi_user_gets_the_hindi_template(
    db: None, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> None:
    user = _user("hi")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel="sms", template="welcome", context={"customer_id": "X1"}, user=user
        )
    assert message.language == "hi"
    assert "स्वागत" in sms_outbox[0].body
    assert sms_outbox[0].to == PHONE


def test_an_explicit_language_wins_over_the_users(db: None) -> None:
    message = message_queue(
        channel="inapp", template="test", context={}, user=_user("hi"), language="en"
    )
    assert (message.language, message.subject) == ("en", "Test message")


def test_an_unknown_language_falls_back_to_english(db: None) -> None:
    message = message_queue(
        channel="sms", template="test", context={}, phone=PHONE, language="fr"
    )
    assert message.language == "en"
    assert message.body.startswith("This is a test message")


def test_a_template_without_a_hindi_file_falls_back_to_english(
    db: None, settings: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "notifications"
    folder.mkdir()
    (folder / "only_en.en.txt").write_text("Hello {{ name }}", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    services._engine.cache_clear()
    try:
        message = message_queue(
            channel="sms",
            template="only_en",
            context={"name": "<Ram & Sita>"},
            phone=PHONE,
            language="hi",
        )
    finally:
        services._engine.cache_clear()
    assert message.language == "en"
    assert message.body == "Hello <Ram & Sita>"  # plain text, not HTML-escaped


@pytest.mark.parametrize("template", ["no_such_template", "../../etc/passwd", ""])
def test_it_refuses_an_unknown_template_and_writes_nothing(
    db: None, template: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        message_queue(channel="sms", template=template, context={}, phone=PHONE)
    assert err.value.code == "template_unknown"
    assert not Message.objects.exists()


def test_it_refuses_an_sms_without_a_number(db: None) -> None:
    with pytest.raises(ValidationFailed) as err:
        message_queue(channel="sms", template="test", context={})
    assert err.value.code == "recipient_missing"


def test_it_refuses_an_invalid_number(db: None) -> None:
    with pytest.raises(ValidationFailed) as err:
        message_queue(channel="sms", template="test", context={}, phone="12345")
    assert err.value.code == "phone_invalid"


def test_an_email_goes_out_with_the_templates_subject(
    db: None, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> None:
    user = _user("en", email="ram@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel="email", template="welcome", context={"name": "Ram"}, user=user
        )
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Welcome to MCOMS", ["ram@example.com"])
    ]
    assert mail.outbox[0].body.startswith("Welcome Ram!")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_an_in_app_message_is_delivered_by_marking_it_sent(
    db: None, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> None:
    user = _user("en")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(channel="inapp", template="test", context={}, user=user)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert sms_outbox == []
    assert message.read_at is None


def test_redacted_values_leave_the_stored_text_after_delivery(
    db: None, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel="sms",
            template="otp_verify",
            context={"code": "123456", "minutes": 10},
            phone=PHONE,
            redact=["code"],
        )
    assert "123456" in sms_outbox[0].body
    message.refresh_from_db()
    assert "123456" not in message.body
    assert message.body.startswith("******")
