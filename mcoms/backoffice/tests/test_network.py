"""Feeders and poles: access matrix, create/edit and every refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from mcoms.org.models import Feeder, Pole
from tests.builders import World

Login = Callable[[str], Client]
MANAGERS = ["cluster_incharge", "state_incharge", "ho_manager", "admin"]
K = "/backoffice/plants/BHKATS"
G = "/backoffice/plants/UPGORA"


@pytest.mark.parametrize(
    "url",
    [
        f"{K}/feeders/",
        f"{K}/feeders/F1/",
        f"{K}/poles/",
        f"{K}/poles/1/",
        f"{K}/feeders/F1/edit/",
        f"{K}/poles/2/edit/",
        f"{K}/feeders/new/",
        f"{K}/feeders/F2/poles/new/",
    ],
)
def test_in_scope_pages(world: World, as_user: Login, url: str) -> None:
    for name in MANAGERS:
        assert as_user(name).get(url).status_code == 200, name
    for name in ["operator", "technician", "csa"]:
        assert as_user(name).get(url).status_code == 403, name
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        f"{G}/feeders/",
        f"{G}/feeders/F1/",
        f"{G}/poles/",
        f"{G}/poles/1/",
        f"{G}/feeders/F1/edit/",
        f"{G}/poles/1/edit/",
        f"{G}/feeders/new/",
        f"{K}/feeders/F9/",
        f"{K}/poles/77/",
        f"{K}/feeders/F9/poles/new/",
    ],
)
def test_out_of_scope_or_unknown_is_404(world: World, as_user: Login, url: str) -> None:
    assert as_user("state_incharge").get(url).status_code == 404
    if url.startswith(G):
        assert as_user("other_admin").get(url).status_code == 404


def test_a_feeder_is_added_and_renamed(world: World, as_user: Login) -> None:
    client = as_user("cluster_incharge")
    response = client.post(f"{K}/feeders/new/", {"code": "f3", "name": "East"})
    assert response["Location"] == f"{K}/feeders/F3/"
    response = client.post(f"{K}/feeders/F3/edit/", {"name": "East line"})
    assert response.status_code == 302
    feeder = Feeder.objects.get(plant=world.plants["BHKATS"], code="F3")
    assert feeder.name == "East line"
    history = client.get(f"{K}/feeders/F3/").context["history"]
    assert [(c.old, c.new) for c in history[0].changes] == [("East", "East line")]


@pytest.mark.parametrize("code", ["F1", "F-1", "TOOLONGCODE"])
def test_a_bad_feeder_code_saves_nothing(
    world: World, as_user: Login, code: str
) -> None:
    before = Feeder.objects.count()
    response = as_user("admin").post(f"{K}/feeders/new/", {"code": code})
    assert response.context["form"].errors["code"]
    assert Feeder.objects.count() == before


def test_a_pole_is_added_on_its_feeder(world: World, as_user: Login) -> None:
    client = as_user("cluster_incharge")
    data = {"number": "7", "latitude": "25.1", "longitude": "85.3"}
    response = client.post(f"{K}/feeders/F2/poles/new/", data)
    assert response["Location"] == f"{K}/poles/7/"
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=7)
    assert pole.feeder.code == "F2"


@pytest.mark.parametrize(
    ("number", "field"),
    [("1", "number"), ("1000", "number"), ("0", "number"), ("x", "number")],
)
def test_a_bad_pole_number_saves_nothing(
    world: World, as_user: Login, number: str, field: str
) -> None:
    before = Pole.objects.count()
    response = as_user("admin").post(f"{K}/feeders/F1/poles/new/", {"number": number})
    assert response.context["form"].errors[field]
    assert Pole.objects.count() == before


def test_a_pole_moves_only_to_a_feeder_of_its_plant(
    world: World, as_user: Login
) -> None:
    client = as_user("admin")
    response = client.post(f"{K}/poles/2/edit/", {"feeder": "F2", "latitude": "1"})
    assert response.status_code == 302
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=2)
    assert (pole.feeder.code, str(pole.latitude)) == ("F2", "1.000000")
    response = client.post(f"{K}/poles/2/edit/", {"feeder": "F7"})
    assert response.context["form"].errors["feeder"]


def test_field_staff_cannot_write(world: World, as_user: Login) -> None:
    before = Feeder.objects.count()
    for name in ["operator", "csa"]:
        response = as_user(name).post(f"{K}/feeders/new/", {"code": "F5"})
        assert response.status_code == 403
    assert Feeder.objects.count() == before
