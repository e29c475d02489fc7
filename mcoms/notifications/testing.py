"""Test helpers for code that sends messages (import the fixture into a test
module: ``from mcoms.notifications.testing import sms_outbox``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mcoms.notifications.gateways import locmem

IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}


@pytest.fixture
def sms_outbox(settings: Any) -> Iterator[list[locmem.Sms]]:
    """SMS go to the in-memory list that this returns; tasks run at once
    (after commit: use ``django_capture_on_commit_callbacks(execute=True)``)."""
    settings.SMS_BACKEND = "locmem"
    settings.TASKS = IMMEDIATE_TASKS
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


def last_code(outbox: list[locmem.Sms]) -> str:
    """The 6-digit code in the last SMS."""
    import re

    found = re.search(r"\b(\d{6})\b", outbox[-1].body)
    assert found, outbox[-1].body  # noqa: S101
    return found.group(1)
