"""The public check of a receipt's QR token (/r/<token>, and the API): a
genuine token shows the receipt's number, amount, date and a masked customer;
an edited or made-up token is FAKE and shows nothing; a well-signed token of
no stored receipt is not found; a key rotation keeps old receipts genuine;
and each address is rate-limited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from mcoms.payments.services import payment_reverse
from mcoms.receipts.selectors import (
    FAKE,
    GENUINE,
    UNKNOWN,
    mask_customer_id,
    mask_name,
    receipt_verify,
)
from mcoms.receipts.tests.conftest import Paid
from mcoms.receipts.tokens import Signed, base36, token_make


@pytest.fixture(autouse=True)
def _fresh_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def edited(token: str) -> list[str]:
    ref, mac = token.split(".")
    flip = "A" if mac[0] != "A" else "B"
    return [
        f"{ref}.{flip}{mac[1:]}",  # one character of the signature
        f"{base36(int(ref, 36) + 1)}.{mac}",  # another payment, same signature
        token + "x",
        token.upper(),
        "",
        "1.short",
        "../../etc/passwd",
    ]


def test_a_genuine_token(paid: Paid) -> None:
    result = receipt_verify(paid.receipt.token)
    assert result.state == GENUINE and result.genuine and not result.undone
    assert result.number == paid.receipt.number
    assert result.amount == Decimal("120.50")
    assert result.customer_id == "BHKATS***01"
    assert result.customer_name == "C******* B*****"
    assert result.paid_at is not None and result.paid_at.utcoffset() is not None


def test_every_edited_token_is_fake(paid: Paid) -> None:
    paid.pay("5")  # so that the next payment id exists
    for token in edited(paid.receipt.token):
        result = receipt_verify(token)
        assert result.state in (FAKE, UNKNOWN), token
        assert result.number == "" and result.amount is None


def test_a_signed_token_of_no_receipt_is_unknown(paid: Paid) -> None:
    forged = token_make(
        Signed(
            payment_id=999_999,
            number="R-BHKATS-2026-999999",
            amount=Decimal("1.00"),
            issued_at=paid.receipt.issued_at,
            customer_id="BHKATS00101",
            company_id=paid.receipt.company_id,
        )
    )
    assert receipt_verify(forged).state == UNKNOWN


def test_the_token_signs_what_the_receipt_says(paid: Paid) -> None:
    """A receipt whose stored amount was changed behind our back no longer
    verifies: the signature covers the amount."""
    type(paid.payment).objects.filter(pk=paid.payment.pk).update(amount="999.00")
    assert receipt_verify(paid.receipt.token).state == FAKE


def test_key_rotation(paid: Paid, settings: Any) -> None:
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = [old]
    assert receipt_verify(paid.receipt.token).state == GENUINE
    settings.SECRET_KEY_FALLBACKS = []
    assert receipt_verify(paid.receipt.token).state == FAKE


def test_the_masks() -> None:
    assert mask_name("Ramesh Kumar") == "R***** K****"
    assert mask_name("रमेश") == "र***"
    assert mask_customer_id("BHKATS00101") == "BHKATS***01"


def test_the_page_says_genuine(paid: Paid) -> None:
    response = Client().get(f"/r/{paid.receipt.token}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-verify="genuine"' in html and "Genuine receipt" in html
    assert paid.receipt.number in html and "₹ 120.50" in html
    assert "BHKATS***01" in html
    assert "Customer BHKATS" not in html and "BHKATS00101" not in html
    assert response["X-Robots-Tag"] == "noindex"


def test_the_page_says_fake(paid: Paid) -> None:
    for token in edited(paid.receipt.token)[:2]:
        response = Client().get(f"/r/{token}")
        html = response.content.decode()
        assert response.status_code == 404
        assert "FAKE: not a receipt of ours" in html
        assert paid.receipt.number not in html and "120.50" not in html


def test_the_page_in_hindi(paid: Paid) -> None:
    client = Client(headers={"accept-language": "hi"})
    html = client.get(f"/r/{paid.receipt.token}").content.decode()
    assert "असली रसीद" in html
    html = client.get("/r/1.AAAAAAAAAAAAAAAA").content.decode()
    assert "नकली" in html


def test_a_reversed_payment_is_genuine_but_says_it_no_longer_counts(
    paid: Paid,
) -> None:
    payment_reverse(payment=paid.payment, reason="typo", by=paid.world.user("admin"))
    html = Client().get(f"/r/{paid.receipt.token}").content.decode()
    assert 'data-status="reversed"' in html
    assert "This payment was reversed: it no longer counts." in html


def test_each_address_is_rate_limited(paid: Paid, settings: Any) -> None:
    settings.RECEIPT_VERIFY_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="10.0.0.7")
    codes = [client.get(f"/r/{paid.receipt.token}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/r/1.AAAAAAAAAAAAAAAA")
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    other = Client(REMOTE_ADDR="10.0.0.8")
    assert other.get(f"/r/{paid.receipt.token}").status_code == 200


def test_the_api_check(paid: Paid, settings: Any) -> None:
    api = APIClient()  # no sign-in
    body = api.get(f"/api/v1/receipts/verify/{paid.receipt.token}/").json()
    assert body["state"] == "genuine" and body["genuine"] is True
    assert (body["number"], body["amount"]) == (paid.receipt.number, "120.50")
    assert body["customer_name"] == "C******* B*****"
    forged = edited(paid.receipt.token)[0]  # the signature changed
    fake = api.get(f"/api/v1/receipts/verify/{forged}/").json()
    assert fake["state"] == "fake" and fake["genuine"] is False
    assert fake["number"] == "" and fake["amount"] is None
    settings.RECEIPT_VERIFY_PER_MINUTE = 2
    cache.clear()
    codes = [
        api.get(f"/api/v1/receipts/verify/{paid.receipt.token}/").status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
