import pytest
from django.test import Client

from mcoms.customers.models import CustomerStatus
from mcoms.field.tests.helpers import NOT_FIELD
from tests.builders import World

URL = "/field/consumers/"


def test_anonymous_is_sent_to_the_sign_in(client: Client) -> None:
    assert client.get(URL)["Location"].startswith("/field/login/?next=")


@pytest.mark.parametrize("username", NOT_FIELD)
def test_other_designations_get_403(client: Client, world: World, username) -> None:
    client.force_login(world.user(username))
    assert client.get(URL).status_code == 403


def test_a_csa_sees_only_the_customers_of_their_plant(
    client: Client, world: World
) -> None:
    client.force_login(world.user("csa"))
    html = client.get(URL).content.decode()
    assert world.customers["BHKATS"].customer_id in html
    assert world.customers["BHSIKA"].customer_id not in html
    assert world.customers["other"].name not in html
    assert "BHSIKA" not in html


def test_counts_per_plant_by_status(client: Client, world: World) -> None:
    customer = world.customers["BHKATS"]
    customer.status = CustomerStatus.BANNED
    customer.save(update_fields=["status"])
    client.force_login(world.user("cluster_incharge"))
    response = client.get(URL)
    plants = {p.key: p for g in response.context["groups"] for p in g.plants}
    assert set(plants) == {"BHKATS", "BHMADH"}
    kats = plants["BHKATS"]
    assert (kats.counts["active"], kats.counts["banned"], kats.total) == (0, 1, 1)
    assert response.context["total"].total == 1
    assert "Banned" in response.content.decode()


def test_cluster_subtotals_for_a_wider_scope(client: Client, world: World) -> None:
    client.force_login(world.user("state_incharge"))
    response = client.get(URL)
    subtotals = {g.subtotal.key: g.subtotal.total for g in response.context["groups"]}
    assert subtotals == {"BH-NORTH": 1, "BH-SOUTH": 1}
    html = response.content.decode()
    assert 'class="subtotal"' in html and "BH-SOUTH" in html


@pytest.mark.parametrize(
    "q", ["Customer BHKATS", "bhkats", "9800000001", "98000 00001"]
)
def test_search_by_name_id_or_phone(client: Client, world: World, q: str) -> None:
    client.force_login(world.user("admin"))
    html = client.get(URL, {"q": q}).content.decode()
    assert world.customers["BHKATS"].customer_id in html
    assert world.customers["UPGORA"].customer_id not in html


def test_a_search_with_no_match_says_so(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    assert b"No customers found." in client.get(URL, {"q": "zzz"}).content


def test_plant_filter_inside_scope(client: Client, world: World) -> None:
    client.force_login(world.user("admin"))
    html = client.get(URL, {"plant": "UPGORA"}).content.decode()
    assert world.customers["UPGORA"].customer_id in html
    assert world.customers["BHKATS"].customer_id not in html


def test_plant_filter_outside_scope_is_404(client: Client, world: World) -> None:
    client.force_login(world.user("csa"))
    assert client.get(URL, {"plant": "BHSIKA"}).status_code == 404


def test_another_company_sees_only_its_own(client: Client, world: World) -> None:
    client.force_login(world.user("other_admin"))
    html = client.get(URL).content.decode()
    assert world.customers["other"].customer_id in html
    assert "Customer BHKATS" not in html
