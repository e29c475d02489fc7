import re

import pytest
from django.test import Client

from mcoms.customers.models import CustomerStatus
from mcoms.customers.services import customer_create
from mcoms.org.models import Pole
from mcoms.selfcare.tests.helpers import STAFF, customer_user
from tests.builders import World

TILES = [
    "Profile",
    "Amount Payable",
    "Bill and Payment Detail",
    "Package Change Request",
    "Service Request",
    "Notification",
    "Scheme &amp; Offers",
    "E-Payments",
]


def test_anonymous_is_sent_to_the_sign_in(client: Client) -> None:
    response = client.get("/selfcare/")
    assert response["Location"] == "/selfcare/login/?next=/selfcare/"


@pytest.mark.parametrize("username", STAFF)
def test_staff_are_refused(client: Client, world: World, username: str) -> None:
    client.force_login(world.user(username))
    assert client.get("/selfcare/").status_code == 403
    kats = world.customers["BHKATS"].customer_id
    assert client.get(f"/selfcare/a/{kats}/").status_code == 403


def test_the_dashboard(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    kats = world.customers["BHKATS"].customer_id
    response = client.get("/selfcare/")
    assert response["Location"] == f"/selfcare/a/{kats}/"
    html = client.get(response["Location"]).content.decode()
    assert '<span class="badge active">Active</span>' in html
    for tile in TILES:
        assert tile in html
    assert 'href="tel:1800"' in html  # company helpline
    assert 'href="tel:+919810000001"' in html  # the plant's CSA


def test_tiles_that_come_later_have_no_link(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    html = client.get("/selfcare/", follow=True).content.decode()
    assert re.search(r'<span class="tile off"[^>]*>.*?E-Payments', html)
    assert html.count("Coming soon</span>") == 4
    assert 'href="/selfcare/a/BHKATS00101/payable/"' in html


def test_every_link_works(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    html = client.get("/selfcare/", follow=True).content.decode()
    hrefs = set(re.findall(r'href="(/[^"]*)"', html))
    assert any(h.endswith("/profile/") for h in hrefs)
    for href in sorted(hrefs):
        assert client.get(href, follow=True).status_code == 200, href


def test_an_inactive_account_says_so(client: Client, world: World) -> None:
    customer = world.customers["BHKATS"]
    customer.status = CustomerStatus.INACTIVE
    customer.save(update_fields=["status"])
    client.force_login(customer_user(world))
    html = client.get("/selfcare/", follow=True).content.decode()
    assert '<span class="badge inactive">Inactive</span>' in html


def test_someone_elses_account_is_404(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    sika = world.customers["BHSIKA"].customer_id
    assert client.get(f"/selfcare/a/{sika}/").status_code == 404
    assert client.get(f"/selfcare/a/{sika}/profile/").status_code == 404


def test_one_number_with_two_accounts_has_a_switcher(
    client: Client, world: World
) -> None:
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=2)
    second = customer_create(pole=pole, name="Shop", phone="+919800000001", by=None)
    user = customer_user(world)
    second.user = user
    second.save(update_fields=["user"])
    client.force_login(user)
    first = world.customers["BHKATS"].customer_id
    html = client.get(f"/selfcare/a/{first}/").content.decode()
    assert f'href="/selfcare/a/{second.customer_id}/"' in html
    assert "Shop" in client.get(f"/selfcare/a/{second.customer_id}/").content.decode()
    assert client.get("/selfcare/")["Location"] == f"/selfcare/a/{second.customer_id}/"


def test_the_dashboard_in_hindi(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    client.cookies["django_language"] = "hi"
    html = client.get("/selfcare/", follow=True).content.decode()
    assert '<html lang="hi">' in html
    assert "देय राशि" in html
    assert "सक्रिय" in html
    assert "हेल्पलाइन" in html
