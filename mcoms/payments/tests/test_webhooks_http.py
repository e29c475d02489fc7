"""The provider adapters over real HTTP: signed callbacks posted to the webhook
views of a live server, and the card hosted-page flow against a fake gateway
on loopback (MCOMS creates the payment link there, the gateway calls back,
the payer returns with signed parameters; no card data reaches MCOMS)."""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from mcoms.org.models import Company, User
from mcoms.payments.models import CheckoutSession, EventState, Payment, ProviderEvent
from mcoms.payments.providers.base import hmac_sha256
from tests.builders import World, build_world

SECRET = "whsec-live"
KEY_SECRET = "key-secret-live"


def http(method: str, url: str, body: bytes = b"", headers: dict | None = None):
    request = urllib.request.Request(  # noqa: S310
        url, data=body or None, method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def live(
    transactional_db: None, live_server: Any, settings: Any
) -> Iterator[tuple[World, str]]:
    settings.PAYMENT_PROVIDERS = {
        "tara": {
            "razorpay": {
                "key_id": "rzp_live",
                "key_secret": KEY_SECRET,
                "webhook_secret": SECRET,
            },
            "mpesa": {
                "shortcode": "600638",
                "token": "tok",
                "allowed_ips": ["127.0.0.1"],
                "currency": "INR",
            },
        }
    }
    yield build_world(), live_server.url


def captured(pay_id: str = "pay_L1", minor: int = 12345) -> bytes:
    return json.dumps(
        {
            "event": "payment.captured",
            "payload": {
                "payment": {
                    "entity": {
                        "id": pay_id,
                        "amount": minor,
                        "currency": "INR",
                        "method": "upi",
                        "notes": {"customer_id": "BHKATS00101"},
                    }
                }
            },
        }
    ).encode()


def test_a_signed_webhook_over_http_makes_one_payment(live) -> None:
    _world, base = live
    url = f"{base}/api/v1/payments/webhooks/razorpay/tara/"
    body = captured()
    headers = {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": hmac_sha256(SECRET, body),
    }
    status, answer = http("POST", url, body, headers)
    assert status == 200 and json.loads(answer)["state"] == "processed"
    status, _ = http("POST", url, body, headers)  # the gateway retries
    assert status == 200
    assert Payment.objects.get().amount == Decimal("123.45")
    assert ProviderEvent.objects.count() == 2


def test_a_bad_signature_over_http_is_403_and_kept(live) -> None:
    _world, base = live
    url = f"{base}/api/v1/payments/webhooks/razorpay/tara/"
    status, answer = http(
        "POST",
        url,
        captured(),
        {"Content-Type": "application/json", "X-Razorpay-Signature": "f" * 64},
    )
    assert status == 403 and json.loads(answer)["code"] == "signature_invalid"
    event = ProviderEvent.objects.get()
    assert event.state == EventState.REFUSED and bytes(event.body) == captured()
    assert event.remote_addr == "127.0.0.1"
    assert Payment.objects.count() == 0
    status, _ = http(
        "POST",
        f"{base}/api/v1/payments/webhooks/nosuch/tara/",
        captured(),
        {"Content-Type": "application/json"},
    )
    assert status == 403 and Payment.objects.count() == 0


def test_mpesa_over_http(live, settings) -> None:
    _world, base = live
    body = json.dumps(
        {
            "TransactionType": "Pay Bill",
            "TransID": "QWE123",
            "TransAmount": "250",
            "BusinessShortCode": "600638",
            "BillRefNumber": "BHKATS00101",
            "MSISDN": "254700000000",
            "FirstName": "Amina",
        }
    ).encode()
    headers = {"Content-Type": "application/json"}
    hook = f"{base}/api/v1/payments/webhooks/mpesa/tara"
    status, answer = http("POST", f"{hook}/validation/?token=tok", body, headers)
    assert (status, json.loads(answer)["ResultCode"]) == (200, "0")
    status, answer = http("POST", f"{hook}/confirmation/?token=tok", body, headers)
    assert (status, json.loads(answer)) == (
        200,
        {"ResultCode": 0, "ResultDesc": "Success"},
    )
    assert Payment.objects.get().provider_ref == "QWE123"
    status, _ = http("POST", f"{hook}/confirmation/?token=nope", body, headers)
    assert status == 403
    settings.PAYMENT_PROVIDERS["tara"]["mpesa"]["allowed_ips"] = ["196.201.214.0/24"]
    status, _ = http("POST", f"{hook}/confirmation/?token=tok", body, headers)
    assert status == 403
    assert Payment.objects.count() == 1
    assert ProviderEvent.objects.filter(state="refused").count() == 2


class FakeGateway:
    """A gateway on loopback: POST /v1/payment_links with Basic auth."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str] = []


@pytest.fixture
def gateway() -> Iterator[tuple[FakeGateway, str]]:
    state = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            state.requests.append(body)
            state.auth.append(self.headers.get("Authorization", ""))
            answer = json.dumps(
                {
                    "id": "plink_L1",
                    "status": "created",
                    "short_url": "https://rzp.example/i/L1",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_card_hosted_page_flow(live, gateway, settings) -> None:
    world, base = live
    fake, fake_url = gateway
    settings.PAYMENT_PROVIDERS["tara"]["razorpay"]["api_url"] = fake_url
    customer_user = User.objects.get(username="c+919800000001")
    token = Token.objects.create(user=customer_user)
    status, answer = http(
        "POST",
        f"{base}/api/v1/payments/checkout/",
        json.dumps(
            {"customer": "BHKATS00101", "amount": "300.00", "channel": "card"}
        ).encode(),
        {
            "Content-Type": "application/json",
            "Idempotency-Key": "co-1",
            "Authorization": f"Token {token.key}",
        },
    )
    assert status == 201, answer
    session = json.loads(answer)
    assert session["checkout_url"] == "https://rzp.example/i/L1"
    sent = fake.requests[0]
    assert sent["amount"] == 30000 and sent["currency"] == "INR"
    assert sent["options"]["checkout"]["method"] == {"card": "1"}
    assert sent["callback_url"] == f"{base}/payments/return/razorpay/tara/"
    assert (
        base64.b64decode(fake.auth[0].split()[1]) == f"rzp_live:{KEY_SECRET}".encode()
    )
    assert not any(k in json.dumps(sent) for k in ("card_number", "cvv"))
    # The payer pays on the gateway's page; the payer's browser comes back.
    ref = CheckoutSession.objects.get().uid.hex
    assert sent["reference_id"] == ref
    signature = hmac_sha256(KEY_SECRET, f"plink_L1|{ref}|paid|pay_C1".encode())
    query = (
        f"razorpay_payment_id=pay_C1&razorpay_payment_link_id=plink_L1"
        f"&razorpay_payment_link_reference_id={ref}"
        f"&razorpay_payment_link_status=paid&razorpay_signature={signature}"
    )
    status, page = http("GET", f"{sent['callback_url']}?{query}")
    assert status == 200 and b"Payment received" in page
    # The gateway's webhook for the same payment finds it.
    body = json.dumps(
        {
            "event": "payment_link.paid",
            "payload": {
                "payment": {
                    "entity": {
                        "id": "pay_C1",
                        "amount": 30000,
                        "currency": "INR",
                        "method": "card",
                    }
                },
                "payment_link": {"entity": {"id": "plink_L1", "reference_id": ref}},
            },
        }
    ).encode()
    status, answer = http(
        "POST",
        f"{base}/api/v1/payments/webhooks/razorpay/tara/",
        body,
        {
            "Content-Type": "application/json",
            "X-Razorpay-Signature": hmac_sha256(SECRET, body),
        },
    )
    assert status == 200 and json.loads(answer)["code"] == "replay"
    payment = Payment.objects.get()
    assert (payment.amount, payment.channel, payment.provider_ref) == (
        Decimal("300.00"),
        "card",
        "pay_C1",
    )
    assert CheckoutSession.objects.get().state == "paid"
    status, answer = http(
        "GET",
        f"{base}/api/v1/payments/checkout/{ref}/",
        headers={"Authorization": f"Token {token.key}"},
    )
    assert json.loads(answer)["payment"] == str(payment.uid)
    # A forged return is refused and changes nothing.
    status, page = http(
        "GET", f"{sent['callback_url']}?{query.replace('pay_C1', 'pay_C2')}"
    )
    assert b"not completed" in page and Payment.objects.count() == 1
    assert Company.objects.get(code="tara").currency == "INR"
    assert world.customers["BHKATS"].pk == payment.customer_id


def test_an_unreachable_gateway_is_a_clear_error(live, settings) -> None:
    _world, base = live
    settings.PAYMENT_PROVIDERS["tara"]["razorpay"]["api_url"] = "http://127.0.0.1:9"
    token = Token.objects.create(user=User.objects.get(username="csa"))
    status, answer = http(
        "POST",
        f"{base}/api/v1/payments/checkout/",
        json.dumps(
            {"customer": "BHKATS00101", "amount": "10", "channel": "card"}
        ).encode(),
        {
            "Content-Type": "application/json",
            "Idempotency-Key": "co-2",
            "Authorization": f"Token {token.key}",
        },
    )
    assert status == 409 and json.loads(answer)["code"] == "provider_unavailable"
    assert CheckoutSession.objects.count() == 0
