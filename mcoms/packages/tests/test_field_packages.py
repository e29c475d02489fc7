"""The field app's package list: offered packages of my plants, read-only,
small."""

from __future__ import annotations

import pytest
from django.test import Client

from mcoms.packages.models import Package
from mcoms.packages.services import package_revise, package_withdraw
from mcoms.packages.tests.conftest import Catalogue
from mcoms.packages.tests.factories import PREPAID, make

URL = "/field/packages/"


def login(catalogue: Catalogue, name: str) -> Client:
    client = Client()
    client.force_login(catalogue.world.user(name))
    return client


def test_anonymous_signs_in_and_head_office_has_no_field_app(
    catalogue: Catalogue,
) -> None:
    assert Client().get(URL)["Location"].startswith("/field/login/")
    assert login(catalogue, "ho_manager").get(URL).status_code == 403


def test_a_csa_sees_the_offered_packages_of_their_plant(catalogue: Catalogue) -> None:
    package_withdraw(package=catalogue.kats_unmetered, by=None)
    package_revise(package=catalogue.kats_prepaid, by=None, prepaid_amount="170")
    html = login(catalogue, "csa").get(URL).content.decode()
    assert "A1.1(NN)/17/170" in html and "B1.1(FD)/500/50" in html
    assert "A1.1(NN)/17/160" not in html  # superseded
    assert "C1.1(EV)/60/250" not in html  # withdrawn
    assert "BHSIKA" not in html and "A1.1(NN)/30/160" not in html
    assert "2 × the monthly bill" in html


def test_a_cluster_incharge_switches_plants_within_the_scope(
    catalogue: Catalogue,
) -> None:
    make(catalogue.world.plants["BHMADH"], PREPAID, load_w=55)
    client = login(catalogue, "cluster_incharge")
    html = client.get(URL, {"plant": "BHMADH"}).content.decode()
    assert "A1.1(NN)/55/160" in html and "B1.1(FD)/500/50" not in html
    assert 'href="?plant=BHKATS"' in html
    assert client.get(URL, {"plant": "BHSIKA"}).status_code == 404
    assert client.get(URL, {"plant": "UPGORA"}).status_code == 404


@pytest.mark.parametrize("user", ["operator", "technician", "sika_csa"])
def test_other_field_staff_read_it_too(catalogue: Catalogue, user: str) -> None:
    response = login(catalogue, user).get(URL)
    assert response.status_code == 200
    shown = {p.pk for p in response.context["packages"]}
    plant = "BHSIKA" if user == "sika_csa" else "BHKATS"
    assert shown == set(
        Package.objects.filter(
            plant__in=[catalogue.world.plants[plant]], active=True
        ).values_list("pk", flat=True)
    )


def test_the_page_is_small_and_has_no_forms(catalogue: Catalogue) -> None:
    for load in range(100, 120):  # a plant with many packages
        make(catalogue.world.plants["BHKATS"], PREPAID, load_w=load)
    response = login(catalogue, "csa").get(URL)
    assert len(response.content) <= 50 * 1024, len(response.content)
    assert "<form" not in response.content.decode().split("<main>")[1]


def test_it_is_in_hindi_for_a_hindi_speaker(catalogue: Catalogue) -> None:
    client = login(catalogue, "csa")
    client.cookies["django_language"] = "hi"
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert "पैकेज" in html
    assert "प्रति 30 दिन" in html
