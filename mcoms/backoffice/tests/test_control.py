"""Meter control in the back office: the meter list with filters, the meter
page with buttons only for those allowed, commands and tokens from it, the
plant page with the feeder switches and the master switch behind a confirm
step, the command list and one command; scope and designation refusals write
nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mcoms.metering.control import command_dispatch
from mcoms.metering.drivers import simulator
from mcoms.metering.models import Meter, MeterCommand, TokenIssue
from mcoms.metering.tests.control_kit import KEY, customer_on_f2, installed, sim
from mcoms.metering.tokens import meter_payg_setup
from tests.builders import World

__all__ = ["sim"]
BASE = "/backoffice/control/"


def login(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


@pytest.fixture
def meters(world: World, sim: None) -> dict[str, Meter]:
    limiter = installed(customer_on_f2(world), "LL-1", kind="load_limiter")
    return {
        "kats": installed(world.customers["BHKATS"], "SM-1"),
        "f2": meter_payg_setup(meter=limiter, secret=KEY, by=None),
        "sika": installed(world.customers["BHSIKA"], "SM-S"),
    }


def listed(body: str) -> list[str]:
    return re.findall(r'href="/backoffice/control/meters/([^/]+)/"', body)


def test_the_list_by_scope_with_filters(world: World, meters) -> None:
    admin = login(world, "admin")
    assert listed(admin.get(f"{BASE}meters/").content.decode()) == [
        "LL-1",
        "SM-1",
        "SM-S",
    ]
    assert listed(admin.get(f"{BASE}meters/?plant=BHSIKA").content.decode()) == ["SM-S"]
    assert listed(admin.get(f"{BASE}meters/?q=f2").content.decode()) == ["LL-1"]
    Meter.objects.filter(serial="SM-1").update(switch_state="off")
    assert listed(admin.get(f"{BASE}meters/?state=off").content.decode()) == ["SM-1"]
    cluster = login(world, "cluster_incharge").get(f"{BASE}meters/").content.decode()
    assert listed(cluster) == ["LL-1", "SM-1"]
    assert (
        login(world, "cluster_incharge").get(f"{BASE}meters/?plant=BHSIKA").status_code
        == 404
    )


def test_the_meter_page_and_a_command(world: World, meters) -> None:
    client = login(world, "cluster_incharge")
    page = client.get(f"{BASE}meters/SM-1/").content.decode()
    assert 'value="off"' in page and 'value="set_limit"' in page
    response = client.post(
        f"{BASE}meters/SM-1/command/", {"action": "off", "token": "t", "reason": "x"}
    )
    assert response["Location"] == f"{BASE}meters/SM-1/"
    command = MeterCommand.objects.get()
    command_dispatch(command_id=command.pk)
    page = client.get(f"{BASE}meters/SM-1/").content.decode()
    assert "Acknowledged" in page and '<span class="sw off">' in page
    assert (
        login(world, "cluster_incharge").get(f"{BASE}meters/SM-S/").status_code == 404
    )


def test_head_office_sees_but_does_not_switch(world: World, meters) -> None:
    client = login(world, "ho_manager")
    page = client.get(f"{BASE}meters/SM-1/").content.decode()
    assert 'value="off"' not in page
    assert (
        client.post(f"{BASE}meters/SM-1/command/", {"action": "off"}).status_code == 403
    )
    assert not MeterCommand.objects.exists()


def test_tokens_from_the_meter_page(world: World, meters) -> None:
    client = login(world, "state_incharge")
    page = client.post(
        f"{BASE}meters/LL-1/token/", {"payment_ref": "R-1", "days": "7"}, follow=True
    ).content.decode()
    issue = TokenIssue.objects.get()
    assert issue.token in page
    assert (
        login(world, "ho_manager")
        .post(f"{BASE}meters/LL-1/token/", {"payment_ref": "R-2", "days": "7"})
        .status_code
        == 403
    )
    assert TokenIssue.objects.count() == 1


def test_the_plant_page_and_the_master_switch(world: World, meters) -> None:
    client = login(world, "cluster_incharge")
    page = client.get(f"{BASE}plants/BHKATS/").content.decode()
    assert f"{BASE}plants/BHKATS/switch/?action=off" in page
    assert f"{BASE}plants/BHKATS/feeders/F2/switch/?action=auto" in page
    confirm = client.get(f"{BASE}plants/BHKATS/switch/?action=off").content.decode()
    assert "2 meters will receive this command." in confirm
    assert not MeterCommand.objects.exists()
    response = client.post(
        f"{BASE}plants/BHKATS/switch/", {"action": "off", "token": "m"}
    )
    parent = MeterCommand.objects.get(parent__isnull=True)
    assert response["Location"] == f"{BASE}commands/{parent.pk}/"
    simulator.script("LL-1", "refused")
    for child in parent.children.all():
        command_dispatch(command_id=child.pk)
    detail = client.get(response["Location"]).content.decode()
    assert "1 of 2 meters failed" in detail and "LL-1" in detail
    assert "Failed" in client.get(f"{BASE}commands/?state=failed").content.decode()


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("ho_manager", "plants/BHKATS/switch/?action=off", 403),
        ("cluster_incharge", "plants/BHSIKA/switch/?action=off", 404),
        ("cluster_incharge", "plants/BHKATS/feeders/F9/switch/?action=off", 404),
        ("cluster_incharge", "plants/BHSIKA/", 404),
        ("other_admin", "meters/SM-1/", 404),
    ],
)
def test_refusals(world: World, meters, user: str, url: str, status: int) -> None:
    client = login(world, user)
    assert client.get(BASE + url).status_code == status
    if "switch" in url:
        path = BASE + url.split("?")[0]
        assert client.post(path, {"action": "off", "token": "x"}).status_code == status
    assert not MeterCommand.objects.exists()


def test_the_command_list_is_scoped(world: World, meters) -> None:
    login(world, "admin").post(
        f"{BASE}meters/SM-S/command/", {"action": "off", "token": "a"}
    )
    admin = login(world, "admin").get(f"{BASE}commands/").content.decode()
    cluster = login(world, "cluster_incharge").get(f"{BASE}commands/").content.decode()
    command = MeterCommand.objects.get()
    assert f"{BASE}commands/{command.pk}/" in admin
    assert f"{BASE}commands/{command.pk}/" not in cluster
    assert (
        login(world, "cluster_incharge")
        .get(f"{BASE}commands/{command.pk}/")
        .status_code
        == 404
    )


def test_the_plant_page_in_hindi(world: World, meters) -> None:
    client = login(world, "cluster_incharge")
    client.cookies["django_language"] = "hi"
    body = client.get(f"{BASE}plants/BHKATS/").content.decode()
    assert "स्मार्ट फ़ीडर स्थिति" in body and "मीटर नियंत्रण" in body
