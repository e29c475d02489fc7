"""The meter-control API: commands to a meter, a feeder and a plant with an
Idempotency-Key, their list and detail, a meter's control state, and tokens;
403 for a designation without the right, 404 (and nothing written) outside
the user's scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from openpaygo import OpenPAYGOTokenDecoder
from rest_framework.test import APIClient

from mcoms.metering.control import command_dispatch
from mcoms.metering.models import Meter, MeterCommand, TokenIssue
from mcoms.metering.tests.control_kit import KEY, customer_on_f2, installed, sim
from mcoms.metering.tokens import meter_payg_setup
from mcoms.org.models import User
from tests.builders import World

__all__ = ["sim"]
COMMANDS = "/api/v1/meter-commands/"


@pytest.fixture
def client_for(db: None) -> Callable[..., APIClient]:
    from rest_framework.authtoken.models import Token

    cache.clear()

    def make(username: str, key: str | None = "k-1") -> APIClient:
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        if key:
            client.credentials(
                HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_IDEMPOTENCY_KEY=key
            )
        return client

    return make


@pytest.fixture
def meters(world: World, sim: None) -> dict[str, Meter]:
    return {
        "kats": installed(world.customers["BHKATS"], "SM-1"),
        "f2": installed(customer_on_f2(world), "LL-1", kind="load_limiter"),
        "sika": installed(world.customers["BHSIKA"], "SM-S"),
    }


def test_a_technician_switches_one_meter_off(meters, client_for) -> None:
    response = client_for("technician").post(
        COMMANDS,
        {"target": "meter", "meter": "sm-1", "action": "off", "reason": "fault"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["target"], body["meter"], body["plant"], body["state"]) == (
        "meter",
        "SM-1",
        "BHKATS",
        "queued",
    )
    assert (body["requested_by"], body["reason"], body["meters"]) == (
        "technician",
        "fault",
        [],
    )
    assert [e["state"] for e in body["events"]] == ["queued"]


def test_a_replay_with_the_key_answers_the_first_command(meters, client_for) -> None:
    client = client_for("technician")
    data = {"target": "meter", "meter": "SM-1", "action": "off"}
    first = client.post(COMMANDS, data, format="json")
    again = client.post(COMMANDS, data, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = client.post(COMMANDS, {**data, "action": "on"}, format="json")
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    assert MeterCommand.objects.count() == 1


def test_without_a_key_nothing_is_written(meters, client_for) -> None:
    response = client_for("technician", key=None).post(
        COMMANDS, {"target": "meter", "meter": "SM-1", "action": "off"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (
        400,
        "idempotency_key_missing",
    )
    assert not MeterCommand.objects.exists()


@pytest.mark.parametrize(
    ("user", "data", "code"),
    [
        ("csa", {"target": "meter", "meter": "SM-1", "action": "off"}, 403),
        ("operator", {"target": "meter", "meter": "SM-1", "action": "on"}, 403),
        (
            "technician",
            {
                "target": "meter",
                "meter": "SM-1",
                "action": "set_limit",
                "params": {"limit_w": 9},
            },
            403,
        ),
        ("technician", {"target": "plant", "plant": "BHKATS", "action": "off"}, 403),
        (
            "technician",
            {"target": "feeder", "plant": "BHKATS", "feeder": "F2", "action": "off"},
            403,
        ),
        ("ho_manager", {"target": "plant", "plant": "BHKATS", "action": "off"}, 403),
        ("technician", {"target": "meter", "meter": "SM-S", "action": "off"}, 404),
        (
            "cluster_incharge",
            {"target": "meter", "meter": "SM-S", "action": "off"},
            404,
        ),
        (
            "cluster_incharge",
            {"target": "plant", "plant": "BHSIKA", "action": "off"},
            404,
        ),
        ("other_admin", {"target": "meter", "meter": "SM-1", "action": "off"}, 404),
        ("other_admin", {"target": "plant", "plant": "BHSIKA", "action": "off"}, 404),
    ],
)
def test_designation_and_scope(meters, client_for, user, data, code) -> None:
    response = client_for(user).post(COMMANDS, data, format="json")
    assert response.status_code == code, response.json()
    assert response.json()["code"] == {403: "permission_denied", 404: "not_found"}[code]
    assert not MeterCommand.objects.exists()


def test_a_feeder_and_the_plant_master_switch(meters, client_for) -> None:
    client = client_for("cluster_incharge", key="feeder")
    response = client.post(
        COMMANDS,
        {"target": "feeder", "plant": "bhkats", "feeder": "f2", "action": "off"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert [m["meter"] for m in response.json()["meters"]] == ["LL-1"]
    response = client_for("state_incharge", key="plant").post(
        COMMANDS,
        {"target": "plant", "plant": "BHKATS", "action": "auto"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert sorted(m["meter"] for m in body["meters"]) == ["LL-1", "SM-1"]
    assert body["events"][0]["note"] == "2 meters"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"target": "meter", "action": "off"}, "invalid_input"),
        ({"target": "meter", "meter": "SM-1", "action": "blink"}, "invalid_choice"),
        ({"target": "plant", "action": "off"}, "invalid_input"),
        (
            {"target": "meter", "meter": "SM-1", "action": "set_limit", "params": {}},
            "command_params_invalid",
        ),
        (
            {
                "target": "meter",
                "meter": "SM-1",
                "action": "set_limit",
                "params": {"limit_w": -4},
            },
            "limit_invalid",
        ),
        ({"target": "plant", "plant": "BHMADH", "action": "off"}, "no_meters_reached"),
    ],
)
def test_bad_input_is_a_clear_400(meters, client_for, data, code) -> None:
    response = client_for("admin").post(COMMANDS, data, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert not MeterCommand.objects.exists()


def test_list_detail_and_control_state(meters, client_for) -> None:
    admin = client_for("admin", key="a")
    made = admin.post(
        COMMANDS, {"target": "meter", "meter": "SM-S", "action": "off"}, format="json"
    ).json()
    client_for("cluster_incharge", key="b").post(
        COMMANDS, {"target": "meter", "meter": "SM-1", "action": "on"}, format="json"
    )
    command_dispatch(command_id=made["id"])
    listed = admin.get(COMMANDS).json()["results"]
    assert [c["meter"] for c in listed] == ["SM-1", "SM-S"]
    assert [
        c["meter"] for c in admin.get(f"{COMMANDS}?plant=bhsika").json()["results"]
    ] == ["SM-S"]
    assert admin.get(f"{COMMANDS}?state=acknowledged").json()["count"] == 1
    cluster = client_for("cluster_incharge")
    assert [c["meter"] for c in cluster.get(COMMANDS).json()["results"]] == ["SM-1"]
    detail = admin.get(f"{COMMANDS}{made['id']}/").json()
    assert [e["state"] for e in detail["events"]] == ["queued", "sent", "acknowledged"]
    assert cluster.get(f"{COMMANDS}{made['id']}/").status_code == 404
    state = admin.get("/api/v1/meters/SM-S/control/").json()
    assert (
        state["switch_state"],
        state["reachable"],
        state["commands"][0]["state"],
    ) == (
        "off",
        True,
        "acknowledged",
    )
    assert cluster.get("/api/v1/meters/SM-S/control/").status_code == 404


def test_tokens_issue_replay_and_read(world: World, client_for) -> None:
    meter = installed(world.customers["BHKATS"], "LL-9", kind="load_limiter")
    meter_payg_setup(meter=meter, secret=KEY, by=None)
    csa = client_for("csa", key="t1")
    url = "/api/v1/meters/LL-9/tokens/"
    first = csa.post(url, {"payment_ref": "PAY-1", "days": 30}, format="json")
    assert first.status_code == 201, first.json()
    token = first.json()
    assert (token["count"], token["days"], token["by"]) == (2, "30.00", "csa")
    value, _kind, count, _ = OpenPAYGOTokenDecoder.decode_token(
        token=token["token"], secret_key=KEY, count=0, used_counts=[]
    )
    assert (value, count) == (30, 2)
    again = client_for("cluster_incharge", key="t2").post(
        url, {"payment_ref": "PAY-1", "days": 30}, format="json"
    )
    assert (again.status_code, again.json()["token"]) == (200, token["token"])
    clash = csa.post(url, {"payment_ref": "PAY-1", "days": 31}, format="json")
    assert (clash.status_code, clash.json()["code"]) == (409, "token_payment_reused")
    assert [t["payment_ref"] for t in csa.get(url).json()["results"]] == ["PAY-1"]
    assert csa.get(f"{url}PAY-1/").json()["token"] == token["token"]
    assert csa.get(f"{url}PAY-2/").status_code == 404
    assert client_for("technician").get(url).status_code == 403
    assert (
        client_for("sika_csa").post(url, {"payment_ref": "X", "days": 1}).status_code
        == 404
    )
    assert TokenIssue.objects.count() == 1
    assert Meter.objects.get(pk=meter.pk).payg_count == 2


def test_a_customer_and_anonymous_are_refused(meters, client_for) -> None:
    customer = client_for("c+919800000001")
    assert customer.get(COMMANDS).status_code == 403
    assert APIClient().get(COMMANDS).status_code == 401
    response = customer.post(
        COMMANDS, {"target": "meter", "meter": "SM-1", "action": "off"}, format="json"
    )
    assert response.status_code == 403
