"""Writes each SMS as one line to stdout (the demo's default)."""

from __future__ import annotations

import sys


class ConsoleGateway:
    def send(self, *, to: str, body: str, message_id: int | None = None) -> str:
        text = " / ".join(body.splitlines())
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()
        return ""
