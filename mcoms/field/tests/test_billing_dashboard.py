"""The field app's Dashboard: Total Billing for the plants of my scope."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client

from tests.bill_kit import activate, make_bill, month
from tests.builders import World

URL = "/field/dashboard/"
APRIL, MARCH = month(2026, 4), month(2026, 3)


@pytest.fixture
def books(world: World) -> World:
    for customer in world.customers.values():
        activate(customer)
    kats = world.customers["BHKATS"]
    make_bill(kats, APRIL, {"CHG": "160.00"}, billing_type="prepaid")
    make_bill(kats, MARCH, {"CHG": "100.00"}, billing_type="prepaid")
    make_bill(world.customers["BHSIKA"], APRIL, {"CHG": "300.00"})
    return world


def signed_in(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def test_a_csa_sees_their_plant_with_the_arrow(books: World) -> None:
    response = signed_in(books, "csa").get(URL)
    html = response.content.decode()
    assert 'data-plant="BHKATS"' in html and "BHSIKA" not in html
    assert '<b class="mom up">▲</b>' in html  # 100 -> 160
    assert 'data-month="2026-04"' in html
    assert len(gzip.compress(response.content)) < 10_000  # light for the field


def test_the_state_incharge_sees_clusters_and_can_pick_a_plant(books: World) -> None:
    client = signed_in(books, "state_incharge")
    html = client.get(URL).content.decode()
    assert 'class="subtotal"' in html
    for key in ("BHKATS", "BHMADH", "BHSIKA"):
        assert f'data-plant="{key}"' in html
    assert "UPGORA" not in html
    one = client.get(URL, {"plant": "BHSIKA", "month": "2026-04"}).content.decode()
    assert 'data-plant="BHSIKA"' in one and 'data-plant="BHKATS"' not in one
    assert client.get(URL, {"plant": "UPGORA"}).status_code == 404
    assert "Choose a month" in client.get(URL, {"month": "x"}).content.decode()


def test_the_menu_links_it_only_for_billing_view(books: World) -> None:
    assert (
        'href="/field/dashboard/"'
        in signed_in(books, "csa").get("/field/").content.decode()
    )
    operator = signed_in(books, "operator")
    assert 'href="/field/dashboard/"' not in operator.get("/field/").content.decode()
    assert operator.get(URL).status_code == 403
