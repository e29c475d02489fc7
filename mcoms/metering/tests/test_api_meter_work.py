"""The API of Change Meter and Unreleased Meter: the stock list's customer
column, the change form's options, the change itself, the release from raise
to Completed; scope (404), designation (403), bad input (400/409), replay."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from mcoms.metering.models import Meter, MeterState, Reading
from mcoms.metering.tests.change_kit import Site, neighbour, receive, site
from mcoms.org.models import User
from tests.builders import World

BASE = "/api/v1/meters"
REQUESTS = "/api/v1/requests"


@pytest.fixture
def client_for(db: None) -> Callable[[str], APIClient]:
    from rest_framework.authtoken.models import Token

    cache.clear()

    def make(username: str) -> APIClient:
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def s(world: World) -> Site:
    return site(world)


def post(client: APIClient, url: str, data: dict, key: str = "k-1"):
    return client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=key)


CHANGE = {
    "customer": "BHKATS00101",
    "old_meter": "OLD-1",
    "final_reading": "150.5",
    "new_meter": "NEW-1",
    "first_reading": "0",
    "reason": "faulty",
}


def test_the_stock_list_names_the_customer(s: Site, client_for) -> None:
    rows = client_for("technician").get(f"{BASE}/").json()["results"]
    assert {r["serial"]: r["customer"] for r in rows} == {
        "NEW-1": None,
        "OLD-1": "BHKATS00101",
    }
    detail = client_for("technician").get(f"{BASE}/old-1/").json()
    assert detail["customer"] == "BHKATS00101"


def test_the_change_form_fills_in_the_current_meter(
    s: Site, world: World, client_for
) -> None:
    receive(world, "LL-9", kind="load_limiter")  # does not fit the package
    ci = client_for("cluster_incharge")
    response = ci.get(f"{BASE}/changes/options/?customer=bhkats00101")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [m["serial"] for m in body["installed"]] == ["OLD-1"]
    assert body["installed"][0]["previous_reading"] == "100.000"
    assert [m["serial"] for m in body["stock"]] == ["NEW-1"]
    assert body["reasons"]["faulty"]
    tech = client_for("technician")
    assert tech.get(f"{BASE}/changes/options/?customer=BHKATS00101").status_code == 403
    out = ci.get(f"{BASE}/changes/options/?customer=BHSIKA00101")
    assert (out.status_code, out.json()["code"]) == (404, "not_found")


def test_a_change_then_its_acknowledgement(s: Site, client_for) -> None:
    ci = client_for("cluster_incharge")
    response = post(ci, f"{BASE}/changes/", CHANGE | {"comments": "Blank display"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["state"], body["customer"]) == (
        "meter_change",
        "review",
        "BHKATS00101",
    )
    assert body["result"]["units"] == "50.500"
    assert "complete" not in body["actions"]  # not the reviewer of their own change
    again = post(ci, f"{BASE}/changes/", CHANGE)
    assert (again.status_code, again.json()["number"]) == (200, body["number"])
    assert Reading.objects.count() == 2
    si = client_for("state_incharge")
    listed = si.get(f"{REQUESTS}/?kind=meter_change&state=review").json()
    assert [r["number"] for r in listed["results"]] == [body["number"]]
    done = post(si, f"{REQUESTS}/{body['number']}/complete/", {}, key="ack")
    assert (done.status_code, done.json()["state"]) == (200, "completed")


@pytest.mark.parametrize(
    ("user", "over", "status", "code"),
    [
        ("technician", {}, 403, "permission_denied"),
        ("state_incharge", {}, 403, "permission_denied"),
        ("sika_csa", {}, 403, "permission_denied"),
        ("admin", {"customer": "BHSIKA00101"}, 409, "meter_not_current"),
        ("cluster_incharge", {"customer": "BHSIKA00101"}, 404, "not_found"),
        ("cluster_incharge", {"new_meter": "SIKA-1"}, 404, "not_found"),
        ("cluster_incharge", {"new_meter": "MADH-1"}, 400, "meter_other_plant"),
        ("cluster_incharge", {"new_meter": "LL-1"}, 400, "meter_kind_mismatch"),
        ("cluster_incharge", {"new_meter": "BAD-1"}, 400, "meter_not_in_stock"),
        ("cluster_incharge", {"final_reading": "99"}, 400, "reading_below_previous"),
        (
            "cluster_incharge",
            {"final_reading": "120", "rollover": True},
            400,
            "rollover_not_possible",
        ),
        ("cluster_incharge", {"final_reading": ""}, 400, "final_reading_missing"),
        ("cluster_incharge", {"reason": "x"}, 400, "invalid_choice"),
        ("other_admin", {}, 404, "not_found"),
    ],
)
def test_change_refusals(
    s: Site, world: World, client_for, user, over, status, code
) -> None:
    receive(world, "SIKA-1", plant="BHSIKA")
    receive(world, "MADH-1", plant="BHMADH")
    receive(world, "LL-1", kind="load_limiter")
    bad = receive(world, "BAD-1")
    Meter.objects.filter(pk=bad.pk).update(state=MeterState.FAULTY)
    response = post(client_for(user), f"{BASE}/changes/", CHANGE | over)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert Reading.objects.count() == 0


def test_a_change_needs_an_idempotency_key(s: Site, client_for) -> None:
    response = client_for("cluster_incharge").post(
        f"{BASE}/changes/", CHANGE, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (
        400,
        "idempotency_key_missing",
    )


def test_a_release_from_raise_to_completed(s: Site, world: World, client_for) -> None:
    csa, ci, tech = (client_for(u) for u in ("csa", "cluster_incharge", "technician"))
    raised = post(csa, f"{BASE}/old-1/release/", {"reason": "malfunction"})
    assert raised.status_code == 201, raised.json()
    number = raised.json()["number"]
    assert raised.json()["state"] == "approved"
    again = post(csa, f"{BASE}/OLD-1/release/", {"reason": "malfunction"})
    assert (again.status_code, again.json()["number"]) == (200, number)
    twice = post(csa, f"{BASE}/OLD-1/release/", {"reason": "other"}, key="k-2")
    assert (twice.status_code, twice.json()["code"]) == (409, "request_already_open")
    pending = ci.get(f"{BASE}/releases/?tab=pending").json()["results"]
    assert [(r["number"], r["actions"]) for r in pending] == [
        (number, ["assign", "reject"])
    ]
    summary = ci.get(f"{BASE}/releases/summary/").json()
    assert summary == {
        "tabs": {"pending": 1, "review": 0, "completed": 0, "rejected": 0},
        "waiting_for_me": 1,
    }
    assigned = post(
        ci, f"{REQUESTS}/{number}/assign/", {"assignee": "technician"}, key="a"
    )
    assert assigned.status_code == 200, assigned.json()
    url = f"{BASE}/releases/{number}/execute/"
    data = {"destination": "warehouse", "final_reading": "120"}
    assert post(ci, url, data, key="e").json()["code"] == "request_not_assignee"
    low = post(tech, url, data | {"final_reading": "90"}, key="e")
    assert (low.status_code, low.json()["code"]) == (400, "reading_below_previous")
    done = post(tech, url, data, key="e")
    assert (done.status_code, done.json()["state"]) == (200, "review")
    assert done.json()["result"]["units"] == "20.000"
    replay = post(tech, url, data | {"final_reading": "500"}, key="e")
    assert (replay.status_code, replay.json()["result"]) == (200, done.json()["result"])
    assert (
        client_for("technician")
        .get(f"{BASE}/releases/summary/")
        .json()["waiting_for_me"]
        == 0
    )
    completed = post(ci, f"{REQUESTS}/{number}/complete/", {}, key="c")
    assert completed.json()["state"] == "completed"
    listed = ci.get(f"{BASE}/releases/?tab=completed&plant=BHKATS").json()
    assert [r["number"] for r in listed["results"]] == [number]
    meter = ci.get(f"{BASE}/OLD-1/")
    assert meter.status_code == 404  # in the warehouse: company scope only
    assert client_for("admin").get(f"{BASE}/OLD-1/").json()["location"] == "warehouse"


def test_release_refusals_and_scope(s: Site, world: World, client_for) -> None:
    stock = receive(world, "STOCK-1")
    csa = client_for("csa")
    idle = post(csa, f"{BASE}/{stock.serial}/release/", {"reason": "other"})
    assert (idle.status_code, idle.json()["code"]) == (409, "meter_not_in_service")
    sika = client_for("sika_csa")
    hidden = post(sika, f"{BASE}/OLD-1/release/", {"reason": "other"})
    assert hidden.status_code == 404
    number = post(csa, f"{BASE}/OLD-1/release/", {"reason": "other"}).json()["number"]
    assert sika.get(f"{BASE}/releases/").json()["results"] == []
    url = f"{BASE}/releases/{number}/execute/"
    assert post(sika, url, {"destination": "plant"}).status_code == 404
    early = post(csa, url, {"destination": "plant"}, key="x-1")
    assert (early.status_code, early.json()["code"]) == (409, "request_wrong_state")
    other = client_for("other_admin")
    assert other.get(f"{BASE}/releases/?plant=BHMADH").status_code == 404
    assert client_for("c+919800000001").get(f"{BASE}/releases/").status_code == 403


def test_execute_only_meter_releases(s: Site, world: World, client_for) -> None:
    ci = client_for("cluster_incharge")
    number = post(ci, f"{BASE}/changes/", CHANGE).json()["number"]
    response = post(ci, f"{BASE}/releases/{number}/execute/", {"destination": "plant"})
    assert response.status_code == 404


def test_a_reassignment_through_the_api(s: Site, world: World, client_for) -> None:
    other = neighbour(s.customer.plant)
    csa, ci, tech = (client_for(u) for u in ("csa", "cluster_incharge", "technician"))
    number = post(
        csa, f"{BASE}/OLD-1/release/", {"reason": "subscription_expired"}
    ).json()["number"]
    post(ci, f"{REQUESTS}/{number}/assign/", {"assignee": "technician"}, key="a")
    response = post(
        tech,
        f"{BASE}/releases/{number}/execute/",
        {
            "destination": "reassign",
            "customer": other.customer_id,
            "final_reading": "101",
        },
        key="e",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["result"]["reassigned_to"] == other.customer_id
    rows = tech.get(f"{BASE}/?q=OLD").json()["results"]
    assert rows[0]["customer"] == other.customer_id
