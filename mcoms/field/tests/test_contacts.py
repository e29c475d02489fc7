import pytest
from django.test import Client

from mcoms.field.tests.helpers import NOT_FIELD
from tests.builders import World

URL = "/field/contacts/"


def names(response) -> set[str]:
    return {s.user.username for s in response.context["people"]}


def test_anonymous_is_sent_to_the_sign_in(client: Client) -> None:
    assert client.get(URL)["Location"].startswith("/field/login/?next=")


@pytest.mark.parametrize("username", NOT_FIELD)
def test_other_designations_get_403(client: Client, world: World, username) -> None:
    client.force_login(world.user(username))
    assert client.get(URL).status_code == 403


def test_a_csa_sees_the_people_around_their_plant(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    response = client.get(URL)
    assert names(response) == {
        "operator",
        "technician",
        "csa",
        "cluster_incharge",
        "state_incharge",
        "ho_manager",
        "admin",
    }


def test_an_admin_sees_the_whole_company_but_not_others(
    client: Client, world: World
) -> None:
    client.force_login(world.user("admin"))
    found = names(client.get(URL))
    assert "sika_csa" in found
    assert "other_admin" not in found


def test_another_company_sees_none_of_ours(client: Client, world: World) -> None:
    client.force_login(world.user("other_admin"))
    assert names(client.get(URL)) == {"other_admin"}


def test_numbers_are_tap_to_call(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    html = client.get(URL).content.decode()
    assert 'href="tel:+919810000001"' in html
    assert "Customer Service Agent" in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [("technician", {"technician"}), ("cluster in", {"cluster_incharge"})],
)
def test_search_by_name_or_designation(
    client: Client, world: World, q: str, expected: set[str]
) -> None:
    client.force_login(world.user("csa"))
    assert names(client.get(URL, {"q": q})) == expected


def test_search_by_plant(client: Client, world: World) -> None:
    client.force_login(world.user("admin"))
    assert names(client.get(URL, {"q": "sika"})) == {"sika_csa"}
