import pytest
from django.test import Client

from mcoms.selfcare.tests.helpers import STAFF, customer_user
from tests.builders import World


def url(world: World, key: str = "BHKATS") -> str:
    return f"/selfcare/a/{world.customers[key].customer_id}/profile/"


def test_anonymous_is_sent_to_the_sign_in(client: Client, world: World) -> None:
    assert client.get(url(world))["Location"].startswith("/selfcare/login/?next=")


@pytest.mark.parametrize("username", ["csa", "admin", "other_admin"])
def test_staff_are_refused(client: Client, world: World, username: str) -> None:
    assert username in STAFF
    client.force_login(world.user(username))
    assert client.get(url(world)).status_code == 403


def test_the_profile(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    html = client.get(url(world)).content.decode()
    customer = world.customers["BHKATS"]
    assert customer.name in html
    assert customer.customer_id in html
    assert "(BHKATS)" in html
    assert "+919800000001" in html
    assert "Active" in html


def test_another_customers_profile_is_404(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    assert client.get(url(world, "UPGORA")).status_code == 404
    # Same customer ID in another company: still only my own account shows.
    html = client.get(url(world, "other")).content.decode()
    assert "Other customer" not in html
