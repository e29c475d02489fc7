"""The meters API: stock per plant and in the warehouse, receiving, moving,
one meter with its connections; scope and designation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from mcoms.metering.models import Meter
from mcoms.metering.services import meter_assign, meter_receive
from mcoms.org.models import User
from tests.builders import World

BASE = "/api/v1/meters"


@pytest.fixture
def client_for(db: None) -> Callable[[str], APIClient]:
    from rest_framework.authtoken.models import Token

    cache.clear()

    def make(username: str) -> APIClient:
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def stock(world: World) -> World:
    for serial, plant in [("K-1", "BHKATS"), ("K-2", "BHKATS"), ("M-1", "BHMADH")]:
        meter_receive(
            company=world.company,
            serial=serial,
            kind="load_limiter",
            plant=world.plants[plant],
            by=None,
        )
    meter_receive(company=world.company, serial="W-1", kind="smart", by=None)
    return world


def serials(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [m["serial"] for m in response.json()["results"]]


def test_stock_per_plant_and_in_the_warehouse(stock, client_for) -> None:
    ho = client_for("ho_manager")
    assert serials(ho.get(f"{BASE}/")) == ["K-1", "K-2", "M-1", "W-1"]
    assert serials(ho.get(f"{BASE}/?plant=bhkats")) == ["K-1", "K-2"]
    assert serials(ho.get(f"{BASE}/?plant=-")) == ["W-1"]
    assert serials(ho.get(f"{BASE}/?kind=smart")) == ["W-1"]
    assert serials(ho.get(f"{BASE}/?q=k-")) == ["K-1", "K-2"]
    assert serials(client_for("technician").get(f"{BASE}/")) == ["K-1", "K-2"]
    assert serials(client_for("cluster_incharge").get(f"{BASE}/")) == [
        "K-1",
        "K-2",
        "M-1",
    ]
    assert serials(client_for("other_admin").get(f"{BASE}/")) == []
    assert client_for("c+919800000001").get(f"{BASE}/").status_code == 403


def test_receiving_into_stock(stock, client_for) -> None:
    tech = client_for("technician")
    data = {"serial": "k-3", "kind": "conventional", "plant": "BHKATS"}
    response = tech.post(f"{BASE}/", data, format="json", HTTP_IDEMPOTENCY_KEY="1")
    assert response.status_code == 201, response.json()
    assert response.json()["serial"] == "K-3"
    assert response.json()["location"] == "plant"
    again = tech.post(f"{BASE}/", data, format="json", HTTP_IDEMPOTENCY_KEY="1")
    assert again.status_code == 200
    other = data | {"kind": "smart"}
    response = tech.post(f"{BASE}/", other, format="json", HTTP_IDEMPOTENCY_KEY="2")
    assert (response.status_code, response.json()["code"]) == (
        409,
        "meter_serial_taken",
    )
    # The warehouse is head office's; another plant is out of scope.
    wh = {"serial": "W-2", "kind": "smart"}
    response = tech.post(f"{BASE}/", wh, format="json", HTTP_IDEMPOTENCY_KEY="3")
    assert response.status_code == 403
    madh = data | {"serial": "M-9", "plant": "BHMADH"}
    response = tech.post(f"{BASE}/", madh, format="json", HTTP_IDEMPOTENCY_KEY="4")
    assert response.status_code == 404
    response = client_for("csa").post(
        f"{BASE}/", data | {"serial": "K-4"}, format="json", HTTP_IDEMPOTENCY_KEY="5"
    )
    assert response.status_code == 403
    ho = client_for("ho_manager")
    response = ho.post(f"{BASE}/", wh, format="json", HTTP_IDEMPOTENCY_KEY="6")
    assert (response.status_code, response.json()["plant"]) == (201, None)
    response = tech.post(f"{BASE}/", {"serial": "x"}, format="json")
    assert response.json()["code"] == "idempotency_key_missing"
    assert Meter.objects.count() == 6


def test_moving_a_meter_to_a_plant(stock, client_for) -> None:
    ho = client_for("ho_manager")
    move = {"plant": "BHKATS"}
    response = ho.post(
        f"{BASE}/W-1/move/", move, format="json", HTTP_IDEMPOTENCY_KEY="m"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["plant"], response.json()["location"]) == (
        "BHKATS",
        "plant",
    )
    tech = client_for("technician")
    response = tech.post(
        f"{BASE}/K-1/move/", {"plant": "BHMADH"}, HTTP_IDEMPOTENCY_KEY="t"
    )
    assert response.status_code == 404  # BHMADH is not the technician's


def test_one_meter_with_its_connections(stock, client_for) -> None:
    world = stock
    meter_assign(
        meter=Meter.objects.get(serial="K-1"),
        customer=world.customers["BHKATS"],
        by=None,
    )
    body = client_for("csa").get(f"{BASE}/k-1/").json()
    assert (body["state"], body["assignments"][0]["customer_id"]) == (
        "assigned",
        "BHKATS00101",
    )
    assert client_for("technician").get(f"{BASE}/M-1/").status_code == 404
    assert client_for("technician").get(f"{BASE}/W-1/").status_code == 404
    assert client_for("ho_manager").get(f"{BASE}/W-1/").status_code == 200
