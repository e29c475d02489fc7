"""M-Pesa Daraja C2B: the validation URL accepts or rejects before the money
moves, the confirmation URL records the payment once. Daraja does not sign;
the URL's shared token, the caller's address (when an allow-list is set) and
the shortcode are checked, and a refusal is kept as a refused event."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from mcoms.org.models import Company
from mcoms.payments.models import EventState, Payment, ProviderEvent
from mcoms.payments.providers import provider_for
from mcoms.payments.services import payment_from_callback
from tests.builders import World

TOKEN = "mpesa-url-token-123"


@pytest.fixture
def mpesa(settings, world: World) -> None:
    settings.PAYMENT_PROVIDERS = {
        "tara": {
            "mpesa": {
                "shortcode": "600638",
                "token": TOKEN,
                "allowed_ips": ["196.201.214.0/24", "127.0.0.1"],
            }
        }
    }
    # M-Pesa pays in shillings: this company keeps its books in KES.
    Company.objects.filter(pk=world.company.pk).update(currency="KES")


def c2b(
    amount: str = "150.00",
    account: str = "bhkats00101",
    trans: str = "RKTQDM7W6S",
    shortcode: str = "600638",
) -> bytes:
    return json.dumps(
        {
            "TransactionType": "Pay Bill",
            "TransID": trans,
            "TransTime": "20260322063845",
            "TransAmount": amount,
            "BusinessShortCode": shortcode,
            "BillRefNumber": account,
            "InvoiceNumber": "",
            "OrgAccountBalance": "",
            "ThirdPartyTransID": "",
            "MSISDN": "2547 ***** 149",
            "FirstName": "John",
            "MiddleName": "",
            "LastName": "Doe",
        }
    ).encode()


def call(
    kind: str, body: bytes, token: str = TOKEN, addr: str = "196.201.214.200"
) -> tuple[ProviderEvent, int, dict]:
    event = payment_from_callback(
        provider="mpesa",
        company_code="tara",
        kind=kind,
        body=body,
        headers={"Content-Type": "application/json"},
        query={"token": token},
        remote_addr=addr,
    )
    company = Company.objects.get(code="tara")
    adapter = provider_for(company, "mpesa")
    assert adapter is not None
    status, answer = adapter.answer(kind=kind, state=event.state, code=event.error_code)
    return event, status, answer


def test_validation_accepts_a_known_account(mpesa) -> None:
    event, status, answer = call("validation", c2b())
    assert (status, answer) == (200, {"ResultCode": "0", "ResultDesc": "Accepted"})
    assert event.state == EventState.PROCESSED and Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "result"),
    [
        (c2b(account="BHKATS99999"), "C2B00012"),
        (c2b(amount="0"), "C2B00013"),
        (c2b(amount="12.345"), "C2B00013"),
        (c2b(amount="ten"), "C2B00013"),
    ],
)
def test_validation_rejects_an_unknown_account_or_bad_amount(
    mpesa, body: bytes, result: str
) -> None:
    event, status, answer = call("validation", body)
    assert (status, answer["ResultCode"]) == (200, result)
    assert event.state == EventState.REFUSED and Payment.objects.count() == 0


def test_a_confirmation_records_the_payment_once(mpesa, world: World) -> None:
    event, status, answer = call("confirmation", c2b())
    assert (status, answer) == (200, {"ResultCode": 0, "ResultDesc": "Success"})
    payment = event.payment
    assert (payment.amount, payment.currency, payment.channel) == (
        Decimal("150.00"),
        "KES",
        "mpesa",
    )
    assert payment.customer == world.customers["BHKATS"]
    assert payment.provider_ref == "RKTQDM7W6S" and "John Doe" in payment.payer
    again, status, _answer = call("confirmation", c2b())
    assert status == 200 and again.payment_id == payment.pk
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"token": "wrong"}, "token_invalid"),
        ({"token": ""}, "token_invalid"),
        ({"addr": "10.0.0.9"}, "address_refused"),
    ],
)
def test_a_caller_without_the_token_or_from_elsewhere_is_refused(
    mpesa, kw: dict, code: str
) -> None:
    event, status, answer = call("confirmation", c2b(), **kw)
    assert (event.state, event.error_code, status) == (EventState.REFUSED, code, 403)
    assert answer["ResultCode"] == "C2B00016" and Payment.objects.count() == 0


def test_another_shortcode_is_refused(mpesa) -> None:
    event, status, _answer = call("confirmation", c2b(shortcode="111111"))
    assert (event.error_code, status) == ("shortcode_invalid", 403)


def test_an_unknown_account_in_a_confirmation_waits_in_the_queue(mpesa) -> None:
    event, status, answer = call("confirmation", c2b(account="NOBODY"))
    assert (event.state, event.error_code) == (EventState.CONFLICT, "reference_unknown")
    assert (status, answer["ResultCode"]) == (200, 0)  # the money has moved


def test_shillings_into_rupee_books_are_a_conflict(settings, world: World) -> None:
    settings.PAYMENT_PROVIDERS = {
        "tara": {"mpesa": {"shortcode": "600638", "token": TOKEN}}
    }
    event, _status, _answer = call("confirmation", c2b())
    assert (event.state, event.error_code) == (EventState.CONFLICT, "currency_mismatch")
