from __future__ import annotations

from django.test import Client

from tests.builders import World


def test_an_unknown_page_shows_our_404_in_the_users_language(
    client: Client, world: World
) -> None:
    client.force_login(world.user("admin"))
    response = client.get("/backoffice/plants/ZZZZZZ/")
    assert response.status_code == 404
    assert b"outside your area" in response.content
    client.post("/i18n/setlang/", {"language": "hi", "next": "/"})
    response = client.get("/backoffice/plants/ZZZZZZ/")
    assert response.status_code == 404
    assert "आपके क्षेत्र से बाहर" in response.content.decode()
