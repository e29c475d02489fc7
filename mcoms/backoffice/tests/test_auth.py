from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD, World

LOGIN = "/backoffice/login/"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_the_login_page_shows_a_form(db: None) -> None:
    response = Client().get(LOGIN)
    assert response.status_code == 200
    assert b'name="password"' in response.content


@pytest.mark.parametrize(
    "username", ["cluster_incharge", "state_incharge", "ho_manager", "admin"]
)
def test_managers_sign_in_and_land_on_the_dashboard(
    world: World, username: str
) -> None:
    client = Client()
    response = sign_in(client, username)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:dashboard")
    assert client.get(response["Location"]).status_code == 200


def test_a_safe_next_url_is_followed(world: World) -> None:
    response = sign_in(Client(), "admin", next="/backoffice/plants/")
    assert response["Location"] == "/backoffice/plants/"


def test_an_outside_next_url_is_ignored(world: World) -> None:
    response = sign_in(Client(), "admin", next="https://evil.example/")
    assert response["Location"] == reverse("backoffice:dashboard")


@pytest.mark.parametrize("username", ["csa", "operator", "technician"])
def test_field_staff_get_a_403_pointing_to_the_field_app(
    world: World, username: str
) -> None:
    client = Client()
    response = sign_in(client, username)
    assert response.status_code == 403
    assert b'href="/field/"' in response.content
    again = client.get(reverse("backoffice:dashboard"))
    assert again.status_code == 403
    assert b'href="/field/"' in again.content


def test_a_customer_is_sent_to_the_customer_app(world: World) -> None:
    from mcoms.org.models import User

    User.objects.create_user("cust", password=PASSWORD, kind=User.Kind.CUSTOMER)
    client = Client()
    response = sign_in(client, "cust")
    assert response.status_code == 302
    assert response["Location"] == "/selfcare/"
    assert "_auth_user_id" not in client.session


def test_a_signed_in_customer_is_sent_to_the_customer_app(world: World) -> None:
    from mcoms.org.models import User

    user = User.objects.create_user("cust", password=PASSWORD, kind="customer")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == "/selfcare/"


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(world: World) -> None:
    client = Client()
    response = sign_in(client, "admin", "wrong-password")
    assert response.status_code == 200
    assert b"Wrong username or password" in response.content
    assert "_auth_user_id" not in client.session


def test_the_account_locks_after_five_failures(world: World) -> None:
    client = Client()
    for _ in range(4):
        assert sign_in(client, "admin", "nope").status_code == 200
    locked = sign_in(client, "admin", "nope")
    assert locked.status_code == 403
    assert b"Signed out for your safety" in locked.content
    # Even the right password is refused while the lock holds.
    right = sign_in(Client(), "admin")
    assert right.status_code == 403
    assert "_auth_user_id" not in client.session
    # The right password counted as one more failed attempt.
    assert AccessAttempt.objects.get(username="admin").failures_since_start == 6


def test_anonymous_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get(reverse("backoffice:plant-list"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/backoffice/plants/"


def test_sign_out_needs_a_post_and_ends_the_session(world: World) -> None:
    client = Client()
    client.force_login(world.user("admin"))
    assert client.get(reverse("backoffice:logout")).status_code == 405
    response = client.post(reverse("backoffice:logout"))
    assert response["Location"] == LOGIN
    assert client.get(reverse("backoffice:dashboard")).status_code == 302


def test_a_signed_in_manager_skips_the_login_page(world: World) -> None:
    client = Client()
    client.force_login(world.user("admin"))
    assert client.get(LOGIN)["Location"] == reverse("backoffice:dashboard")
