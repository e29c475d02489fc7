from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from mcoms.notifications.gateways.locmem import Sms
from mcoms.notifications.models import Message, MessageStatus
from mcoms.notifications.services import message_queue
from mcoms.notifications.tasks import deliver_message, message_claim
from mcoms.notifications.testing import sms_outbox

__all__ = ["sms_outbox"]

PHONE = "+919800000222"


class BrokenGateway:
    def send(self, *, to: str, body: str, message_id: int | None = None) -> str:
        raise ConnectionError("provider down")


def _queued(body_note: str = "") -> Message:
    # Outside django_capture_on_commit_callbacks nothing is delivered yet.
    return message_queue(
        channel="sms", template="test", context={"note": body_note}, phone=PHONE
    )


def test_the_file_backend_appends_one_json_line_per_sms(
    db: None, settings: Any, tmp_path: Path
) -> None:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "new-folder" / "sms.jsonl"
    first, second = _queued("एक"), _queued("two")
    deliver_message.call(first.pk)
    deliver_message.call(second.pk)
    lines = settings.SMS_FILE_PATH.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(r["to"], r["message_id"]) for r in rows] == [
        (PHONE, first.pk),
        (PHONE, second.pk),
    ]
    assert rows[0]["body"].endswith("एक")


def test_the_console_backend_prints_one_line(
    db: None, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.SMS_BACKEND = "console"
    deliver_message.call(_queued().pk)
    out = capsys.readouterr().out.splitlines()
    assert out == [f"SMS to {PHONE}: This is a test message from MCOMS."]


def test_a_message_is_claimed_once(db: None) -> None:
    message = _queued()
    assert message_claim(message_id=message.pk) is True
    assert message_claim(message_id=message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENDING, 1)


def test_running_the_task_twice_sends_once(db: None, sms_outbox: list[Sms]) -> None:
    message = _queued()
    assert deliver_message.call(message.pk) == "sent"
    assert deliver_message.call(message.pk) == "skipped"
    assert len(sms_outbox) == 1


def test_a_gateway_error_marks_the_message_failed(db: None, settings: Any) -> None:
    settings.SMS_BACKEND = f"{__name__}.BrokenGateway"
    message = _queued()
    assert deliver_message.call(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert "provider down" in message.last_error
    assert message.sent_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_send_a_message_once(sms_outbox: list[Sms]) -> None:
    # Written directly: message_queue in autocommit would deliver at once here.
    message = Message.objects.create(
        channel="sms", phone=PHONE, template="test", body="Hello"
    )
    barrier = threading.Barrier(4)
    results: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(deliver_message.call(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["sent", "skipped", "skipped", "skipped"]
    assert len(sms_outbox) == 1
