"""The customer app's Meter Readings: the customer's own readings per meter,
pending ones marked, rejected ones left out; nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from mcoms.metering.readings import reading_approve, reading_record, reading_reject
from mcoms.metering.tests.reading_kit import IN_WINDOW, install
from mcoms.selfcare.tests.helpers import customer_user
from tests.builders import World


def url(world: World, key: str = "BHKATS") -> str:
    return f"/selfcare/a/{world.customers[key].customer_id}/readings/"


def read(world: World, meter, value: str, days: int):
    reading, _ = reading_record(
        meter=meter,
        value=value,
        taken_at=IN_WINDOW + timedelta(days=days),
        by=world.user("technician"),
    )
    return reading


def test_the_readings_of_my_meter(client: Client, world: World) -> None:
    meter = install(world, "CM-1", initial="100")
    reading_approve(reading=read(world, meter, "140", 0), by=world.user("admin"))
    reading_reject(
        reading=read(world, meter, "999", 1), by=world.user("admin"), reason="x"
    )
    read(world, meter, "150", 2)
    client.force_login(customer_user(world))
    page = client.get(url(world))
    assert [r.value for r in page.context["page"]] == [150, 140]
    body = page.content.decode()
    assert "Being checked" in body and "40.000 kWh" in body
    assert "999" not in body


def test_choosing_one_of_several_meters(client: Client, world: World) -> None:
    install(world, "CM-1")
    install(world, "CM-2")
    client.force_login(customer_user(world))
    page = client.get(url(world))
    assert 'name="meter"' in page.content.decode()
    assert (
        client.get(url(world) + "?meter=CM-2").context["chosen"].meter.serial == "CM-2"
    )
    assert client.get(url(world) + "?meter=OTHER").status_code == 404


def test_no_meter_no_readings(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    page = client.get(url(world))
    assert page.status_code == 200 and page.context["chosen"] is None


def test_the_profile_links_the_tab(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    profile = client.get(
        f"/selfcare/a/{world.customers['BHKATS'].customer_id}/profile/"
    )
    assert url(world) in profile.content.decode()


@pytest.mark.parametrize(("user", "status"), [("csa", 403), ("admin", 403)])
def test_staff_are_refused(client: Client, world: World, user: str, status: int):
    client.force_login(world.user(user))
    assert client.get(url(world)).status_code == status


def test_another_customers_readings_are_not_found(client: Client, world: World):
    install(world, "CM-9", customer="BHSIKA")
    client.force_login(customer_user(world))
    assert client.get(url(world, "BHSIKA")).status_code == 404
