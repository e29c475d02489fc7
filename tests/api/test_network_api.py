"""Feeders and poles under a plant's key."""

from __future__ import annotations

import pytest

from mcoms.org.models import Feeder, Pole
from tests.builders import World


def counts() -> tuple[int, int]:
    return Feeder.objects.count(), Pole.objects.count()


def test_feeders_and_poles_of_a_plant(world: World, client_for) -> None:
    client = client_for("operator")
    body = client.get("/api/v1/plants/BHKATS/feeders/").json()
    assert body["count"] == 2
    assert body["results"][0] == {"code": "F1", "name": "Feeder 1", "plant": "BHKATS"}
    body = client.get("/api/v1/plants/BHKATS/poles/").json()
    assert [p["number"] for p in body["results"]] == [1, 2, 3]
    assert body["results"][0] == {
        "number": 1,
        "feeder": "F1",
        "plant": "BHKATS",
        "latitude": None,
        "longitude": None,
    }
    assert client.get("/api/v1/plants/BHKATS/feeders/F2/").json()["name"] == "Feeder 2"
    assert client.get("/api/v1/plants/BHKATS/poles/3/").json()["feeder"] == "F1"


def test_cluster_incharge_adds_a_feeder_and_a_pole(world: World, client_for) -> None:
    client = client_for("cluster_incharge")
    response = client.post("/api/v1/plants/BHMADH/feeders/", {"code": "F3"})
    assert response.status_code == 201, response.json()
    assert response.json() == {"code": "F3", "name": "", "plant": "BHMADH"}
    response = client.post(
        "/api/v1/plants/BHMADH/poles/",
        {"feeder": "F3", "number": 7, "latitude": "25.123456", "longitude": "85.5"},
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "number": 7,
        "feeder": "F3",
        "plant": "BHMADH",
        "latitude": "25.123456",
        "longitude": "85.500000",
    }
    pole = Pole.objects.get(plant=world.plants["BHMADH"], number=7)
    assert pole.feeder.code == "F3"


def test_a_pole_moves_to_another_feeder_and_gets_coordinates(
    world: World, client_for
) -> None:
    client = client_for("cluster_incharge")
    response = client.patch(
        "/api/v1/plants/BHKATS/poles/2/", {"feeder": "F2", "latitude": "25.1"}
    )
    assert response.status_code == 200, response.json()
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=2)
    assert (pole.feeder.code, str(pole.latitude)) == ("F2", "25.100000")
    response = client.patch("/api/v1/plants/BHKATS/feeders/F2/", {"name": "East"})
    assert response.json()["name"] == "East"


@pytest.mark.parametrize(
    ("url", "body", "status", "code"),
    [
        ("/api/v1/plants/BHKATS/feeders/", {"code": "F1"}, 400, "duplicate"),
        ("/api/v1/plants/BHKATS/feeders/", {"code": "f-1"}, 400, "invalid"),
        ("/api/v1/plants/BHKATS/feeders/", {"code": "TOOLONGCODE"}, 400, "invalid"),
        ("/api/v1/plants/BHNONE/feeders/", {"code": "F9"}, 404, "not_found"),
        (
            "/api/v1/plants/BHKATS/poles/",
            {"feeder": "F1", "number": 1},
            400,
            "duplicate",
        ),
        (
            "/api/v1/plants/BHKATS/poles/",
            {"feeder": "F1", "number": 0},
            400,
            "min_value",
        ),
        (
            "/api/v1/plants/BHKATS/poles/",
            {"feeder": "F1", "number": 1000},
            400,
            "max_value",
        ),
        (
            "/api/v1/plants/BHKATS/poles/",
            {"feeder": "F9", "number": 9},
            404,
            "not_found",
        ),
        (
            "/api/v1/plants/BHKATS/poles/",
            {"feeder": "F1", "number": "x"},
            400,
            "invalid_input",
        ),
        ("/api/v1/plants/UPGORA/feeders/", {"code": "F9"}, 404, "not_found"),
    ],
)
def test_bad_network_input_is_refused_and_writes_nothing(
    world: World, client_for, url: str, body: dict, status: int, code: str
) -> None:
    before = counts()
    response = client_for("cluster_incharge").post(url, body)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert counts() == before


def test_a_pole_cannot_move_to_a_feeder_of_another_plant(
    world: World, client_for
) -> None:
    response = client_for("admin").patch(
        "/api/v1/plants/BHKATS/poles/2/", {"feeder": "F9"}
    )
    assert response.status_code == 404
    assert Pole.objects.get(plant=world.plants["BHKATS"], number=2).feeder.code == "F1"


def test_field_staff_may_view_but_not_edit_the_network(
    world: World, client_for
) -> None:
    client = client_for("technician")
    assert client.get("/api/v1/plants/BHKATS/poles/1/").status_code == 200
    response = client.post("/api/v1/plants/BHKATS/feeders/", {"code": "F9"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Feeder.objects.filter(code="F9").exists()
