"""States, clusters, plants: access matrix, create/edit and every refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from mcoms.org.models import Cluster, Plant, State
from tests.builders import World

Login = Callable[[str], Client]
MANAGERS = ["cluster_incharge", "state_incharge", "ho_manager", "admin"]

# (url, who sees it: 200; who is out of scope: 404)
PAGES = [
    ("/backoffice/states/", MANAGERS, []),
    (
        "/backoffice/states/BH/",
        ["state_incharge", "ho_manager", "admin"],
        ["cluster_incharge"],
    ),
    (
        "/backoffice/states/UP/",
        ["ho_manager", "admin"],
        ["state_incharge", "cluster_incharge", "other_admin"],
    ),
    ("/backoffice/clusters/", MANAGERS, []),
    ("/backoffice/clusters/BH-NORTH/", MANAGERS, ["other_admin"]),
    (
        "/backoffice/clusters/BH-SOUTH/",
        ["state_incharge", "ho_manager", "admin"],
        ["cluster_incharge", "other_admin"],
    ),
    ("/backoffice/plants/", MANAGERS, []),
    ("/backoffice/plants/BHKATS/", MANAGERS, []),
    ("/backoffice/plants/BHSIKA/", ["state_incharge", "admin"], ["cluster_incharge"]),
    ("/backoffice/plants/UPGORA/", ["admin"], ["state_incharge", "cluster_incharge"]),
]


@pytest.mark.parametrize(("url", "ok", "hidden"), PAGES)
def test_pages_answer_by_designation_and_scope(
    world: World, as_user: Login, url: str, ok: list[str], hidden: list[str]
) -> None:
    for name in ok:
        assert as_user(name).get(url).status_code == 200, name
    for name in hidden:
        assert as_user(name).get(url).status_code == 404, name
    for name in ["operator", "technician", "csa"]:
        assert as_user(name).get(url).status_code == 403, name
    assert Client().get(url).status_code == 302


def test_other_company_admin_never_sees_our_objects(
    world: World, as_user: Login
) -> None:
    client = as_user("other_admin")
    assert "Uttar" not in client.get("/backoffice/states/").content.decode()
    assert "BHMADH" not in client.get("/backoffice/plants/").content.decode()
    # Same codes, other company: their own BHKATS, not ours.
    response = client.get("/backoffice/plants/BHKATS/")
    assert response.context["plant"].company == world.other_company
    assert client.get("/backoffice/plants/BHKATS/edit/").status_code == 200
    assert client.get("/backoffice/clusters/BH-NORTH/edit/").status_code == 404


def test_head_office_adds_a_state(world: World, as_user: Login) -> None:
    response = as_user("ho_manager").post(
        "/backoffice/states/new/", {"code": "jh", "name": "Jharkhand"}
    )
    assert response["Location"] == "/backoffice/states/JH/"
    assert State.objects.get(company=world.company, code="JH").name == "Jharkhand"


@pytest.mark.parametrize(
    ("code", "message"),
    [("BH", "already in use"), ("B1", "Two capital letters"), ("", "required")],
)
def test_a_bad_state_code_is_refused_and_nothing_saved(
    world: World, as_user: Login, code: str, message: str
) -> None:
    before = State.objects.count()
    response = as_user("admin").post(
        "/backoffice/states/new/", {"code": code, "name": "X"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors["code"]
    assert State.objects.count() == before


def test_state_incharge_may_not_add_states(world: World, as_user: Login) -> None:
    client = as_user("state_incharge")
    assert client.get("/backoffice/states/new/").status_code == 403
    assert client.post("/backoffice/states/new/", {"code": "JH"}).status_code == 403
    assert as_user("cluster_incharge").get("/backoffice/states/new/").status_code == 403


def test_state_incharge_renames_their_state(world: World, as_user: Login) -> None:
    client = as_user("state_incharge")
    response = client.post("/backoffice/states/BH/edit/", {"name": "Bihar State"})
    assert response.status_code == 302
    assert State.objects.get(pk=world.states["BH"].pk).name == "Bihar State"
    assert client.post("/backoffice/states/UP/edit/", {"name": "X"}).status_code == 404


def test_a_cluster_is_added_under_its_state(world: World, as_user: Login) -> None:
    client = as_user("state_incharge")
    response = client.post(
        "/backoffice/states/BH/clusters/new/", {"code": "west", "name": "West"}
    )
    assert response["Location"] == "/backoffice/clusters/BH-WEST/"
    assert Cluster.objects.filter(state=world.states["BH"], code="WEST").exists()


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("state_incharge", "/backoffice/states/UP/clusters/new/", 404),
        ("admin", "/backoffice/states/ZZ/clusters/new/", 404),
        ("other_admin", "/backoffice/states/UP/clusters/new/", 404),
        ("cluster_incharge", "/backoffice/states/BH/clusters/new/", 403),
    ],
)
def test_a_cluster_under_a_parent_out_of_reach_is_refused(
    world: World, as_user: Login, user: str, url: str, status: int
) -> None:
    before = Cluster.objects.count()
    response = as_user(user).post(url, {"code": "WEST", "name": "West"})
    assert response.status_code == status
    assert Cluster.objects.count() == before


def test_a_duplicate_cluster_code_is_refused(world: World, as_user: Login) -> None:
    before = Cluster.objects.count()
    response = as_user("admin").post(
        "/backoffice/states/BH/clusters/new/", {"code": "NORTH", "name": "Again"}
    )
    assert response.context["form"].errors["code"]
    assert Cluster.objects.count() == before


def test_cluster_rename_records_history(world: World, as_user: Login) -> None:
    client = as_user("admin")
    client.post("/backoffice/clusters/BH-NORTH/edit/", {"name": "Northern"})
    response = client.get("/backoffice/clusters/BH-NORTH/")
    entry = response.context["history"][0]
    assert entry.who == "admin"
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("name", "North", "Northern")
    ]
    assert "Northern" in response.content.decode()


def test_plant_create_and_its_refusals(world: World, as_user: Login) -> None:
    client = as_user("state_incharge")
    url = "/backoffice/clusters/BH-NORTH/plants/new/"
    data = {
        "code": "RAMP",
        "name": "Rampur",
        "capacity_kwp": "25.5",
        "timezone": "Asia/Kolkata",
        "village": "Rampur",
    }
    assert client.post(url, data)["Location"] == "/backoffice/plants/BHRAMP/"
    before = Plant.objects.count()
    for bad, field in [
        ({"code": "KATS"}, "code"),
        ({"code": "R1"}, "code"),
        ({"code": "NEWP", "timezone": "Mars/Base"}, "timezone"),
        ({"code": "NEWP", "capacity_kwp": "0"}, "capacity_kwp"),
    ]:
        response = client.post(url, {**data, **bad})
        assert response.context["form"].errors[field], bad
    assert Plant.objects.count() == before
    assert (
        client.post("/backoffice/clusters/UP-EAST/plants/new/", data).status_code == 404
    )
    assert as_user("cluster_incharge").post(url, data).status_code == 403


def test_plant_edit_moves_only_within_the_state(world: World, as_user: Login) -> None:
    client = as_user("admin")
    data = {
        "name": "Katsa",
        "capacity_kwp": "31",
        "timezone": "Asia/Kolkata",
        "village": "",
        "cluster": "UP-EAST",
    }
    response = client.post("/backoffice/plants/BHKATS/edit/", data)
    assert "cluster of its state" in response.content.decode()
    plant = Plant.objects.get(pk=world.plants["BHKATS"].pk)
    assert plant.cluster.key == "BH-NORTH"
    data["cluster"] = "BH-SOUTH"
    assert client.post("/backoffice/plants/BHKATS/edit/", data).status_code == 302
    plant.refresh_from_db()
    assert (plant.cluster.key, plant.name) == ("BH-SOUTH", "Katsa")


def test_history_is_hidden_without_audit_view(world: World, as_user: Login) -> None:
    from mcoms.org.permissions import PERMISSIONS, Action

    response = as_user("admin").get("/backoffice/plants/BHKATS/")
    assert response.context["history"] is not None
    assert 'id="history"' in response.content.decode()
    saved = PERMISSIONS[Action.AUDIT_VIEW]
    PERMISSIONS[Action.AUDIT_VIEW] = frozenset()
    try:
        response = as_user("admin").get("/backoffice/plants/BHKATS/")
    finally:
        PERMISSIONS[Action.AUDIT_VIEW] = saved
    assert response.context["history"] is None
    assert 'id="history"' not in response.content.decode()
