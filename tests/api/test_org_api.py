"""States, clusters and plants by business key: list, create, retrieve, edit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.org.models import Cluster, Plant, State
from tests.builders import World


def counts() -> tuple[int, int, int]:
    return State.objects.count(), Cluster.objects.count(), Plant.objects.count()


def test_state_list_is_paginated_and_scoped(world: World, client_for) -> None:
    response = client_for("admin").get("/api/v1/states/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert body["results"] == [
        {"code": "BH", "name": "Bihar"},
        {"code": "UP", "name": "Uttar Pradesh"},
    ]


def test_page_size_limits_a_page_and_links_the_next(world: World, client_for) -> None:
    body = client_for("admin").get("/api/v1/plants/?page_size=3").json()
    assert body["count"] == 4
    assert len(body["results"]) == 3
    assert body["next"].endswith("/api/v1/plants/?page=2&page_size=3")
    assert body["previous"] is None


def test_admin_creates_a_state_in_their_company(world: World, client_for) -> None:
    response = client_for("admin").post(
        "/api/v1/states/", {"code": "MP", "name": "Madhya Pradesh"}
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"code": "MP", "name": "Madhya Pradesh"}
    assert State.objects.get(code="MP").company == world.company


def test_state_incharge_may_not_create_a_state(world: World, client_for) -> None:
    before = counts()
    response = client_for("state_incharge").post(
        "/api/v1/states/", {"code": "MP", "name": "Madhya Pradesh"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert counts() == before


@pytest.mark.parametrize(
    ("url", "body", "code", "field"),
    [
        ("/api/v1/states/", {"code": "Bihar", "name": "x"}, "invalid", "code"),
        ("/api/v1/states/", {"code": "bh", "name": "x"}, "invalid", "code"),
        ("/api/v1/states/", {"code": "BH", "name": "Again"}, "duplicate", None),
        ("/api/v1/states/", {"name": "No code"}, "required", "code"),
        (
            "/api/v1/clusters/",
            {"state": "BH", "code": "NORTH", "name": "Again"},
            "duplicate",
            None,
        ),
        (
            "/api/v1/clusters/",
            {"state": "BH", "code": "no-rth", "name": "x"},
            "invalid",
            "code",
        ),
        (
            "/api/v1/plants/",
            {"cluster": "BH-NORTH", "code": "KAT1", "name": "x", "capacity_kwp": "5"},
            "invalid",
            "code",
        ),
        (
            "/api/v1/plants/",
            {"cluster": "BH-NORTH", "code": "KATS", "name": "x", "capacity_kwp": "5"},
            "duplicate",
            None,
        ),
        (
            "/api/v1/plants/",
            {"cluster": "BH-NORTH", "code": "NEWP", "name": "x", "capacity_kwp": "0"},
            "min_value",
            "capacity_kwp",
        ),
        (
            "/api/v1/plants/",
            {"cluster": "BH-NORTH", "code": "NEWP", "name": "x", "capacity_kwp": "ab"},
            "invalid_input",
            "capacity_kwp",
        ),
        (
            "/api/v1/plants/",
            {
                "cluster": "BH-NORTH",
                "code": "NEWP",
                "name": "x",
                "capacity_kwp": "5",
                "timezone": "Mars/Olympus",
            },
            "timezone_unknown",
            "timezone",
        ),
    ],
)
def test_bad_input_is_a_400_with_a_code_and_writes_nothing(
    world: World, client_for, url: str, body: dict, code: str, field: str | None
) -> None:
    before = counts()
    response = client_for("admin").post(url, body)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert response.json().get("field") == field
    assert counts() == before


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/clusters/", {"state": "XX", "code": "WEST", "name": "x"}),
        (
            "/api/v1/plants/",
            {"cluster": "BH-NOWHERE", "code": "NEWP", "name": "x", "capacity_kwp": "5"},
        ),
    ],
)
def test_an_unknown_parent_is_a_404_and_writes_nothing(
    world: World, client_for, url: str, body: dict
) -> None:
    before = counts()
    response = client_for("admin").post(url, body)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert counts() == before


def test_a_parent_outside_the_scope_is_a_404(world: World, client_for) -> None:
    before = counts()
    response = client_for("state_incharge").post(
        "/api/v1/plants/",
        {"cluster": "UP-EAST", "code": "NEWP", "name": "x", "capacity_kwp": "5"},
    )
    assert response.status_code == 404
    assert counts() == before


def test_state_incharge_creates_a_cluster_and_a_plant(world: World, client_for) -> None:
    client = client_for("state_incharge")
    response = client.post(
        "/api/v1/clusters/", {"state": "bh", "code": "WEST", "name": "West"}
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "key": "BH-WEST",
        "code": "WEST",
        "name": "West",
        "state": "BH",
    }
    response = client.post(
        "/api/v1/plants/",
        {
            "cluster": "BH-WEST",
            "code": "NEWP",
            "name": "New Plant",
            "capacity_kwp": "12.50",
            "timezone": "Asia/Kolkata",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "key": "BHNEWP",
        "code": "NEWP",
        "name": "New Plant",
        "state": "BH",
        "cluster": "BH-WEST",
        "capacity_kwp": "12.50",
        "timezone": "Asia/Kolkata",
        "village": "",
    }
    plant = Plant.objects.get(code="NEWP")
    assert plant.capacity_kwp == Decimal("12.50")
    assert plant.company == world.company


def test_retrieve_by_business_key(world: World, client_for) -> None:
    client = client_for("cluster_incharge")
    assert client.get("/api/v1/clusters/BH-NORTH/").json()["name"] == "North"
    body = client.get("/api/v1/plants/bhkats/").json()
    assert (body["key"], body["cluster"], body["capacity_kwp"]) == (
        "BHKATS",
        "BH-NORTH",
        "30.00",
    )


def test_partial_update_changes_only_the_given_fields(world: World, client_for) -> None:
    client = client_for("ho_manager")
    response = client.patch("/api/v1/plants/BHKATS/", {"village": "Katsari"})
    assert response.status_code == 200, response.json()
    plant = Plant.objects.get(pk=world.plants["BHKATS"].pk)
    assert (plant.village, plant.name, plant.capacity_kwp) == (
        "Katsari",
        "Kats",
        Decimal("30.00"),
    )
    response = client.patch("/api/v1/states/BH/", {"name": "Bihar State"})
    assert response.json() == {"code": "BH", "name": "Bihar State"}
    response = client.patch("/api/v1/clusters/BH-NORTH/", {"name": "Uttar"})
    assert response.json()["name"] == "Uttar"


def test_a_plant_moves_only_within_its_state(world: World, client_for) -> None:
    client = client_for("admin")
    response = client.patch("/api/v1/plants/BHKATS/", {"cluster": "BH-SOUTH"})
    assert response.status_code == 200
    assert response.json()["cluster"] == "BH-SOUTH"
    response = client.patch("/api/v1/plants/BHKATS/", {"cluster": "UP-EAST"})
    assert response.status_code == 400
    assert response.json()["code"] == "cluster_other_state"
    assert Plant.objects.get(code="KATS", company=world.company).cluster.code == "SOUTH"


def test_bad_edits_are_refused_and_change_nothing(world: World, client_for) -> None:
    client = client_for("admin")
    response = client.patch("/api/v1/plants/BHKATS/", {"timezone": "Nowhere/Land"})
    assert response.json()["code"] == "timezone_unknown"
    response = client.patch("/api/v1/plants/BHKATS/", {"capacity_kwp": "0"})
    assert response.status_code == 400
    plant = Plant.objects.get(pk=world.plants["BHKATS"].pk)
    assert (plant.timezone, plant.capacity_kwp) == ("Asia/Kolkata", Decimal("30.00"))
