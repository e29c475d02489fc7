"""Who reaches a receipt: a customer only their own (another's is 404 in the
customer app and the API, even under their own account's URL); staff with
``payment.view`` in the receipt's plant's scope (404 outside it, 403 without
the action); sending it again needs ``payment.take``."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from mcoms.org.models import User
from mcoms.receipts.tests.conftest import Paid
from tests.builders import customer_user

OWN = "/selfcare/a/BHKATS00101/"


@pytest.fixture
def other(paid: Paid) -> str:
    """The BHSIKA customer's receipt number."""
    return paid.pay("25", who="BHSIKA").receipt.number


def web(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_customer_cannot_fetch_another_customers_receipt(
    paid: Paid, other: str
) -> None:
    me = web(customer_user(paid.world))
    mine = paid.receipt.number
    assert me.get(f"{OWN}receipts/{mine}/").status_code == 200
    assert me.get(f"{OWN}receipts/{mine}.png").status_code == 200
    for url in [
        f"{OWN}receipts/{other}/",
        f"{OWN}receipts/{other}.png",
        f"{OWN}receipts/{other}.pdf",
        f"/selfcare/a/BHSIKA00101/receipts/{other}/",
        f"/selfcare/a/BHSIKA00101/receipts/{other}.pdf",
        "/selfcare/a/BHSIKA00101/transactions/",
    ]:
        assert me.get(url).status_code == 404, url
    client = api(customer_user(paid.world))
    assert client.get(f"/api/v1/receipts/{mine}/").status_code == 200
    for url in [f"/api/v1/receipts/{other}/", f"/api/v1/receipts/{other}/png/"]:
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    listed = client.get("/api/v1/receipts/").json()["results"]
    assert [r["number"] for r in listed] == [mine]


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("csa", 200),
        ("cluster_incharge", 200),
        ("state_incharge", 200),
        ("admin", 200),
        ("sika_csa", 404),  # another plant
        ("other_admin", 404),  # another company
        ("operator", 403),  # no payment.view
        ("technician", 403),
    ],
)
def test_staff_by_scope(paid: Paid, username: str, status: int) -> None:
    user = paid.world.user(username)
    number = paid.receipt.number
    for url in [
        f"/api/v1/receipts/{number}/",
        f"/api/v1/receipts/{number}/escpos/",
        f"/api/v1/receipts/{number}/sms/",
    ]:
        assert api(user).get(url).status_code == status, url
    field = web(user)
    for url in [f"/field/receipts/{number}/", f"/field/receipts/{number}.bin"]:
        assert field.get(url).status_code == status, url
    response = field.get("/field/consumers/BHKATS00101/transactions/")
    if username == "other_admin":  # the other company's own BHKATS00101
        assert response.status_code == 200
        assert number not in response.content.decode()
    else:
        assert response.status_code == status


def test_head_office_sees_but_does_not_send(paid: Paid) -> None:
    ho = api(paid.world.user("ho_manager"))
    number = paid.receipt.number
    assert ho.get(f"/api/v1/receipts/{number}/").status_code == 200
    response = ho.post(
        f"/api/v1/receipts/{number}/sms/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 403
    assert (
        web(paid.world.user("ho_manager")).get(f"/field/receipts/{number}/").status_code
        == 403
    )  # no field app for head office


def test_signed_out(paid: Paid) -> None:
    number = paid.receipt.number
    response = web(None).get(f"/field/receipts/{number}/")
    assert response.status_code == 302 and "/field/login/" in response["Location"]
    response = web(None).get(f"{OWN}receipts/{number}.pdf")
    assert response.status_code == 302 and "/selfcare/login/" in response["Location"]
    assert api(None).get(f"/api/v1/receipts/{number}/").status_code == 401


def test_staff_cannot_use_the_customer_app(paid: Paid) -> None:
    response = web(paid.world.user("csa")).get(f"{OWN}receipts/{paid.receipt.number}/")
    assert response.status_code == 403
