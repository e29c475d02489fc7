"""The payments API: a cash payment with an Idempotency-Key (201, then 200
with the same body), bad amounts as JSON errors with a code and nothing
written, scope (403 designation, 404 outside), list and detail, reverse and
refund for head office."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from mcoms.ledger.models import Journal
from mcoms.payments.models import Payment
from mcoms.payments.tests.kit import charge
from tests.builders import World

URL = "/api/v1/payments/"


def pay(client, key: str | None = "k-1", **body):
    data = {"customer": "BHKATS00101", "amount": "150.00", **body}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, data, format="json", **headers)


def test_a_payment_then_its_replay(world: World, client_for) -> None:
    charge(world.customers["BHKATS"], "CHG", "100.00")
    charge(world.customers["BHKATS"], "WATER", "100.00")
    csa = client_for("csa")
    first = pay(csa)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["amount"] == "150.00" and body["channel"] == "cash"
    assert body["collected_by"] == "csa" and body["status"] == "posted"
    assert body["allocations"] == [
        {"service": "CHG", "amount": "100.00"},
        {"service": "WATER", "amount": "50.00"},
    ]
    again = pay(csa)
    assert again.status_code == 200 and again.json() == body
    assert Payment.objects.count() == 1
    other = pay(csa, amount="99")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"


def test_the_key_is_required(world: World, client_for) -> None:
    response = pay(client_for("csa"), key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount_not_positive"),
        ("-10", "amount_not_positive"),
        ("ten", "amount_invalid"),
        ("10.123", "amount_too_precise"),
        (12.5, "amount_not_decimal"),
        ("", "amount_missing"),
    ],
)
def test_bad_amounts_are_json_errors_and_write_nothing(
    world: World, client_for, amount: object, code: str
) -> None:
    response = pay(client_for("csa"), key=str(uuid.uuid4()), amount=amount)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["field"] == "amount"
    assert Payment.objects.count() == 0 and Journal.objects.count() == 0


def test_a_missing_amount_and_an_unknown_service(world: World, client_for) -> None:
    response = client_for("csa").post(
        URL, {"customer": "BHKATS00101"}, format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert response.status_code == 400 and response.json()["field"] == "amount"
    response = pay(client_for("csa"), service="GAS")
    assert response.status_code == 400 and response.json()["field"] == "service"


@pytest.mark.parametrize(
    ("user", "customer", "status"),
    [
        ("csa", "BHSIKA00101", 404),
        ("sika_csa", "BHKATS00101", 404),
        ("other_admin", "UPGORA00101", 404),
        ("operator", "BHKATS00101", 403),
        ("technician", "BHKATS00101", 403),
        ("ho_manager", "BHKATS00101", 403),
        ("c+919800000001", "BHKATS00101", 403),
        ("cluster_incharge", "BHKATS00101", 201),
        ("state_incharge", "BHSIKA00101", 201),
        ("admin", "UPGORA00101", 201),
    ],
)
def test_who_may_record_a_payment_for_whom(
    world: World, client_for, user: str, customer: str, status: int
) -> None:
    response = pay(client_for(user), customer=customer)
    assert response.status_code == status, response.json()
    assert Payment.objects.count() == (1 if status == 201 else 0)


def test_list_and_detail_follow_the_scope(world: World, client_for) -> None:
    pay(client_for("csa"), key="a")
    pay(client_for("admin"), key="b", customer="BHSIKA00101")
    rows = client_for("csa").get(URL).json()["results"]
    assert [r["customer"] for r in rows] == ["BHKATS00101"]
    assert len(client_for("ho_manager").get(URL).json()["results"]) == 2
    mine = client_for("c+919800000001").get(URL).json()["results"]
    assert [r["customer"] for r in mine] == ["BHKATS00101"]
    assert client_for("operator").get(URL).status_code == 403
    sika = Payment.objects.get(customer__customer_id="BHSIKA00101").uid
    assert client_for("csa").get(f"{URL}{sika}/").status_code == 404
    assert client_for("sika_csa").get(f"{URL}{sika}/").status_code == 200
    assert client_for("csa").get(f"{URL}not-a-uuid/").status_code == 404
    filtered = client_for("admin").get(URL, {"customer": "bhsika00101"}).json()
    assert [r["customer"] for r in filtered["results"]] == ["BHSIKA00101"]


def test_reverse_and_refund_for_head_office_only(world: World, client_for) -> None:
    uid = pay(client_for("csa")).json()["id"]
    reverse = f"{URL}{uid}/reverse/"
    for user in ("csa", "cluster_incharge", "state_incharge"):
        response = client_for(user).post(
            reverse, {"reason": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="r"
        )
        assert response.status_code == 403
    no_reason = client_for("ho_manager").post(
        reverse, {}, format="json", HTTP_IDEMPOTENCY_KEY="r"
    )
    assert no_reason.status_code == 400
    done = client_for("ho_manager").post(
        reverse, {"reason": "typed in twice"}, format="json", HTTP_IDEMPOTENCY_KEY="r"
    )
    assert done.status_code == 201 and done.json()["status"] == "reversed"
    assert done.json()["reversal"]["by"] == "ho_manager"
    again = client_for("ho_manager").post(
        reverse, {"reason": "typed in twice"}, format="json", HTTP_IDEMPOTENCY_KEY="r"
    )
    assert again.status_code == 200
    refund = client_for("admin").post(
        f"{URL}{uid}/refund/", {"reason": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="f"
    )
    assert refund.status_code == 409
    assert refund.json()["code"] == "payment_already_reversed"
    assert Journal.objects.filter(kind="reversal").count() == 1
    other = client_for("other_admin").post(
        reverse, {"reason": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="o"
    )
    assert other.status_code == 404


def test_amount_as_a_json_integer_is_taken(world: World, client_for) -> None:
    response = pay(client_for("csa"), amount=200)
    assert response.status_code == 201
    assert Payment.objects.get().amount == Decimal("200.00")
