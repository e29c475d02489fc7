import re

import pytest
from django.test import Client

from mcoms.field.tests.helpers import FIELD_STAFF, NOT_FIELD, customer_user
from mcoms.notifications.models import Channel, Message
from tests.builders import World

HEADINGS = [
    "Consumer",
    "Package &amp; Scheme",
    "Plant",
    "Maintenance Schedule",
    "Meter",
    "Water",
    "Miscellaneous",
]


def test_anonymous_is_sent_to_the_sign_in(client: Client) -> None:
    response = client.get("/field/")
    assert response.status_code == 302
    assert response["Location"] == "/field/login/?next=/field/"


@pytest.mark.parametrize("username", [*FIELD_STAFF, "sika_csa", "other_admin"])
def test_field_designations_see_the_home_screen(
    client: Client, world: World, username: str
) -> None:
    client.force_login(world.user(username))
    response = client.get("/field/")
    assert response.status_code == 200
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in response.content.decode()


@pytest.mark.parametrize("username", NOT_FIELD)
def test_other_designations_get_403(client: Client, world: World, username) -> None:
    client.force_login(world.user(username))
    assert client.get("/field/").status_code == 403


def test_a_customer_is_sent_to_the_customer_app(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    response = client.get("/field/")
    assert response.status_code == 302
    assert response["Location"] == "/selfcare/"


def test_every_link_on_home_works(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    html = client.get("/field/").content.decode()
    hrefs = set(re.findall(r'href="(/[^"]*)"', html)) - {"/static/css/mcoms.css"}
    assert "/field/consumers/" in hrefs
    assert "/field/contacts/" in hrefs
    assert "/field/notifications/" in hrefs
    for href in sorted(hrefs):
        assert client.get(href).status_code == 200, href


def test_modules_that_come_later_are_greyed_without_links(
    client: Client, world: World
) -> None:
    client.force_login(world.user("csa"))
    html = client.get("/field/").content.decode()
    assert re.search(r'<span class="mod off"[^>]*>.*?Gallery</span>', html)
    assert not re.search(r"<a[^>]*>[^<]*<span[^>]*>.*?Gallery", html)


def test_the_bell_counts_unread_messages(client: Client, world: World) -> None:
    user = world.user("csa")
    Message.objects.create(channel=Channel.INAPP, user=user, template="t", body="a")
    Message.objects.create(channel=Channel.INAPP, user=user, template="t", body="b")
    client.force_login(user)
    html = client.get("/field/").content.decode()
    assert '<span class="count">2</span>' in html


def test_home_in_hindi(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    client.cookies["django_language"] = "hi"
    html = client.get("/field/").content.decode()
    assert '<html lang="hi">' in html
    assert "<h2>उपभोक्ता</h2>" in html
    assert "<h2>मीटर</h2>" in html
    assert "उपभोक्ता सूची" in html
