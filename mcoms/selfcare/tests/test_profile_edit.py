"""The customer app's profile edit: contact details at once, a new number
after its code, a field agent's change confirmed or declined here."""

from __future__ import annotations

import pytest
from django.test import Client

from mcoms.customers.models import Customer, ProfileChange
from mcoms.customers.profile import profile_change_request
from mcoms.customers.tests.profile_helpers import NEW, OLD, code_sent_to, wrong
from mcoms.selfcare.tests.helpers import STAFF, customer_user
from tests.builders import World

PROFILE = "/selfcare/a/BHKATS00101/profile/"
EDIT = PROFILE + "edit/"
FORM = {"phone": OLD, "alt_phone": "", "address": "", "language": "hi", "token": "t"}


def me(client: Client, world: World) -> Client:
    client.force_login(customer_user(world))
    return client


def fresh(world: World) -> Customer:
    return Customer.objects.get(pk=world.customers["BHKATS"].pk)


@pytest.mark.parametrize("username", ["csa", "admin"])
def test_staff_are_refused(client: Client, world: World, username: str) -> None:
    assert username in STAFF
    client.force_login(world.user(username))
    assert client.get(EDIT).status_code == 403


def test_the_edit_form_shows_what_a_customer_may_change(client, world) -> None:
    html = me(client, world).get(EDIT).content.decode()
    assert 'name="address"' in html and 'name="phone"' in html
    assert 'name="name"' not in html


def test_the_address_is_saved_at_once(client: Client, world: World) -> None:
    response = me(client, world).post(EDIT, FORM | {"address": "Ward 2"})
    assert response.status_code == 302
    assert fresh(world).address == "Ward 2"
    page = client.get(PROFILE).content.decode()
    assert "Your details are saved." in page and "Ward 2" in page


def test_a_new_number_after_its_code(client: Client, world: World) -> None:
    client = me(client, world)
    client.post(EDIT, FORM | {"phone": "9811122233"})
    assert str(fresh(world).phone) == OLD
    change = ProfileChange.objects.get()
    page = client.get(PROFILE).content.decode()
    assert f"Code sent to {NEW}" in page
    url = f"{PROFILE}changes/{change.pk}/confirm/"
    client.post(url, {"code_new": wrong(code_sent_to(NEW))})
    assert str(fresh(world).phone) == OLD
    assert "Wrong code" in client.get(PROFILE).content.decode()
    response = client.post(url, {"code_new": code_sent_to(NEW)})
    assert response.status_code == 302
    assert str(fresh(world).phone) == NEW
    page = client.get(PROFILE)  # the session followed the account
    assert page.status_code == 200
    assert f"You are now signed in with {NEW}" in page.content.decode()


def test_a_field_agents_change_is_confirmed_here(client, world: World) -> None:
    change, _ = profile_change_request(
        customer=world.customers["BHKATS"],
        changes={"address": "Ward 8"},
        by=world.user("csa"),
    )
    client = me(client, world)
    assert "asked to change your details" in client.get(PROFILE).content.decode()
    client.post(
        f"{PROFILE}changes/{change.pk}/confirm/",
        {"code_registered": code_sent_to(OLD)},
    )
    assert fresh(world).address == "Ward 8"


def test_a_field_agents_change_is_declined_here(client, world: World) -> None:
    change, _ = profile_change_request(
        customer=world.customers["BHKATS"],
        changes={"address": "Ward 8"},
        by=world.user("csa"),
    )
    me(client, world).post(f"{PROFILE}changes/{change.pk}/cancel/")
    change.refresh_from_db()
    assert change.state == "cancelled" and fresh(world).address == ""


def test_another_customers_account_is_404(client: Client, world: World) -> None:
    client = me(client, world)
    assert client.get("/selfcare/a/UPGORA00101/profile/edit/").status_code == 404
    response = client.post(
        "/selfcare/a/UPGORA00101/profile/edit/", FORM | {"address": "x"}
    )
    assert response.status_code == 404
    change, _ = profile_change_request(
        customer=world.customers["UPGORA"],
        changes={"address": "Ward 8"},
        by=world.user("admin"),
    )
    url = f"/selfcare/a/BHKATS00101/profile/changes/{change.pk}/cancel/"
    assert client.post(url).status_code == 404
    change.refresh_from_db()
    assert change.state == "pending"


def test_the_name_cannot_be_changed_here(client: Client, world: World) -> None:
    response = me(client, world).post(EDIT, FORM | {"name": "Someone"})
    assert response.status_code == 200  # the form has no name: nothing to save
    assert "Nothing was changed." in response.content.decode()
    assert fresh(world).name == "Customer BHKATS"
    assert not ProfileChange.objects.exists()


def test_in_hindi(client: Client, world: World) -> None:
    client = me(client, world)
    client.cookies["django_language"] = "hi"
    html = client.get(EDIT).content.decode()
    assert "मेरा विवरण बदलें" in html and "वैकल्पिक नंबर" in html
