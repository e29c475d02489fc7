from __future__ import annotations

import pytest
from django.test import Client

from tests.builders import World


@pytest.mark.parametrize(
    ("username", "target"),
    [
        ("admin", "/backoffice/"),
        ("cluster_incharge", "/backoffice/"),
        ("csa", "/field/"),
        ("operator", "/field/"),
    ],
)
def test_the_front_door_sends_staff_to_their_app(
    client: Client, world: World, username: str, target: str
) -> None:
    client.force_login(world.user(username))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == target


def test_a_customer_goes_to_the_customer_app(client: Client, world: World) -> None:
    user = world.customers["BHKATS"].user
    assert user is not None
    client.force_login(user)
    assert client.get("/")["Location"] == "/selfcare/"


def test_anyone_else_sees_the_three_doors(client: Client, db: None) -> None:
    html = client.get("/").content.decode()
    for door in ("/backoffice/", "/field/", "/selfcare/"):
        assert f'href="{door}' in html
