"""Provider callbacks: stored raw before anything else, verified (a bad or
missing signature is kept as a refused event and writes nothing), applied once
per provider transaction however often they are replayed, and sent to the
conflicts queue when amount, currency or reference do not match."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from mcoms.ledger.models import Entry
from mcoms.payments.models import EventState, Payment, ProviderEvent
from mcoms.payments.providers.base import hmac_sha256
from mcoms.payments.providers.simulator import SimulatorGateway
from mcoms.payments.services import payment_from_callback
from mcoms.payments.tests.kit import charge, owed
from tests.builders import World

D = Decimal
SECRET = "whsec-tara-test"


@pytest.fixture
def razorpay(settings) -> None:
    settings.PAYMENT_PROVIDERS = {
        "tara": {
            "razorpay": {
                "key_id": "rzp_test",
                "key_secret": "ks",
                "webhook_secret": SECRET,
            }
        }
    }


def captured(
    amount_minor: int,
    customer_id: str = "BHKATS00101",
    *,
    pay_id: str = "pay_A1",
    currency: str = "INR",
    method: str = "upi",
) -> bytes:
    return json.dumps(
        {
            "entity": "event",
            "event": "payment.captured",
            "payload": {
                "payment": {
                    "entity": {
                        "id": pay_id,
                        "amount": amount_minor,
                        "currency": currency,
                        "status": "captured",
                        "method": method,
                        "vpa": "ravi@upi",
                        "notes": {"customer_id": customer_id},
                    }
                }
            },
        }
    ).encode()


def post(
    body: bytes,
    signature: str | None,
    provider: str = "razorpay",
    company: str = "tara",
) -> ProviderEvent:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Razorpay-Signature"] = signature
    return payment_from_callback(
        provider=provider,
        company_code=company,
        kind="webhook",
        body=body,
        headers=headers,
        remote_addr="127.0.0.1",
    )


def test_a_signed_upi_callback_makes_one_payment(world: World, razorpay) -> None:
    customer = world.customers["BHKATS"]
    charge(customer, "CHG", "500.00")
    body = captured(25050)
    event = post(body, hmac_sha256(SECRET, body))
    assert event.state == EventState.PROCESSED and event.signature_ok
    payment = event.payment
    assert payment is not None
    assert (
        payment.amount,
        payment.channel,
        payment.provider,
        payment.provider_ref,
    ) == (D("250.50"), "upi", "razorpay", "pay_A1")
    assert payment.payer == "ravi@upi" and payment.collected_by is None
    lines = sorted(
        Entry.objects.filter(journal=payment.journal).values_list(
            "account__code", "amount"
        )
    )
    assert lines == [
        ("CUS:BHKATS00101:AR:CHG", D("-250.50")),
        ("PRV:razorpay:CLR", D("250.50")),
    ]
    assert owed(customer) == {"CHG": D("249.50")}
    stored = ProviderEvent.objects.get(pk=event.pk)
    assert bytes(stored.body) == body
    assert stored.headers["headers"]["X-Razorpay-Signature"]


def test_replays_find_the_payment(world: World, razorpay) -> None:
    body = captured(10000)
    events = [post(body, hmac_sha256(SECRET, body)) for _ in range(5)]
    assert Payment.objects.count() == 1
    assert {e.payment_id for e in events} == {Payment.objects.get().pk}
    assert [e.error_code for e in events] == [
        "",
        "replay",
        "replay",
        "replay",
        "replay",
    ]
    assert ProviderEvent.objects.count() == 5


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        (None, "signature_missing"),
        ("00" * 32, "signature_invalid"),
        ("", "signature_missing"),
    ],
)
def test_a_bad_signature_is_kept_as_refused_and_writes_nothing(
    world: World, razorpay, signature: str | None, code: str
) -> None:
    event = post(captured(10000), signature)
    assert (event.state, event.error_code, event.signature_ok) == (
        EventState.REFUSED,
        code,
        False,
    )
    assert Payment.objects.count() == 0 and Entry.objects.count() == 0
    assert ProviderEvent.objects.get().body


def test_a_body_changed_after_signing_is_refused(world: World, razorpay) -> None:
    body = captured(10000)
    event = post(captured(99999), hmac_sha256(SECRET, body))
    assert event.error_code == "signature_invalid"
    assert Payment.objects.count() == 0


def test_another_companys_secret_or_an_unconfigured_provider_refuses(
    world: World, razorpay
) -> None:
    body = captured(10000)
    event = post(body, hmac_sha256(SECRET, body), company="other")
    assert (event.state, event.error_code) == (EventState.REFUSED, "provider_unknown")
    event = post(body, hmac_sha256(SECRET, body), company="nosuch")
    assert event.company is None and event.state == EventState.REFUSED
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (captured(10000, "BHKATS99999"), "reference_unknown"),
        (captured(10000, ""), "reference_unknown"),
        (captured(10000, "BHSIKA00101X"), "reference_unknown"),
        (captured(10000, currency="USD"), "currency_mismatch"),
        (captured(0), "amount_invalid"),
        (captured(-500), "amount_invalid"),
    ],
)
def test_a_mismatch_goes_to_the_conflicts_queue(
    world: World, razorpay, body: bytes, code: str
) -> None:
    event = post(body, hmac_sha256(SECRET, body))
    assert (event.state, event.error_code, event.signature_ok) == (
        EventState.CONFLICT,
        code,
        True,
    )
    assert Payment.objects.count() == 0 and Entry.objects.count() == 0


def test_the_other_companys_customer_is_unknown_here(world: World, razorpay) -> None:
    # The other company has a customer BHKATS00101 too; tara's is the one paid.
    body = captured(10000)
    event = post(body, hmac_sha256(SECRET, body))
    assert event.payment.customer == world.customers["BHKATS"]


def test_unsigned_junk_and_signed_junk(world: World, razorpay) -> None:
    junk = b"\x00\xffnot json"
    assert post(junk, None).error_code == "signature_missing"
    event = post(junk, hmac_sha256(SECRET, junk))
    assert (event.state, event.error_code) == (EventState.REFUSED, "payload_invalid")
    assert bytes(ProviderEvent.objects.get(pk=event.pk).body) == junk


def test_other_events_are_stored_and_ignored(world: World, razorpay) -> None:
    body = json.dumps({"event": "payment.failed", "payload": {}}).encode()
    event = post(body, hmac_sha256(SECRET, body))
    assert (event.state, event.error_code) == (EventState.PROCESSED, "event_ignored")
    assert Payment.objects.count() == 0


def test_the_simulator_signs_like_the_gateway(world: World) -> None:
    sim = SimulatorGateway("tara")
    body, headers, pay_id = sim.webhook(
        amount=D("75.00"), currency="INR", customer_id="BHKATS00101", method="wallet"
    )
    event = payment_from_callback(
        provider="simulator",
        company_code="tara",
        kind="webhook",
        body=body,
        headers=headers,
    )
    assert event.state == EventState.PROCESSED
    assert (event.payment.provider_ref, event.payment.channel) == (pay_id, "wallet")
    forged = payment_from_callback(
        provider="simulator",
        company_code="tara",
        kind="webhook",
        body=body.replace(b"7500", b"9900"),
        headers=headers,
    )
    assert forged.error_code == "signature_invalid"
    other = SimulatorGateway("other")
    assert other.sign(body) != sim.sign(body)


def test_the_simulator_is_off_when_disabled(world: World, settings) -> None:
    settings.PAYMENT_SIMULATOR = False
    body, headers, _id = SimulatorGateway("tara").webhook(
        amount=D("75.00"), currency="INR", customer_id="BHKATS00101"
    )
    event = payment_from_callback(
        provider="simulator",
        company_code="tara",
        kind="webhook",
        body=body,
        headers=headers,
    )
    assert event.error_code == "provider_unknown"
