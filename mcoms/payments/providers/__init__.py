"""Payment providers: which adapter serves a company (docs/payments.md).

``settings.PAYMENT_PROVIDERS[company code][name]`` configures a real adapter
(``razorpay``: the HMAC-signed gateway for UPI, card and wallet; ``mpesa``:
Daraja C2B). ``settings.PAYMENT_SIMULATOR`` adds the simulator gateway to
every company. An adapter for a provider the company has not configured is
``None``."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings

from mcoms.org.models import Company
from mcoms.payments.models import ProviderEvent
from mcoms.payments.providers.base import PaymentProvider
from mcoms.payments.providers.gateway import HmacGateway
from mcoms.payments.providers.mpesa import MpesaC2B
from mcoms.payments.providers.simulator import SimulatorGateway

ADAPTERS = {"razorpay": HmacGateway, "mpesa": MpesaC2B}
NAMES = ("razorpay", "mpesa", "simulator")


def provider_for(company: Company | None, name: str) -> PaymentProvider | None:
    if company is None:
        return None
    if name == "simulator":
        if not settings.PAYMENT_SIMULATOR:
            return None
        return cast(PaymentProvider, SimulatorGateway(company.code))
    config = settings.PAYMENT_PROVIDERS.get(company.code, {}).get(name)
    adapter = ADAPTERS.get(name)
    if config is None or adapter is None:
        return None
    return adapter(config)  # type: ignore[return-value]


def checkout_provider_for(company: Company, channel: str) -> HmacGateway | None:
    """The gateway whose hosted page takes ``channel`` (card, UPI) for the
    company: a configured real gateway first, else the simulator."""
    real = provider_for(company, "razorpay")
    if isinstance(real, HmacGateway) and channel in real.channels:
        return real
    sim = provider_for(company, "simulator")
    return sim if isinstance(sim, HmacGateway) else None


def callback_answer(event: ProviderEvent) -> tuple[int, Any]:
    """What to answer the provider for a stored callback."""
    adapter = provider_for(event.company, event.provider)
    if adapter is None:
        return 403, {
            "code": event.error_code or "provider_unknown",
            "detail": "Refused.",
        }
    status, body = adapter.answer(
        kind=event.kind, state=event.state, code=event.error_code
    )
    if isinstance(body, dict) and "state" in body and event.payment_id:
        body["payment"] = str(event.payment.uid)  # type: ignore[union-attr]
    return status, body
