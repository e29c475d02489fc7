"""A UPI / card / wallet gateway in the Razorpay style (docs/payments.md).

Webhooks: ``POST`` JSON signed with HMAC-SHA256 over the raw body with the
company's webhook secret, hex, in ``X-Razorpay-Signature``. Events read:

* ``payment.captured``: ``payload.payment.entity`` (``id``, ``amount`` in minor
  units, ``currency``, ``method``, ``notes.customer_id``, ``notes.mcoms_session``,
  ``notes.service``, ``vpa`` / ``contact``);
* ``payment_link.paid``: the same payment entity with
  ``payload.payment_link.entity`` (``id``, ``reference_id``: our session);
* anything else (``payment.failed``, ``refund.*`` ...) is stored and ignored.

Hosted page (card, UPI): ``POST {api_url}/v1/payment_links`` with HTTP Basic
auth (key id, key secret) creates a payment link whose ``short_url`` is the
gateway's page; the payer comes back to our ``callback_url`` with
``razorpay_payment_id``, ``razorpay_payment_link_id``,
``razorpay_payment_link_reference_id``, ``razorpay_payment_link_status`` and
``razorpay_signature`` = HMAC-SHA256(key secret,
``link_id|reference_id|status|payment_id``). No card data reaches MCOMS.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any

from django.conf import settings

from mcoms.payments.amounts import from_minor, to_minor
from mcoms.payments.providers.base import (
    IGNORE,
    PAY,
    Checkout,
    Inbound,
    Malformed,
    Parsed,
    ProviderUnavailable,
    Refused,
    hmac_sha256,
    same,
)

METHODS = {"upi": "upi", "card": "card", "wallet": "wallet", "emi": "card"}
MAX_ANSWER = 256 * 1024


class HmacGateway:
    name = "razorpay"
    channels = ("upi", "card", "wallet")
    signature_header = "X-Razorpay-Signature"
    prefix = "razorpay_"

    def __init__(self, config: dict[str, Any]) -> None:
        self.key_id = str(config.get("key_id", ""))
        self.key_secret = str(config.get("key_secret", ""))
        self.webhook_secret = str(config.get("webhook_secret", ""))
        self.api_url = str(config.get("api_url", "https://api.razorpay.com")).rstrip(
            "/"
        )
        self.timeout = float(
            config.get("timeout", settings.PAYMENT_PROVIDER_TIMEOUT)  # type: ignore[arg-type]
        )

    # --- callbacks ----------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        return hmac_sha256(self.webhook_secret, body)

    def verify(self, inbound: Inbound) -> None:
        if inbound.kind == "return":
            return self._verify_return(inbound.query)
        if not self.webhook_secret:
            raise Refused("provider_not_configured", "No webhook secret is set.")
        given = inbound.header(self.signature_header).strip()
        if not given:
            raise Refused("signature_missing", f"No {self.signature_header} header.")
        if not same(self.sign(inbound.body), given):
            raise Refused("signature_invalid", "The signature does not match.")
        return None

    def parse(self, inbound: Inbound) -> Parsed:
        if inbound.kind == "return":
            return self._parse_return(inbound.query)
        try:
            data = json.loads(inbound.body)
            event = str(data["event"])
            payload = data.get("payload") or {}
        except (ValueError, KeyError, TypeError) as exc:
            raise Malformed("payload_invalid", f"Not a gateway event: {exc}") from exc
        if event not in ("payment.captured", "payment_link.paid"):
            return Parsed(IGNORE, note=event[:200])
        try:
            entity = payload["payment"]["entity"]
            currency = str(entity["currency"]).upper()
            amount = from_minor(entity["amount"], currency=currency)
            notes = entity.get("notes") or {}
            link = (payload.get("payment_link") or {}).get("entity") or {}
            session = link.get("reference_id") or notes.get("mcoms_session") or ""
            return Parsed(
                PAY,
                event_ref=str(entity["id"])[:100],
                amount=amount,
                currency=currency,
                reference=str(notes.get("customer_id", "")).strip().upper()[:100],
                session_ref=str(session)[:100],
                channel=METHODS.get(str(entity.get("method", "")), "wallet"),
                payer=str(entity.get("vpa") or entity.get("contact") or "")[:120],
                service=str(notes.get("service", "")).upper()[:5],
                note=event,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise Malformed("payload_invalid", f"Missing {exc}.") from exc
        except Exception as exc:  # from_minor's ValidationFailed
            raise Malformed("amount_invalid", str(exc)) from exc

    def answer(self, *, kind: str, state: str, code: str) -> tuple[int, Any]:
        if state == "refused" and code.startswith(("signature", "provider")):
            return 403, {"code": code, "detail": "Refused."}
        return 200, {"state": state, "code": code}

    # --- the payer's return from the hosted page ---------------------------------
    def return_signature(self, link: str, reference: str, status: str, pay: str) -> str:
        return hmac_sha256(
            self.key_secret, f"{link}|{reference}|{status}|{pay}".encode()
        )

    def _verify_return(self, query: dict[str, str]) -> None:
        p = self.prefix
        given = query.get(f"{p}signature", "")
        if not given or not self.key_secret:
            raise Refused("signature_missing", "The return carries no signature.")
        expected = self.return_signature(
            query.get(f"{p}payment_link_id", ""),
            query.get(f"{p}payment_link_reference_id", ""),
            query.get(f"{p}payment_link_status", ""),
            query.get(f"{p}payment_id", ""),
        )
        if not same(expected, given):
            raise Refused("signature_invalid", "The signature does not match.")

    def _parse_return(self, query: dict[str, str]) -> Parsed:
        p = self.prefix
        if query.get(f"{p}payment_link_status") != "paid":
            return Parsed(IGNORE, note=query.get(f"{p}payment_link_status", "")[:200])
        return Parsed(
            PAY,
            event_ref=query.get(f"{p}payment_id", "")[:100],
            session_ref=query.get(f"{p}payment_link_reference_id", "")[:100],
            note="return",
        )

    # --- hosted page --------------------------------------------------------------
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
        """A payment link at the gateway: its id and hosted page."""
        body = {
            "amount": to_minor(amount, currency=currency),
            "currency": currency,
            "accept_partial": False,
            "reference_id": reference,
            "description": f"Electricity account {customer_id}",
            "customer": {"name": customer_name},
            "notify": {"sms": False, "email": False},
            "callback_url": callback_url,
            "callback_method": "get",
            "notes": {
                "customer_id": customer_id,
                "mcoms_session": reference,
                "service": service,
            },
            "options": {"checkout": {"method": {channel: "1"}}},
        }
        answer = self._call("POST", "/v1/payment_links", body)
        try:
            return Checkout(str(answer["id"])[:100], str(answer["short_url"]))
        except KeyError as exc:
            raise ProviderUnavailable(f"The gateway's answer lacks {exc}.") from exc

    def _call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if not self.api_url.startswith(("http://", "https://")):
            raise ProviderUnavailable("The gateway's api_url is not http(s).")
        auth = base64.b64encode(f"{self.key_id}:{self.key_secret}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (http(s) checked above)
            self.api_url + path,
            data=json.dumps(body).encode(),
            method=method,
            headers={
                "Authorization": f"Basic {auth}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                raw = resp.read(MAX_ANSWER)
        except urllib.error.HTTPError as exc:
            raise ProviderUnavailable(f"The gateway answered {exc.code}.") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ProviderUnavailable(f"The gateway cannot be reached: {exc}") from exc
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            raise ProviderUnavailable("The gateway's answer is not JSON.") from exc
        if not isinstance(answer, dict):
            raise ProviderUnavailable("The gateway's answer is not an object.")
        return answer
