"""The type and timing code tables in the back office."""

from __future__ import annotations

import pytest
from django.test import Client

from mcoms.packages.models import PackageType, TimingCode
from mcoms.packages.tests.conftest import Catalogue
from tests.builders import World

CODES = "/backoffice/packages/codes/"


def login(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


def test_managers_read_the_tables_head_office_edits(catalogue: Catalogue) -> None:
    world = catalogue.world
    html = login(world, "cluster_incharge").get(CODES).content.decode()
    assert "18:00–06:00 (12 h)" in html
    assert "/codes/types/A1.1/" not in html
    assert "/codes/types/A1.1/" in login(world, "admin").get(CODES).content.decode()


@pytest.mark.parametrize("user", ["cluster_incharge", "state_incharge"])
@pytest.mark.parametrize(
    "url",
    [
        "types/new/",
        "types/A1.1/",
        "timings/new/",
        "timings/NN/",
    ],
)
def test_others_may_not_edit(catalogue: Catalogue, user: str, url: str) -> None:
    client = login(catalogue.world, user)
    assert client.get(CODES + url).status_code == 403
    post = {
        "code": "ZZ",
        "label": "z",
        "billing_type": "prepaid",
        "slots": "01:00-02:00",
        "token": "t",
    }
    assert client.post(CODES + url, post).status_code == 403
    assert PackageType.objects.count() == 3
    assert not TimingCode.objects.filter(company__isnull=False).exists()


def test_head_office_adds_and_edits_a_type(catalogue: Catalogue) -> None:
    client = login(catalogue.world, "ho_manager")
    data = {"code": "a2.1", "label": "Shop", "billing_type": "prepaid", "token": "t"}
    assert client.post(CODES + "types/new/", data)["Location"] == CODES
    assert client.post(CODES + "types/new/", data)["Location"] == CODES  # double tap
    assert (
        PackageType.objects.filter(code="A2.1", company=catalogue.world.company).count()
        == 1
    )
    client.post(
        CODES + "types/A2.1/", {"label": "Shop, pre-paid", "billing_type": "prepaid"}
    )
    assert PackageType.objects.get(code="A2.1").label == "Shop, pre-paid"


def test_a_type_in_use_keeps_its_billing_type(catalogue: Catalogue) -> None:
    client = login(catalogue.world, "admin")
    response = client.post(
        CODES + "types/A1.1/", {"label": "x", "billing_type": "postpaid_metered"}
    )
    assert "billing type stays" in " ".join(
        response.context["form"].errors["billing_type"]
    )
    assert PackageType.objects.count() == 3


@pytest.mark.parametrize(
    ("slots", "text"),
    [
        ("05:00-08:00, 07:00-09:00", "may not overlap"),
        ("05:00 to 08:00", "HH:MM-HH:MM"),
        ("25:00-08:00", "HH:MM-HH:MM"),
    ],
)
def test_bad_hours_show_next_to_the_field(
    catalogue: Catalogue, slots: str, text: str
) -> None:
    client = login(catalogue.world, "admin")
    data = {"code": "MN", "label": "x", "slots": slots, "token": "t"}
    response = client.post(CODES + "timings/new/", data)
    assert text in " ".join(response.context["form"].errors["slots"])
    assert not TimingCode.objects.filter(code="MN").exists()


def test_a_timing_in_use_keeps_its_hours(catalogue: Catalogue) -> None:
    client = login(catalogue.world, "admin")
    response = client.post(
        CODES + "timings/NN/", {"label": "Night", "slots": "19:00-05:00"}
    )
    assert "hours stay" in " ".join(response.context["form"].errors["slots"])
    ok = client.post(CODES + "timings/DD/", {"label": "Day", "slots": "07:00-17:00"})
    assert ok["Location"] == CODES
    own = TimingCode.objects.get(code="DD", company=catalogue.world.company)
    assert own.slots == [["07:00", "17:00"]]
