import pytest
from django.test import Client
from django.urls import reverse

from mcoms.field.tests.helpers import FIELD_STAFF
from tests.builders import PASSWORD, World

LOGIN = "/field/login/"


def post_login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_the_sign_in_page_shows_the_form(client: Client) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


@pytest.mark.parametrize("username", FIELD_STAFF)
def test_field_designations_sign_in_and_land_on_home(
    client: Client, world: World, username: str
) -> None:
    response = post_login(client, username)
    assert response.status_code == 302
    assert response["Location"] == reverse("field:home")
    assert client.get("/field/").status_code == 200


def test_a_head_office_manager_is_refused_and_not_signed_in(
    client: Client, world: World
) -> None:
    response = post_login(client, "ho_manager")
    assert response.status_code == 403
    assert b"field staff only" in response.content
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_shows_an_error(client: Client, world: World) -> None:
    response = post_login(client, "csa", "wrong-password")
    assert response.status_code == 200
    assert b"Wrong username or password." in response.content
    assert "_auth_user_id" not in client.session


def test_an_empty_form_shows_field_errors(client: Client, world: World) -> None:
    response = client.post(LOGIN, {})
    assert response.status_code == 200
    assert b'id="id_username_errors"' in response.content


def test_repeated_failures_lock_the_username_even_with_the_right_password(
    client: Client, world: World, settings
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "csa", "wrong-password")
    response = post_login(client, "csa")
    assert response.status_code == 403
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_a_safe_next_url_is_followed(client: Client, world: World) -> None:
    response = post_login(client, "csa", next="/field/contacts/")
    assert response["Location"] == "/field/contacts/"


@pytest.mark.parametrize("bad", ["https://evil.example/", "/backoffice/", "//x"])
def test_an_unsafe_next_url_is_ignored(client: Client, world: World, bad) -> None:
    response = post_login(client, "csa", next=bad)
    assert response["Location"] == "/field/"


def test_a_signed_in_agent_skips_the_form(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    assert client.get(LOGIN)["Location"] == "/field/"


def test_sign_out_ends_the_session(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    assert client.get("/field/logout/").status_code == 405
    response = client.post("/field/logout/")
    assert response["Location"] == LOGIN
    assert client.get("/field/").status_code == 302
