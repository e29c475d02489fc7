"""Meters in the back office: the stock with its filters and customers,
receiving and moving, one meter with its readings, Change Meter with Review,
Unreleased Meter from raise to Completed; scope and designation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from mcoms.metering.models import Meter, MeterLocation, MeterState, Reading
from mcoms.metering.tests.change_kit import Site, receive, site
from mcoms.workflow.models import Request, RequestState
from tests.builders import World

BASE = "/backoffice/meters/"


@pytest.fixture
def s(world: World) -> Site:
    return site(world)


def test_the_stock_with_counts_filters_and_customers(
    s: Site, world: World, as_user: Callable[[str], Client]
) -> None:
    receive(world, "WH-1", plant=None)
    receive(world, "SIKA-1", plant="BHSIKA")
    ci = as_user("cluster_incharge")
    body = ci.get(BASE).content.decode()
    assert "OLD-1" in body and "BHKATS00101" in body and "NEW-1" in body
    assert "WH-1" not in body and "SIKA-1" not in body
    admin = as_user("admin").get(BASE + "?plant=-").content.decode()
    assert "WH-1" in admin and "OLD-1" not in admin
    faulty = ci.get(BASE + "?state=assigned&kind=conventional").content.decode()
    assert "OLD-1" in faulty and "NEW-1" not in faulty
    assert ci.get(BASE + "?plant=BHSIKA").status_code == 404
    assert as_user("state_incharge").get(BASE + "?q=sika").status_code == 200


def test_receiving_and_moving(world: World, as_user: Callable[[str], Client]) -> None:
    admin = as_user("admin")
    page = admin.get(BASE + "receive/").content.decode()
    assert 'value="-"' in page  # the warehouse, for company scope
    data = {
        "serial": "wh-7",
        "kind": "smart",
        "driver": "sparkmeter",
        "digit_capacity": "7",
        "place": "-",
    }
    response = admin.post(BASE + "receive/", data)
    assert response["Location"] == BASE + "WH-7/"
    meter = Meter.objects.get(serial="WH-7")
    assert (meter.plant, meter.location) == (None, MeterLocation.WAREHOUSE)
    detail = admin.get(BASE + "WH-7/").content.decode()
    assert "Move to a plant" in detail
    admin.post(BASE + "WH-7/move/", {"plant": "BHMADH"})
    meter.refresh_from_db()
    assert (meter.plant.key, meter.location) == ("BHMADH", MeterLocation.PLANT)
    ci = as_user("cluster_incharge")
    assert ci.post(BASE + "WH-7/move/", {"plant": "BHSIKA"}).status_code == 404
    assert ci.get(BASE + "receive/").status_code == 200
    assert 'value="-"' not in ci.get(BASE + "receive/").content.decode()
    assert (
        as_user("ho_manager").post(BASE + "WH-7/move/", {"plant": "UPGORA"})["Location"]
        == BASE + "WH-7/"
    )
    meter.refresh_from_db()
    assert meter.plant.key == "UPGORA"


def test_a_meter_page_shows_its_connections_and_readings(
    s: Site, world: World, as_user: Callable[[str], Client]
) -> None:
    ci = as_user("cluster_incharge")
    data = {
        "customer": "BHKATS00101",
        "old_meter": "OLD-1",
        "final_reading": "160",
        "new_meter": "NEW-1",
        "first_reading": "3",
        "reason": "upgrade",
        "comments": "",
        "token": "t-1",
    }
    review = ci.post(BASE + "change/", data | {"step": "review"}).content.decode()
    assert "60.000" in review and "available" in review
    done = ci.post(BASE + "change/", data | {"step": "confirm"})
    req = Request.objects.get()
    assert done["Location"] == f"/backoffice/requests/{req.number}/"
    old = ci.get(BASE + "OLD-1/").content.decode()
    assert "Final reading at removal" in old and "160.000" in old and "60.000" in old
    new = ci.get(BASE + "NEW-1/").content.decode()
    assert "First reading at installation" in new and "3.000" in new
    assert Meter.objects.get(serial="OLD-1").state == MeterState.AVAILABLE
    ack = as_user("state_incharge").get(f"/backoffice/requests/{req.number}/")
    assert "Mark completed" in ack.content.decode()
    assert as_user("sika_csa").get(BASE + "OLD-1/").status_code == 403  # no back office


@pytest.mark.parametrize("who", ["state_incharge", "ho_manager"])
def test_change_meter_is_not_for_managers_who_do_not_execute(
    s: Site, as_user: Callable[[str], Client], who: str
) -> None:
    assert as_user(who).get(BASE + "change/").status_code == 403


def test_a_release_in_the_back_office(
    s: Site, world: World, as_user: Callable[[str], Client]
) -> None:
    ci = as_user("cluster_incharge")
    raised = ci.post(
        BASE + "releases/new/",
        {"meter": "OLD-1", "reason": "subscription_expired", "token": "r-1"},
    )
    req = Request.objects.get()
    url = f"{BASE}releases/{req.number}/"
    assert raised["Location"] == url
    page = ci.get(url).content.decode()
    assert "Assign" in page
    ci.post(url + "assign/", {"assignee": "cluster_incharge", "token": "a"})
    page = ci.get(url).content.decode()
    assert 'name="destination"' in page
    ci.post(
        url + "execute/",
        {"destination": "plant", "final_reading": "110", "token": "e"},
    )
    req.refresh_from_db()
    assert req.state == RequestState.REVIEW
    assert Reading.objects.get().units == 10
    assert Meter.objects.get(serial="OLD-1").state == MeterState.AVAILABLE
    si = as_user("state_incharge")
    si.post(url + "complete/", {"token": "c"})
    req.refresh_from_db()
    assert req.state == RequestState.COMPLETED
    listed = si.get(BASE + "releases/?tab=completed").content.decode()
    assert req.number in listed and "Completed (1)" in listed
    assert as_user("ho_manager").get(url).status_code == 200
    other = as_user("admin").get(f"{BASE}releases/{req.number}/fly/")
    assert other.status_code == 405  # a GET on the step URL


def test_the_meter_screens_read_in_hindi(
    s: Site, world: World, as_user: Callable[[str], Client]
) -> None:
    user = world.user("cluster_incharge")
    user.language = "hi"
    user.save(update_fields=["language"])
    client = as_user("cluster_incharge")
    client.post("/i18n/setlang/", {"language": "hi", "next": "/backoffice/"})
    stock = client.get(BASE).content.decode()
    assert "मीटर स्टॉक" in stock and "Meter stock" not in stock
    form = client.get(BASE + "change/?customer=BHKATS00101").content.decode()
    assert "वर्तमान मीटर की अंतिम रीडिंग (kWh)" in form
    field = client.get("/field/meters/releases/").content.decode()
    assert "मीटर रिलीज़ अनुरोध करें" in field  # Raise meter release
