"""Staff by username: list, create with a scope, retrieve, edit."""

from __future__ import annotations

import pytest

from mcoms.org.models import Staff, User
from tests.builders import World

NEW = {
    "username": "ravi",
    "password": "a-long-pass-9876",
    "first_name": "Ravi",
    "last_name": "Kumar",
    "phone": "+919812345678",
    "designation": "csa",
    "scope": {"level": "plant", "key": "BHMADH"},
}


def test_staff_list_shows_no_password_and_the_scope(world: World, client_for) -> None:
    body = client_for("cluster_incharge").get("/api/v1/staff/").json()
    assert [s["username"] for s in body["results"]] == [
        "cluster_incharge",
        "csa",
        "operator",
        "technician",
    ]
    csa = next(s for s in body["results"] if s["username"] == "csa")
    assert csa["scope"] == {"level": "plant", "key": "BHKATS"}
    assert csa["designation"] == "csa"
    assert "password" not in str(body)
    assert "pbkdf2" not in str(body) and "md5$" not in str(body)


def test_admin_creates_a_staff_member_who_can_sign_in(
    world: World, client_for, anon
) -> None:
    response = client_for("admin").post("/api/v1/staff/", NEW)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["scope"] == {"level": "plant", "key": "BHMADH"}
    assert "password" not in body
    staff = Staff.objects.get(user__username="ravi")
    assert staff.plant == world.plants["BHMADH"]
    response = anon.post(
        "/api/v1/auth/token/", {"username": "ravi", "password": NEW["password"]}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (
            {"level": "cluster", "key": "BH-SOUTH"},
            {"level": "cluster", "key": "BH-SOUTH"},
        ),
        ({"level": "state", "key": "UP"}, {"level": "state", "key": "UP"}),
        ({"level": "company"}, {"level": "company", "key": "tara"}),
    ],
)
def test_every_scope_level(
    world: World, client_for, scope: dict, expected: dict
) -> None:
    response = client_for("ho_manager").post("/api/v1/staff/", {**NEW, "scope": scope})
    assert response.status_code == 201, response.json()
    assert response.json()["scope"] == expected


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"username": "operator"}, 400, "duplicate"),
        ({"designation": "king"}, 400, "invalid_choice"),
        ({"scope": {"level": "plant", "key": "BHNONE"}}, 404, "not_found"),
        ({"scope": {"level": "galaxy", "key": "X"}}, 400, "invalid_choice"),
        ({"scope": {"level": "company", "key": "other"}}, 404, "not_found"),
        ({"phone": "12"}, 400, "invalid"),
    ],
)
def test_bad_staff_input_is_refused_and_writes_nothing(
    world: World, client_for, change: dict, status: int, code: str
) -> None:
    before = (User.objects.count(), Staff.objects.count())
    response = client_for("admin").post("/api/v1/staff/", {**NEW, **change})
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert (User.objects.count(), Staff.objects.count()) == before


def test_a_scope_outside_the_creators_scope_is_refused(
    world: World, client_for
) -> None:
    response = client_for("other_admin").post("/api/v1/staff/", NEW)
    assert response.status_code == 404
    assert not User.objects.filter(username="ravi").exists()


def test_edit_designation_scope_names_and_deactivate(world: World, client_for) -> None:
    client = client_for("admin")
    response = client.patch(
        "/api/v1/staff/operator/",
        {
            "designation": "technician",
            "scope": {"level": "cluster", "key": "BH-NORTH"},
            "first_name": "Op",
            "language": "hi",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["designation"] == "technician"
    assert body["scope"] == {"level": "cluster", "key": "BH-NORTH"}
    assert (body["first_name"], body["language"]) == ("Op", "hi")
    response = client.patch("/api/v1/staff/operator/", {"is_active": False})
    assert response.json()["is_active"] is False
    assert client_for("operator").get("/api/v1/plants/").status_code == 403


def test_a_bad_edit_changes_nothing(world: World, client_for) -> None:
    response = client_for("admin").patch(
        "/api/v1/staff/operator/",
        {"designation": "csa", "scope": {"level": "plant", "key": "XXNONE"}},
    )
    assert response.status_code == 404
    staff = Staff.objects.get(user__username="operator")
    assert (staff.designation, staff.plant) == ("operator", world.plants["BHKATS"])
