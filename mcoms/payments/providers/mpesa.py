"""M-Pesa Daraja C2B: the validation and confirmation URLs (docs/payments.md).

Daraja posts JSON such as ``{"TransactionType": "Pay Bill", "TransID":
"RKTQDM7W6S", "TransTime": "20191122063845", "TransAmount": "10.00",
"BusinessShortCode": "600638", "BillRefNumber": "BHKATS00101", "MSISDN":
"2547xxxxx149", "FirstName": "John", ...}``. The account number the payer types
(``BillRefNumber``) is the customer ID.

Daraja does not sign C2B callbacks. What is verified instead (docs/decisions/0082):

* a per-company shared secret in the registered URLs (``?token=...``),
  compared in constant time;
* when ``allowed_ips`` is configured, the caller's address is in it (Safaricom
  publishes the addresses its callbacks come from);
* the ``BusinessShortCode`` is the company's.

Answers: validation ``{"ResultCode": "0", "ResultDesc": "Accepted"}`` or a
rejection (``C2B00012`` invalid account number, ``C2B00013`` invalid amount,
``C2B00016`` other); confirmation ``{"ResultCode": 0, "ResultDesc": "Success"}``
once stored, whatever happens next (the money has moved: a mismatch is ours to
settle, in the conflicts queue).
"""

from __future__ import annotations

import ipaddress
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from mcoms.payments.providers.base import (
    PAY,
    VALIDATE,
    Inbound,
    Malformed,
    Parsed,
    Refused,
    same,
)

REJECT_CODES = {
    "reference_unknown": "C2B00012",
    "amount_invalid": "C2B00013",
    "amount_too_precise": "C2B00013",
}


class MpesaC2B:
    name = "mpesa"
    channels = ("mpesa",)

    def __init__(self, config: dict[str, Any]) -> None:
        self.shortcode = str(config.get("shortcode", ""))
        self.token = str(config.get("token", ""))
        self.currency = str(config.get("currency", "KES")).upper()
        self.allowed = [
            ipaddress.ip_network(str(n), strict=False)
            for n in config.get("allowed_ips", []) or []
        ]

    def verify(self, inbound: Inbound) -> None:
        if not self.token:
            raise Refused("provider_not_configured", "No M-Pesa token is set.")
        if not same(inbound.query.get("token", ""), self.token):
            raise Refused("token_invalid", "The URL's token does not match.")
        if self.allowed:
            try:
                addr = ipaddress.ip_address(inbound.remote_addr or "")
            except ValueError as exc:
                raise Refused("address_refused", "No caller address.") from exc
            if not any(addr in net for net in self.allowed):
                raise Refused("address_refused", f"{addr} is not allowed.")
        try:
            code = str(json.loads(inbound.body).get("BusinessShortCode", ""))
        except (ValueError, AttributeError) as exc:
            raise Refused("payload_invalid", "Not a C2B callback.") from exc
        if self.shortcode and code != self.shortcode:
            raise Refused("shortcode_invalid", f"Shortcode {code!r} is not ours.")

    def parse(self, inbound: Inbound) -> Parsed:
        try:
            data = json.loads(inbound.body)
            ref = str(data["TransID"])[:100]
            raw = str(data["TransAmount"]).strip()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Malformed("payload_invalid", f"Not a C2B callback: {exc}") from exc
        try:
            amount: Decimal | None = Decimal(raw)
        except InvalidOperation:
            amount = None
        name = " ".join(
            str(data.get(k) or "") for k in ("FirstName", "MiddleName", "LastName")
        ).split()
        return Parsed(
            VALIDATE if inbound.kind == "validation" else PAY,
            event_ref=ref,
            amount=amount,
            currency=self.currency,
            reference=str(data.get("BillRefNumber", "")).replace(" ", "").upper()[:100],
            channel="mpesa",
            payer=" ".join([str(data.get("MSISDN") or ""), *name]).strip()[:120],
            note=str(data.get("TransactionType", ""))[:200],
        )

    def answer(self, *, kind: str, state: str, code: str) -> tuple[int, Any]:
        if state == "refused" and code in (
            "token_invalid",
            "address_refused",
            "shortcode_invalid",
            "provider_not_configured",
            "provider_unknown",
        ):
            return 403, {"ResultCode": "C2B00016", "ResultDesc": "Rejected"}
        if kind == "validation":
            if state == "processed":
                return 200, {"ResultCode": "0", "ResultDesc": "Accepted"}
            return 200, {
                "ResultCode": REJECT_CODES.get(code, "C2B00016"),
                "ResultDesc": "Rejected",
            }
        return 200, {"ResultCode": 0, "ResultDesc": "Success"}
