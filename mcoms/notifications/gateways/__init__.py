"""SMS gateways: one small interface, local implementations chosen by
``settings.SMS_BACKEND`` (``console``, ``file``, ``locmem``) or a dotted path
to a class for a real provider (an HTTP adapter added later)."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsGateway(Protocol):
    """Send one SMS; return the provider's reference (or "") or raise on failure.

    ``to`` is E.164 (``+919800000001``); ``body`` is Unicode text (Hindi is sent
    as UCS-2 by real providers, so keep it short).
    """

    def send(self, *, to: str, body: str, message_id: int | None = None) -> str: ...


BUILT_IN = {
    "console": "mcoms.notifications.gateways.console.ConsoleGateway",
    "file": "mcoms.notifications.gateways.file.FileGateway",
    "locmem": "mcoms.notifications.gateways.locmem.LocmemGateway",
}


def sms_gateway() -> SmsGateway:
    """The gateway that ``settings.SMS_BACKEND`` names (read on every call, so
    tests may change the setting)."""
    name = settings.SMS_BACKEND
    gateway_cls = import_string(BUILT_IN.get(name, name))
    gateway: SmsGateway = gateway_cls()
    return gateway
