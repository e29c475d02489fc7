"""Appends one JSON line per SMS to ``settings.SMS_FILE_PATH``."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class FileGateway:
    def send(self, *, to: str, body: str, message_id: int | None = None) -> str:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "to": to,
                "body": body,
                "message_id": message_id,
            },
            ensure_ascii=False,
        )
        # One write call of a short line in append mode: lines of parallel
        # workers do not interleave.
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return ""
