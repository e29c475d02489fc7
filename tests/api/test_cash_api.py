"""The cash API: the caller's cash, a deposit with the slip (Idempotency-Key
as its key, refusals as JSON codes with nothing written), verify and reject
for head office, In Hand Cash, the review and the limits; designation and
scope."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from mcoms.cash.models import BankDeposit, CashLimit
from mcoms.cash.tests.kit import slip_junk, slip_png, take_cash
from mcoms.ledger.models import Journal
from tests.builders import World

Clients = Callable[[str], APIClient]
URL = "/api/v1/cash/deposits/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def books(world: World) -> World:
    take_cash(world.customers["BHKATS"], world.user("csa"), "700")
    return world


def body(amount: str, slip: Any = None, plant: str = "BHKATS") -> dict[str, Any]:
    return {
        "plant": plant,
        "amount": amount,
        "deposited_on": timezone.localdate().isoformat(),
        "bank": "SBI Katsa",
        "reference": "S-5",
        "slip": slip or slip_png(),
    }


def post(client: APIClient, data: dict[str, Any], key: str | None = None) -> Any:
    return client.post(
        URL, data, format="multipart", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4())
    )


def test_a_deposit_and_its_replay(books: World, client_for: Clients) -> None:
    csa = client_for("csa")
    assert csa.get("/api/v1/cash/mine/").json()["in_hand"] == "700.00"
    key = str(uuid.uuid4())
    first = post(csa, body("300.00"), key)
    assert first.status_code == 201, first.json()
    made = first.json()
    assert (made["amount"], made["status"], made["agent"]) == (
        "300.00",
        "registered",
        "csa",
    )
    again = post(csa, body("300.00"), key)
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    assert BankDeposit.objects.count() == 1
    mine = csa.get("/api/v1/cash/mine/").json()
    assert (mine["in_hand"], mine["pending"], mine["pending_count"]) == (
        "400.00",
        "300.00",
        1,
    )
    slip = csa.get(f"{URL}{made['id']}/slip/")
    assert slip.status_code == 200 and slip["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (body("700.01"), 400, "deposit_exceeds_cash"),
        (body("10", slip_junk()), 400, "slip_file_type"),
        (body("-1"), 400, "amount_not_positive"),
        (body("1.234"), 400, "amount_too_precise"),
        (body("10", plant="BHSIKA"), 404, "not_found"),
    ],
)
def test_refusals_write_nothing(
    books: World, client_for: Clients, data: dict, status: int, code: str
) -> None:
    journals = Journal.objects.count()
    response = post(client_for("csa"), data)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert BankDeposit.objects.count() == 0 and Journal.objects.count() == journals


def test_a_deposit_needs_the_key_and_the_designation(
    books: World, client_for: Clients
) -> None:
    no_key = client_for("csa").post(URL, body("10"), format="multipart")
    assert no_key.json()["code"] == "idempotency_key_missing"
    tech = post(client_for("technician"), body("10"))
    assert tech.status_code == 403 and tech.json()["code"] == "permission_denied"
    assert BankDeposit.objects.count() == 0


def test_the_same_key_for_another_deposit_is_a_conflict(
    books: World, client_for: Clients
) -> None:
    key = str(uuid.uuid4())
    post(client_for("csa"), body("100"), key)
    other = post(client_for("csa"), body("101"), key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_head_office_verifies_and_rejects(books: World, client_for: Clients) -> None:
    csa, ho = client_for("csa"), client_for("ho_manager")
    one = post(csa, body("100")).json()["id"]
    two = post(csa, body("50")).json()["id"]
    denied = client_for("cluster_incharge").post(
        f"{URL}{one}/verify/", {"received_amount": "100"}, format="json"
    )
    assert denied.status_code == 403
    done = ho.post(f"{URL}{one}/verify/", {"received_amount": "90"}, format="json")
    assert done.status_code == 201 and done.json()["mismatch"] is True
    replay = ho.post(f"{URL}{one}/verify/", {"received_amount": "90"}, format="json")
    assert replay.status_code == 200
    clash = ho.post(f"{URL}{one}/reject/", {"reason": "x"}, format="json")
    assert (
        clash.status_code == 409 and clash.json()["code"] == "deposit_already_settled"
    )
    gone = ho.post(f"{URL}{two}/reject/", {"reason": "Not in the bank"}, format="json")
    assert gone.status_code == 201 and gone.json()["status"] == "rejected"
    assert csa.get("/api/v1/cash/mine/").json()["in_hand"] == "610.00"
    review = ho.get("/api/v1/cash/review/").json()
    assert {a["kind"] for a in review["anomalies"]} == {"mismatch", "rejected"}
    in_hand = ho.get("/api/v1/cash/in-hand/?plant=BHKATS").json()
    assert in_hand["total"]["figures"]["in_hand"] == "610.00"
    agents = in_hand["groups"][0]["plants"][0]["agents"]
    assert [(a["username"], a["figures"]["in_hand"]) for a in agents] == [
        ("csa", "610.00")
    ]


def test_lists_and_details_follow_the_scope(books: World, client_for: Clients) -> None:
    made = post(client_for("csa"), body("100")).json()["id"]
    assert client_for("cluster_incharge").get(URL).json()["count"] == 1
    assert client_for("sika_csa").get(URL).json()["count"] == 0
    assert client_for("sika_csa").get(f"{URL}{made}/").status_code == 404
    assert client_for("other_admin").get(f"{URL}{made}/slip/").status_code == 404
    assert client_for("operator").get(URL).status_code == 403
    assert (
        client_for("sika_csa").get("/api/v1/cash/in-hand/?plant=BHKATS").status_code
        == 404
    )


def test_limits(books: World, client_for: Clients) -> None:
    ho = client_for("ho_manager")
    set_ = ho.post("/api/v1/cash/limits/", {"amount": "5000"}, format="json")
    assert set_.status_code == 200 and set_.json()[0]["amount"] == "5000.00"
    plant = ho.post(
        "/api/v1/cash/limits/", {"plant": "BHKATS", "amount": "500"}, format="json"
    )
    assert [row["plant"] for row in plant.json()] == [None, "BHKATS"]
    bad = ho.post(
        "/api/v1/cash/limits/", {"plant": "BHKATS", "amount": "-1"}, format="json"
    )
    assert bad.status_code == 400
    assert client_for("state_incharge").get("/api/v1/cash/limits/").status_code == 403
    assert client_for("csa").get("/api/v1/cash/mine/").json()["over_limit"] is True
    removed = ho.post("/api/v1/cash/limits/", {"plant": "BHKATS"}, format="json")
    assert [row["plant"] for row in removed.json()] == [None]
    assert CashLimit.objects.count() == 1
