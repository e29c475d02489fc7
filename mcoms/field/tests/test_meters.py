"""The Meter section of the field app: the stock list and receiving, Change
Meter with its Review step, Unreleased Meter from raise to Completed, and the
bell's count of meter release requests waiting for me."""

from __future__ import annotations

import pytest
from django.test import Client

from mcoms.metering.models import Meter, MeterLocation, MeterState, Reading
from mcoms.metering.tests.change_kit import Site, receive, site
from mcoms.notifications.selectors import unread_count
from mcoms.workflow.models import Request, RequestState
from tests.builders import World

STOCK = "/field/meters/"
CHANGE = "/field/meters/change/"
RELEASES = "/field/meters/releases/"


def bell(client: Client) -> int:
    return client.get("/field/").context["unread"]


def login(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


@pytest.fixture
def s(world: World) -> Site:
    return site(world)


def test_the_stock_of_my_plants_with_the_customer(s: Site, world: World) -> None:
    receive(world, "MADH-1", plant="BHMADH")
    body = login(world, "technician").get(STOCK).content.decode()
    assert "OLD-1" in body and "BHKATS00101" in body and "NEW-1" in body
    assert "MADH-1" not in body
    ci = login(world, "cluster_incharge")
    assert "MADH-1" in ci.get(STOCK).content.decode()
    only = ci.get(STOCK + "?plant=BHMADH").content.decode()
    assert "MADH-1" in only and "OLD-1" not in only
    assigned = ci.get(STOCK + "?state=assigned").content.decode()
    assert "OLD-1" in assigned and "NEW-1" not in assigned
    assert ci.get(STOCK + "?plant=BHSIKA").status_code == 404
    assert login(world, "ho_manager").get(STOCK).status_code == 403


def test_receiving_a_meter(world: World) -> None:
    tech = login(world, "technician")
    page = tech.get(STOCK + "receive/").content.decode()
    assert 'value="BHKATS"' in page and 'value="-"' not in page
    data = {
        "serial": "new-7",
        "kind": "conventional",
        "driver": "manual",
        "digit_capacity": "6",
        "place": "BHKATS",
    }
    response = tech.post(STOCK + "receive/", data)
    assert response.status_code == 302
    assert Meter.objects.get(serial="NEW-7").location == MeterLocation.PLANT
    clash = tech.post(STOCK + "receive/", data | {"kind": "smart"})
    assert "already in the records" in clash.content.decode()
    outside = tech.post(STOCK + "receive/", data | {"serial": "X", "place": "BHSIKA"})
    assert outside.status_code == 200  # not a choice of theirs
    assert not Meter.objects.filter(serial="X").exists()
    assert login(world, "csa").get(STOCK + "receive/").status_code == 403


def change_data(**over: str) -> dict[str, str]:
    data = {
        "customer": "BHKATS00101",
        "old_meter": "OLD-1",
        "final_reading": "130.5",
        "new_meter": "NEW-1",
        "first_reading": "0",
        "reason": "faulty",
        "comments": "",
        "token": "tok-1",
    }
    return data | over


def test_change_meter_review_then_confirm(s: Site, world: World) -> None:
    ci = login(world, "cluster_incharge")
    assert "Consumer number" in ci.get(CHANGE).content.decode()
    form = ci.get(CHANGE + "?customer=BHKATS00101").content.decode()
    assert "OLD-1 · 100.000 kWh" in form and "NEW-1" in form
    review = ci.post(CHANGE, change_data(step="review"))
    text = review.content.decode()
    assert review.status_code == 200 and "30.500" in text  # the units
    assert not Request.objects.exists()
    bad = ci.post(CHANGE, change_data(step="review", final_reading="90"))
    assert "below the previous one" in bad.content.decode()
    done = ci.post(CHANGE, change_data(step="confirm"))
    req = Request.objects.get()
    assert done["Location"] == f"/field/requests/{req.number}/"
    assert req.state == RequestState.REVIEW
    assert Reading.objects.count() == 2
    again = ci.post(CHANGE, change_data(step="confirm"))  # a double tap
    assert again.status_code == 302 and Request.objects.count() == 1
    assert Meter.objects.get(serial="OLD-1").state == MeterState.FAULTY


def test_change_meter_is_for_the_cluster_in_charge(s: Site, world: World) -> None:
    assert login(world, "technician").get(CHANGE).status_code == 403
    assert login(world, "state_incharge").get(CHANGE).status_code == 403
    ci = login(world, "cluster_incharge")
    assert ci.get(CHANGE + "?customer=BHSIKA00101").status_code == 404
    sika = receive(world, "SIKA-9", plant="BHSIKA")
    outside = ci.post(CHANGE, change_data(step="confirm", new_meter=sika.serial))
    assert outside.status_code == 200  # not a choice of the form
    assert not Request.objects.exists()


def test_a_release_through_the_field_app(s: Site, world: World) -> None:
    csa = login(world, "csa")
    raised = csa.post(
        RELEASES + "new/",
        {"meter": "old-1", "reason": "malfunction", "comments": "", "token": "r1"},
    )
    req = Request.objects.get()
    assert raised["Location"] == f"{RELEASES}{req.number}/"
    ci = login(world, "cluster_incharge")
    tabs = ci.get(RELEASES).content.decode()
    assert req.number in tabs and "Pending (1)" in tabs
    incharge = world.user("cluster_incharge")
    assert bell(ci) == unread_count(incharge) + 1  # the message and the release
    assert (
        "Meter Release Requests: 1" in ci.get("/field/notifications/").content.decode()
    )
    url = f"{RELEASES}{req.number}/"
    ci.post(url + "assign/", {"assignee": "technician", "token": "a1"})
    tech = login(world, "technician")
    page = tech.get(url).content.decode()
    assert 'name="destination"' in page
    low = tech.post(
        url + "execute/", {"destination": "plant", "final_reading": "50", "token": "e1"}
    )
    assert low.status_code == 302
    assert "below the previous one" in tech.get(url).content.decode()
    tech.post(
        url + "execute/",
        {"destination": "warehouse", "final_reading": "120", "token": "e2"},
    )
    req.refresh_from_db()
    assert req.state == RequestState.REVIEW
    meter = Meter.objects.get(serial="OLD-1")
    assert (meter.location, meter.state) == (MeterLocation.WAREHOUSE, MeterState.FAULTY)
    ci.post(url + "complete/", {"token": "c1"})
    req.refresh_from_db()
    assert req.state == RequestState.COMPLETED
    done = ci.get(RELEASES + "?tab=completed&plant=BHKATS").content.decode()
    assert req.number in done
    none = ci.get(RELEASES + "?tab=completed&until=2000-01-01").content.decode()
    assert req.number not in none
    assert bell(ci) == unread_count(incharge)  # nothing waits for them


def test_release_pages_keep_to_the_scope(s: Site, world: World) -> None:
    login(world, "csa").post(
        RELEASES + "new/",
        {"meter": "OLD-1", "reason": "other", "comments": "", "token": "r1"},
    )
    number = Request.objects.get().number
    sika = login(world, "sika_csa")
    assert sika.get(f"{RELEASES}{number}/").status_code == 404
    assert sika.post(f"{RELEASES}{number}/assign/", {}).status_code == 404
    assert number not in sika.get(RELEASES).content.decode()
    hidden = sika.post(
        RELEASES + "new/",
        {"meter": "OLD-1", "reason": "other", "comments": "", "token": "r2"},
    )
    assert hidden.status_code == 404
    ci = login(world, "cluster_incharge")
    assert ci.post(f"{RELEASES}{number}/fly/", {}).status_code == 404
    assert ci.get(f"{RELEASES}?plant=BHSIKA").status_code == 404


def test_the_home_links_change_meter_only_for_who_may_use_it(world: World) -> None:
    csa = login(world, "csa").get("/field/").content.decode()
    assert 'href="/field/meters/change/"' not in csa
    assert 'href="/field/meters/releases/"' in csa
    ci = login(world, "cluster_incharge").get("/field/").content.decode()
    assert 'href="/field/meters/change/"' in ci
