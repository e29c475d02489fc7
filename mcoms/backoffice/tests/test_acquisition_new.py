"""New prospects in the back office: Add Consumer (the catchment survey,
stage 1) and Add Instant Consumer (manual 3.5.10); the plant chosen first,
403 without ``acquisition.work``, 404 outside the scope, refusals next to
the field with nothing created."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from mcoms.acquisition.models import Prospect
from mcoms.customers.models import Customer
from tests.builders import World
from tests.pipeline_kit import Stock, stock

BOARD = "/backoffice/acquisition/"
NEW = "/backoffice/acquisition/new/"
INSTANT = "/backoffice/acquisition/instant/"
SURVEY = {
    "name": "Asha Kumari",
    "phone": "98765 00011",
    "language": "hi",
    "address": "Ward 4",
    "pole": "2",
    "distance_m": "14",
    "segment": "household",
    "a1_name": "LED bulb",
    "a1_count": "3",
    "a1_watts": "9",
    "hours_per_day": "6",
}


@pytest.fixture
def kit(world: World) -> Stock:
    return stock(world)


def sent(data: dict[str, Any]) -> dict[str, Any]:
    return data | {"token": str(uuid.uuid4())}


def errors(response: Any, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_the_board_offers_the_new_forms_to_who_may_use_them(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    for who in ("cluster_incharge", "state_incharge", "admin"):
        page = as_user(who).get(BOARD).content.decode()
        assert f'href="{NEW}"' in page and f'href="{INSTANT}"' in page
    page = as_user("ho_manager").get(BOARD).content.decode()
    assert NEW not in page and INSTANT not in page


def test_the_plant_is_chosen_first_among_the_scope(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    client = as_user("cluster_incharge")
    for url in (NEW, INSTANT):
        page = client.get(url).content.decode()
        assert 'href="?plant=BHKATS"' in page and 'href="?plant=BHMADH"' in page
        assert "BHSIKA" not in page
        assert client.get(url, {"plant": "BHSIKA"}).status_code == 404
        assert client.get(url, {"plant": "BHMADH"}).context["plant"].key == "BHMADH"


def test_a_survey_makes_a_prospect(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    response = as_user("cluster_incharge").post(f"{NEW}?plant=BHKATS", sent(SURVEY))
    prospect = Prospect.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/backoffice/acquisition/prospects/{prospect.ref}/"
    assert (prospect.stage, prospect.pole.number) == ("survey", 2)
    assert prospect.appliances == [{"name": "LED bulb", "count": 3, "watts": 9}]
    assert prospect.created_by == world.user("cluster_incharge")


def test_the_same_survey_sent_twice_makes_one_prospect(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    client, data = as_user("admin"), sent(SURVEY)
    first = client.post(f"{NEW}?plant=BHKATS", data)
    second = client.post(f"{NEW}?plant=BHKATS", data)
    assert first["Location"] == second["Location"]
    assert Prospect.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"distance_m": "45"}, "distance_m", "more than 30 m from the pole"),
        ({"pole": "77"}, "pole", "This pole is not on this plant."),
        ({"phone": "12345"}, "phone", "Enter a valid 10-digit mobile number."),
    ],
)
def test_survey_refusals_create_nothing(
    world, kit, as_user: Callable[[str], Client], change: dict, field: str, text: str
) -> None:
    response = as_user("state_incharge").post(
        f"{NEW}?plant=BHKATS", sent(SURVEY | change)
    )
    assert response.status_code == 200
    assert any(text in e for e in errors(response, field)), errors(response, field)
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not Prospect.objects.exists()


def test_an_instant_consumer_gets_an_account_at_once(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    data = {"name": "Ravi", "phone": "9876500012", "language": "hi", "pole": "3"}
    client = as_user("cluster_incharge")
    page = client.get(INSTANT, {"plant": "BHKATS"}).content.decode()
    assert "activation charge ₹150.00 · deposit ₹100.00" in page
    response = client.post(
        f"{INSTANT}?plant=BHKATS", sent(data | {"package": str(kit.prepaid.pk)})
    )
    prospect = Prospect.objects.get()
    customer = prospect.customer
    assert customer is not None and customer.customer_id.startswith("BHKATS003")
    assert prospect.deferred == ["survey", "marketing", "kyc"]
    page = client.get(response["Location"]).content.decode()
    assert f"Account created: customer ID {customer.customer_id}." in page
    assert 'href="?do=survey"' in page  # the skipped stages, to complete later


def test_an_instant_consumer_with_another_plants_package_is_refused(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    data = {"name": "Ravi", "phone": "9876500012", "language": "hi", "pole": "3"}
    response = as_user("admin").post(
        f"{INSTANT}?plant=BHKATS", sent(data | {"package": str(kit.madh_prepaid.pk)})
    )
    assert errors(response, "package") == ["This package is not offered at this plant."]
    assert not Prospect.objects.exists()
    assert Customer.objects.count() == len(world.customers)


@pytest.mark.parametrize("url", [NEW, INSTANT])
def test_head_office_and_field_staff_may_not(
    world, kit, as_user: Callable[[str], Client], url: str
) -> None:
    for who in ("ho_manager", "csa"):
        client = as_user(who)
        assert client.get(url).status_code == 403
        assert client.get(url, {"plant": "BHKATS"}).status_code == 403
        assert client.post(f"{url}?plant=BHKATS", sent(SURVEY)).status_code == 403
    assert not Prospect.objects.exists()
