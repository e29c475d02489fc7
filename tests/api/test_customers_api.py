"""Customers, read-only: scoped lists, search, one customer by ID."""

from __future__ import annotations

from mcoms.customers.services import customer_create
from mcoms.org.models import Pole
from tests.builders import World


def ids(response) -> list[str]:
    return [c["customer_id"] for c in response.json()["results"]]


def test_a_customer_record(world: World, client_for) -> None:
    body = client_for("csa").get("/api/v1/customers/bhkats00101/").json()
    assert body["customer_id"] == "BHKATS00101"
    assert (body["name"], body["phone"], body["plant"], body["pole"]) == (
        "Customer BHKATS",
        "+919800000001",
        "BHKATS",
        1,
    )


def test_search_by_name_id_and_phone(world: World, client_for) -> None:
    client = client_for("admin")
    assert ids(client.get("/api/v1/customers/?q=bhsika")) == ["BHSIKA00101"]
    assert ids(client.get("/api/v1/customers/?q=customer upgora")) == ["UPGORA00101"]
    assert ids(client.get("/api/v1/customers/?q=9800000003")) == ["UPGORA00101"]
    assert ids(client.get("/api/v1/customers/?q=nobody")) == []


def test_search_stays_inside_the_scope(world: World, client_for) -> None:
    assert ids(client_for("csa").get("/api/v1/customers/?q=UPGORA")) == []


def test_a_customer_sees_all_their_accounts_and_nothing_else(
    world: World, client_for
) -> None:
    second = customer_create(
        pole=Pole.objects.get(plant=world.plants["BHSIKA"], number=2),
        name="Second connection",
        phone="+919800000001",
        by=None,
    )
    client = client_for(world.customers["BHKATS"].user.username)
    assert ids(client.get("/api/v1/customers/")) == [
        "BHKATS00101",
        second.customer_id,
    ]
    assert client.get("/api/v1/customers/UPGORA00101/").status_code == 404
    assert client.get("/api/v1/plants/").status_code == 403
