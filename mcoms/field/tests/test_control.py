"""Meter control in the field app: Smart Meter Status with search and
colours, the meter page's buttons only for those allowed, a command from a
button, tokens, Smart Feeder Status and the plant master switch with their
confirm step; out-of-scope meters 404 and nothing written."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mcoms.metering.models import Meter, MeterCommand, TokenIssue
from mcoms.metering.tests.control_kit import KEY, customer_on_f2, installed, sim
from mcoms.metering.tokens import meter_payg_setup
from tests.builders import World

__all__ = ["sim"]
LIST = "/field/smart-meters/"


def login(client: Client, world: World, username: str) -> Client:
    client.force_login(world.user(username))
    return client


@pytest.fixture
def meters(world: World, sim: None) -> dict[str, Meter]:
    off = installed(world.customers["BHKATS"], "SM-1")
    Meter.objects.filter(pk=off.pk).update(switch_state="off")
    limiter = installed(customer_on_f2(world), "LL-1", kind="load_limiter")
    return {
        "kats": off,
        "f2": meter_payg_setup(meter=limiter, secret=KEY, by=None),
        "sika": installed(world.customers["BHSIKA"], "SM-S"),
    }


def test_the_list_shows_the_plants_meters_with_colours(
    client: Client, world: World, meters
) -> None:
    body = login(client, world, "csa").get(LIST).content.decode()
    assert "SM-1" in body and "LL-1" in body
    assert "SM-S" not in body  # another plant
    assert '<span class="sw off">' in body and '<span class="sw auto">' in body
    assert "Customer BHKATS" in body
    assert "Feeders and plant master switch" not in body  # CSA: no group control


@pytest.mark.parametrize(
    ("q", "found"),
    [("sm-1", ["SM-1"]), ("F2 cust", ["LL-1"]), ("BHKATS00101", ["SM-1"]), ("zz", [])],
)
def test_search_by_meter_name_or_customer_id(
    client: Client, world: World, meters, q: str, found: list[str]
) -> None:
    body = login(client, world, "admin").get(LIST, {"q": q}).content.decode()
    shown = re.findall(r'class="id" href="/field/smart-meters/([^/]+)/"', body)
    assert shown == found


def test_the_meter_page_shows_buttons_only_to_those_allowed(
    client: Client, world: World, meters
) -> None:
    page = "/field/smart-meters/SM-1/"
    tech = login(Client(), world, "technician").get(page).content.decode()
    assert 'value="off"' in tech and 'value="reset"' in tech
    assert 'value="set_limit"' not in tech
    csa = login(Client(), world, "csa").get(page).content.decode()
    assert 'value="off"' not in csa
    incharge = login(Client(), world, "cluster_incharge").get(page).content.decode()
    assert 'value="set_limit"' in incharge and 'value="set_schedule"' in incharge
    assert login(Client(), world, "sika_csa").get(page).status_code == 404


def test_a_button_queues_a_command_once(client: Client, world: World, meters) -> None:
    login(client, world, "technician")
    url = "/field/smart-meters/SM-1/command/"
    data = {"action": "on", "token": "t-on"}
    response = client.post(url, data)
    assert response.status_code == 302
    client.post(url, data)  # a double tap
    command = MeterCommand.objects.get()
    assert (command.action, command.meter, command.requested_by) == (
        "on",
        meters["kats"],
        world.user("technician"),
    )
    page = client.get("/field/smart-meters/SM-1/").content.decode()
    assert "Queued" in page and "Switch on" in page


def test_a_technician_may_not_set_a_limit_nor_reach_another_plant(
    client: Client, world: World, meters
) -> None:
    login(client, world, "technician")
    limit = {"action": "set_limit", "limit_w": "60", "token": "t"}
    assert client.post("/field/smart-meters/SM-1/command/", limit).status_code == 403
    off = {"action": "off", "token": "t2"}
    assert client.post("/field/smart-meters/SM-S/command/", off).status_code == 404
    assert (
        login(Client(), world, "csa")
        .post("/field/smart-meters/SM-1/command/", off)
        .status_code
        == 403
    )
    assert not MeterCommand.objects.exists()


def test_an_in_charge_sets_the_load_limit_and_schedule(
    client: Client, world: World, meters
) -> None:
    login(client, world, "cluster_incharge")
    url = "/field/smart-meters/SM-1/command/"
    client.post(url, {"action": "set_limit", "limit_w": "60", "token": "a"})
    client.post(
        url, {"action": "set_schedule", "from": "18:00", "to": "06:00", "token": "b"}
    )
    bad = client.post(
        url, {"action": "set_limit", "limit_w": "0", "token": "c"}, follow=True
    )
    assert "The load limit is 1 to 100000 watts." in bad.content.decode()
    assert list(
        MeterCommand.objects.order_by("pk").values_list("action", "params")
    ) == [
        ("set_limit", {"limit_w": 60}),
        ("set_schedule", {"windows": [{"from": "18:00", "to": "06:00"}]}),
    ]


def test_a_csa_issues_a_token(client: Client, world: World, meters) -> None:
    login(client, world, "csa")
    url = "/field/smart-meters/LL-1/token/"
    page = client.post(url, {"payment_ref": "R-1", "days": "30"}, follow=True)
    issue = TokenIssue.objects.get()
    assert issue.token in page.content.decode()
    client.post(url, {"payment_ref": "R-1", "days": "30"})
    assert TokenIssue.objects.count() == 1
    assert login(Client(), world, "technician").post(url, {}).status_code == 403


def test_feeder_status_and_the_confirm_step(
    client: Client, world: World, meters
) -> None:
    login(client, world, "cluster_incharge")
    body = client.get("/field/feeders/", {"plant": "BHKATS"}).content.decode()
    assert "/field/feeders/BHKATS/F2/switch/?action=off" in body
    assert "/field/plants/BHKATS/switch/?action=off" in body
    confirm = client.get("/field/feeders/BHKATS/F2/switch/", {"action": "off"})
    assert confirm.status_code == 200
    assert "1 meter will receive this command." in confirm.content.decode()
    assert not MeterCommand.objects.exists()  # nothing before the confirm
    response = client.post(
        "/field/feeders/BHKATS/F2/switch/", {"action": "off", "token": "x"}
    )
    parent = MeterCommand.objects.get(parent__isnull=True)
    assert response["Location"] == f"/field/meter-commands/{parent.pk}/"
    assert (parent.target, parent.children.get().meter) == ("feeder", meters["f2"])
    page = client.get(response["Location"]).content.decode()
    assert "LL-1" in page and "Queued" in page


def test_the_plant_master_switch(client: Client, world: World, meters) -> None:
    login(client, world, "state_incharge")
    confirm = client.get("/field/plants/BHKATS/switch/", {"action": "off"})
    assert "2 meters will receive this command." in confirm.content.decode()
    client.post(
        "/field/plants/BHKATS/switch/",
        {"action": "off", "token": "x", "reason": "storm"},
    )
    parent = MeterCommand.objects.get(parent__isnull=True)
    assert (parent.target, parent.reason, parent.children.count()) == (
        "plant",
        "storm",
        2,
    )


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("technician", "/field/plants/BHKATS/switch/?action=off", 403),
        ("csa", "/field/feeders/BHKATS/F2/switch/?action=off", 403),
        ("cluster_incharge", "/field/plants/BHSIKA/switch/?action=off", 404),
        ("cluster_incharge", "/field/plants/BHKATS/switch/?action=blink", 404),
    ],
)
def test_group_switch_refusals(
    client: Client, world: World, meters, user: str, url: str, status: int
) -> None:
    login(client, world, user)
    assert client.get(url).status_code == status
    path, _, query = url.partition("?")
    action = query.split("=")[1]
    assert client.post(path, {"action": action, "token": "x"}).status_code == status
    assert not MeterCommand.objects.exists()


def test_the_home_screen_links_the_meter_modules(client: Client, world: World) -> None:
    body = login(client, world, "technician").get("/field/").content.decode()
    assert 'href="/field/smart-meters/"' in body
    assert 'href="/field/feeders/"' in body


def test_the_meter_page_in_hindi(client: Client, world: World, meters) -> None:
    login(client, world, "cluster_incharge")
    client.cookies["django_language"] = "hi"
    body = client.get("/field/smart-meters/SM-1/").content.decode()
    assert "मीटर स्थिति" in body and "मीटर रीसेट करें" in body
    assert "स्पार्क सर्वर" in body  # the main menu
    feeders = client.get("/field/feeders/", {"plant": "BHKATS"}).content.decode()
    assert "प्लांट मास्टर स्विच" in feeders
