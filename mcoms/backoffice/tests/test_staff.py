"""Staff screens: access matrix, create/edit and every refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from mcoms.org.models import Staff, User
from tests.builders import World

Login = Callable[[str], Client]
S = "/backoffice/staff"
NEW = {
    "username": "ravi",
    "password": "a-long-pass-9876",
    "first_name": "Ravi",
    "last_name": "Kumar",
    "phone": "",
    "language": "hi",
    "designation": "csa",
    "scope": "plant:BHMADH",
}


@pytest.mark.parametrize("url", [f"{S}/", f"{S}/csa/"])
def test_staff_pages_by_designation(world: World, as_user: Login, url: str) -> None:
    for name in ["cluster_incharge", "state_incharge", "ho_manager", "admin"]:
        assert as_user(name).get(url).status_code == 200, name
    for name in ["operator", "technician", "csa"]:
        assert as_user(name).get(url).status_code == 403, name
    assert Client().get(url).status_code == 302


def test_out_of_scope_staff_are_404(world: World, as_user: Login) -> None:
    assert as_user("cluster_incharge").get(f"{S}/sika_csa/").status_code == 404
    assert as_user("cluster_incharge").get(f"{S}/state_incharge/").status_code == 404
    assert as_user("other_admin").get(f"{S}/admin/").status_code == 404
    assert as_user("admin").get(f"{S}/other_admin/").status_code == 404
    assert "other_admin" not in as_user("admin").get(f"{S}/").content.decode()


@pytest.mark.parametrize("name", ["cluster_incharge", "state_incharge"])
def test_in_charges_cannot_edit_staff(world: World, as_user: Login, name: str) -> None:
    assert as_user(name).get(f"{S}/new/").status_code == 403
    assert as_user(name).post(f"{S}/csa/edit/", {}).status_code == 403


def test_head_office_adds_a_staff_member(world: World, as_user: Login) -> None:
    response = as_user("ho_manager").post(f"{S}/new/", NEW)
    assert response["Location"] == f"{S}/ravi/"
    staff = Staff.objects.get(user__username="ravi")
    assert (staff.designation, staff.plant.key) == ("csa", "BHMADH")
    assert staff.user.check_password(NEW["password"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "csa"}, "username"),
        ({"username": "new"}, "username"),
        ({"username": "bad name"}, "username"),
        ({"password": "short"}, "password"),
        ({"designation": "king"}, "designation"),
        ({"scope": "plant:ZZZZZZ"}, "scope"),
    ],
)
def test_bad_staff_input_saves_nothing(
    world: World, as_user: Login, change: dict[str, str], field: str
) -> None:
    before = (User.objects.count(), Staff.objects.count())
    response = as_user("admin").post(f"{S}/new/", {**NEW, **change})
    assert response.context["form"].errors[field]
    assert (User.objects.count(), Staff.objects.count()) == before


def test_other_company_scope_is_not_offered(world: World, as_user: Login) -> None:
    before = Staff.objects.count()
    response = as_user("other_admin").post(
        f"{S}/new/", {**NEW, "scope": "plant:BHMADH"}
    )
    assert response.context["form"].errors["scope"]
    assert Staff.objects.count() == before


def test_staff_edit_changes_designation_and_scope(world: World, as_user: Login) -> None:
    data = {
        **NEW,
        "designation": "technician",
        "scope": "cluster:BH-SOUTH",
        "first_name": "Op",
        "is_active": "",
    }
    client = as_user("admin")
    assert client.post(f"{S}/operator/edit/", data).status_code == 302
    staff = Staff.objects.get(user__username="operator")
    assert (staff.designation, staff.cluster.key, staff.plant) == (
        "technician",
        "BH-SOUTH",
        None,
    )
    assert staff.is_active is False
    history = client.get(f"{S}/operator/").context["history"]
    fields = {c.field for c in history[0].changes}
    assert {"designation", "active"} <= fields


def test_head_office_cannot_grant_admin(world: World, as_user: Login) -> None:
    before = Staff.objects.count()
    response = as_user("ho_manager").post(
        f"{S}/new/", {**NEW, "designation": "admin", "scope": "company"}
    )
    assert "above your own" in str(response.context["form"].errors["designation"])
    assert Staff.objects.count() == before


def test_one_may_rename_oneself_but_not_promote(world: World, as_user: Login) -> None:
    client = as_user("ho_manager")
    mine = {
        "first_name": "Asha",
        "last_name": "",
        "phone": "",
        "language": "en",
        "designation": "ho_manager",
        "scope": "company",
        "is_active": "on",
    }
    assert client.post(f"{S}/ho_manager/edit/", mine).status_code == 302
    staff = Staff.objects.get(user__username="ho_manager")
    assert (staff.user.first_name, staff.designation) == ("Asha", "ho_manager")
    response = client.post(f"{S}/ho_manager/edit/", {**mine, "is_active": ""})
    assert "your own" in str(response.context["form"].non_field_errors())
    staff.refresh_from_db()
    assert staff.is_active is True


def test_a_rename_shows_in_the_staff_history(world: World, as_user: Login) -> None:
    from mcoms.org import services

    admin = world.user("admin")
    services.staff_update(
        staff=world.staff["operator"],
        first_name="Ravi",
        phone="+919811112222",
        by=admin,
    )
    client = as_user("admin")
    history = client.get(f"{S}/operator/").context["history"]
    changes = {(c.field, c.new) for entry in history for c in entry.changes}
    assert ("first name", "Ravi") in changes
    assert history[0].who == admin.get_full_name() or history[0].who == admin.username
