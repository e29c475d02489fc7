"""The simulator gateway: the Razorpay-style adapter with its own per-company
secrets (derived from ``SECRET_KEY``), a hosted page served by MCOMS itself
(``/payments/simulator/...``) and helpers that build and sign callbacks the
way the gateway does. The demo and the tests use it; the callbacks it makes
go through the same verification as a real gateway's."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from mcoms.payments.amounts import to_minor
from mcoms.payments.providers.base import Checkout
from mcoms.payments.providers.gateway import HmacGateway


def derived_secret(company_code: str, purpose: str) -> str:
    message = f"payment-simulator:{purpose}:{company_code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


class SimulatorGateway(HmacGateway):
    name = "simulator"
    signature_header = "X-Simulator-Signature"
    prefix = "gateway_"

    def __init__(self, company_code: str) -> None:
        super().__init__(
            {
                "key_id": f"sim_{company_code}",
                "key_secret": derived_secret(company_code, "key"),
                "webhook_secret": derived_secret(company_code, "webhook"),
                "api_url": "http://simulator.invalid",
            }
        )
        self.company_code = company_code

    def checkout_create(
        self,
        *,
        reference: str,
        amount: Decimal,
        currency: str,
        channel: str,
        customer_id: str,
        customer_name: str,
        service: str,
        callback_url: str,
    ) -> Checkout:
        link = f"plink_sim_{secrets.token_hex(7)}"
        page = reverse("payments:simulator-page", args=[self.company_code, link])
        return Checkout(link, f"{page}?{urlencode({'callback_url': callback_url})}")

    # --- what the gateway sends -----------------------------------------------------
    def webhook(
        self,
        *,
        amount: Decimal,
        currency: str,
        method: str = "upi",
        customer_id: str = "",
        session: str = "",
        link: str = "",
        payment_id: str = "",
        service: str = "",
    ) -> tuple[bytes, dict[str, str], str]:
        """A signed ``payment.captured`` (or ``payment_link.paid`` with a link):
        body, headers and the payment id."""
        payment_id = payment_id or f"pay_sim_{secrets.token_hex(7)}"
        entity: dict[str, Any] = {
            "id": payment_id,
            "entity": "payment",
            "amount": to_minor(amount, currency=currency),
            "currency": currency,
            "status": "captured",
            "method": method,
            "vpa": "payer@sim" if method == "upi" else None,
            "notes": {
                k: v
                for k, v in (
                    ("customer_id", customer_id),
                    ("mcoms_session", session),
                    ("service", service),
                )
                if v
            },
        }
        payload: dict[str, Any] = {"payment": {"entity": entity}}
        event = "payment.captured"
        if link:
            event = "payment_link.paid"
            payload["payment_link"] = {
                "entity": {"id": link, "reference_id": session, "status": "paid"}
            }
        body = json.dumps(
            {"entity": "event", "event": event, "payload": payload},
            separators=(",", ":"),
        ).encode()
        return body, {self.signature_header: self.sign(body)}, payment_id

    def return_query(
        self, *, link: str, session: str, payment_id: str, status: str = "paid"
    ) -> dict[str, str]:
        """The signed parameters the payer's browser brings back."""
        p = self.prefix
        return {
            f"{p}payment_id": payment_id,
            f"{p}payment_link_id": link,
            f"{p}payment_link_reference_id": session,
            f"{p}payment_link_status": status,
            f"{p}signature": self.return_signature(link, session, status, payment_id),
        }
