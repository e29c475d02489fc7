from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from mcoms.customers.models import Customer
from tests.builders import World

URL = "/backoffice/"


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-count="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def test_company_figures_are_the_real_ones(
    world: World, as_user: Callable[[str], Client]
) -> None:
    Customer.objects.filter(pk=world.customers["BHSIKA"].pk).update(status="banned")
    Customer.objects.filter(pk=world.customers["UPGORA"].pk).update(status="inactive")
    html = as_user("ho_manager").get(URL).content.decode()
    assert figure(html, "states") == "2"
    assert figure(html, "clusters") == "3"
    assert figure(html, "plants") == "4"
    assert Decimal(figure(html, "kwp")) == Decimal("120.00")
    assert figure(html, "feeders") == "8"
    assert figure(html, "poles") == "12"
    # eight of ours (7 designations + sika_csa); other_admin is another company
    assert figure(html, "staff") == "8"
    assert figure(html, "customers_active") == "1"
    assert figure(html, "customers_inactive") == "1"
    assert figure(html, "customers_banned") == "1"


def test_cluster_incharge_sees_only_the_cluster(
    world: World, as_user: Callable[[str], Client]
) -> None:
    html = as_user("cluster_incharge").get(URL).content.decode()
    assert 'data-count="states"' not in html
    assert figure(html, "clusters") == "1"
    assert figure(html, "plants") == "2"
    assert Decimal(figure(html, "kwp")) == Decimal("60.00")
    assert figure(html, "feeders") == "4"
    assert figure(html, "poles") == "6"
    assert figure(html, "staff") == "4"  # operator, technician, csa, themself
    assert figure(html, "customers_active") == "1"
    assert "BHSIKA" not in html
    assert "UPGORA" not in html


def test_the_plant_table_has_cluster_subtotals_and_a_total(
    world: World, as_user: Callable[[str], Client]
) -> None:
    response = as_user("state_incharge").get(URL)
    groups = response.context["groups"]
    assert [g.subtotal.key for g in groups] == ["BH-NORTH", "BH-SOUTH"]
    north = groups[0]
    assert [p.key for p in north.plants] == ["BHKATS", "BHMADH"]
    assert north.subtotal.kwp == Decimal("60.00")
    assert north.subtotal.customers["active"] == 1
    total = response.context["total"]
    assert total.kwp == Decimal("90.00")
    assert total.poles == 9
    assert total.customers_total == 2
    html = response.content.decode()
    assert html.count('class="subtotal"') == 2
    assert 'class="total"' in html


def test_other_company_admin_sees_only_their_company(
    world: World, as_user: Callable[[str], Client]
) -> None:
    response = as_user("other_admin").get(URL)
    html = response.content.decode()
    assert figure(html, "plants") == "1"
    assert figure(html, "customers_active") == "1"
    assert "BHMADH" not in html
    assert "Tara" not in html


@pytest.mark.parametrize("username", ["operator", "technician", "csa", "sika_csa"])
def test_field_designations_get_403(
    world: World, as_user: Callable[[str], Client], username: str
) -> None:
    assert as_user(username).get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    response = Client().get(URL)
    assert response["Location"].startswith(reverse("backoffice:login"))


def test_the_language_switch_shows_hindi(
    world: World, as_user: Callable[[str], Client]
) -> None:
    client = as_user("admin")
    assert "Dashboard" in client.get(URL).content.decode()
    client.post("/i18n/setlang/", {"language": "hi", "next": URL})
    html = client.get(URL).content.decode()
    assert 'lang="hi"' in html
    assert "डैशबोर्ड" in html
    assert "सक्रिय ग्राहक" in html


def test_the_shell_is_installable(
    world: World, as_user: Callable[[str], Client]
) -> None:
    html = as_user("admin").get(URL).content.decode()
    assert 'rel="manifest" href="/backoffice/manifest.webmanifest"' in html
    assert 'name="theme-color"' in html
    sw = Client().get(reverse("backoffice:service-worker"))
    assert sw.status_code == 200
    assert sw["Content-Type"].startswith("text/javascript")
    assert b"/static/css/mcoms.css" in sw.content
