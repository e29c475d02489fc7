"""Keeps sent SMS in the module-level list ``outbox`` (for tests)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sms:
    to: str
    body: str
    message_id: int | None = None


outbox: list[Sms] = []


class LocmemGateway:
    def send(self, *, to: str, body: str, message_id: int | None = None) -> str:
        outbox.append(Sms(to=to, body=body, message_id=message_id))
        return f"locmem-{len(outbox)}"
