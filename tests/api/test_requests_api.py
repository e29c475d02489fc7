"""The approval chain over the API: raise, steps, lists, flagged customers; the
JSON errors with their codes (400, 403, 404, 409) and idempotent retries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from mcoms.customers.models import Customer
from mcoms.workflow.models import Request, RequestStep
from tests.builders import World

BASE = "/api/v1/requests/"
CUSTOMER = "c+919800000001"
DEACTIVATE = {
    "kind": "deactivation",
    "plant": "BHKATS",
    "customer": "BHKATS00101",
    "comments": "three months unpaid",
    "payload": {"reason": "non_payment", "ban": False},
}


def post(client: APIClient, url: str, body: dict[str, Any], key: str | None = None):
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    return client.post(url, body, format="json", headers=headers)


@pytest.fixture
def raised(world: World, client_for) -> dict[str, Any]:
    response = post(client_for("csa"), BASE, DEACTIVATE, "raise-1")
    assert response.status_code == 201, response.json()
    return response.json()


def step(client_for, who: str, number: str, action: str, body: dict[str, Any]):
    return post(client_for(who), f"{BASE}{number}/{action}/", body)


def test_raise_returns_the_request_and_a_retry_returns_it_again(
    world: World, client_for, raised
) -> None:
    assert raised["number"] == "BHKATS-00001"
    assert (raised["kind"], raised["kind_label"]) == ("deactivation", "De-activation")
    assert (raised["state"], raised["customer"], raised["plant"]) == (
        "request",
        "BHKATS00101",
        "BHKATS",
    )
    assert raised["payload"] == {"reason": "non_payment", "ban": False}
    assert raised["raised_by"] == "csa"
    assert [s["action"] for s in raised["steps"]] == ["raise"]
    assert raised["actions"] == []  # a CSA neither approves nor rejects
    again = post(client_for("csa"), BASE, DEACTIVATE, "raise-1")
    assert again.status_code == 200
    assert again.json()["number"] == raised["number"]
    assert Request.objects.count() == 1


def test_the_whole_chain_over_the_api(world: World, client_for, raised) -> None:
    n = raised["number"]
    detail = client_for("state_incharge").get(f"{BASE}{n}/").json()
    assert detail["actions"] == ["approve", "reject"]
    r = step(client_for, "state_incharge", n, "approve", {"note": "ok"})
    assert (r.status_code, r.json()["state"]) == (200, "approved")
    people = client_for("cluster_incharge").get(f"{BASE}{n}/assignees/").json()
    assert [p["username"] for p in people][:2] == ["csa", "technician"]
    r = step(client_for, "cluster_incharge", n, "assign", {"assignee": "technician"})
    assert (r.json()["state"], r.json()["assigned_to"]) == ("in_process", "technician")
    assert client_for("technician").get(f"{BASE}{n}/").json()["actions"] == ["execute"]
    r = step(client_for, "technician", n, "execute", {"note": "meter off"})
    assert r.json()["state"] == "review"
    assert Customer.objects.get(pk=world.customers["BHKATS"].pk).status == "inactive"
    r = step(client_for, "cluster_incharge", n, "complete", {})
    body = r.json()
    assert (body["state"], body["closed_by"]) == ("completed", "cluster_incharge")
    assert [s["action"] for s in body["steps"]] == [
        "raise",
        "approve",
        "assign",
        "execute",
        "complete",
    ]
    assert body["steps"][3]["note"] == "meter off"


def test_every_post_needs_an_idempotency_key(world: World, client_for, raised):
    client = client_for("state_incharge")
    for url in (BASE, f"{BASE}{raised['number']}/approve/"):
        response = client.post(url, DEACTIVATE, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "idempotency_key_missing"
    assert Request.objects.get().state == "request"


def test_a_retried_step_returns_the_request(world: World, client_for, raised):
    client = client_for("state_incharge")
    url = f"{BASE}{raised['number']}/approve/"
    first = post(client, url, {}, "tap-1")
    again = post(client, url, {}, "tap-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert RequestStep.objects.filter(action="approve").count() == 1


def test_a_step_in_the_wrong_state_is_409(world: World, client_for, raised) -> None:
    r = step(client_for, "technician", raised["number"], "execute", {})
    assert r.status_code == 409
    assert r.json()["code"] == "request_wrong_state"


@pytest.mark.parametrize(
    ("who", "action", "body"),
    [
        ("csa", "approve", {}),
        ("cluster_incharge", "approve", {}),
        ("technician", "assign", {"assignee": "csa"}),
        ("operator", "reject", {"reason": "no"}),
        ("technician", "complete", {}),
    ],
)
def test_a_designation_without_the_step_is_403(
    world: World, client_for, raised, who, action, body
) -> None:
    r = step(client_for, who, raised["number"], action, body)
    assert r.status_code == 403
    assert r.json()["code"] == "designation_not_allowed"


def test_a_request_outside_the_scope_is_404(world: World, client_for, raised):
    n = raised["number"]
    assert client_for("sika_csa").get(f"{BASE}{n}/").status_code == 404
    r = step(client_for, "other_admin", n, "approve", {})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    ids = [x["number"] for x in client_for("sika_csa").get(BASE).json()["results"]]
    assert ids == []


def test_customers_and_anonymous_are_refused(world: World, client_for, raised):
    assert client_for(CUSTOMER).get(BASE).status_code == 403
    assert post(client_for(CUSTOMER), BASE, DEACTIVATE).status_code == 403
    assert APIClient().get(BASE).status_code == 401


def test_assignees_are_checked(world: World, client_for, raised) -> None:
    n = raised["number"]
    step(client_for, "state_incharge", n, "approve", {})
    r = step(client_for, "cluster_incharge", n, "assign", {"assignee": "sika_csa"})
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        400,
        "assignee_out_of_scope",
        "assignee",
    )
    r = step(client_for, "cluster_incharge", n, "assign", {"assignee": "nobody"})
    assert r.json()["code"] == "assignee_unknown"
    r = step(client_for, "cluster_incharge", n, "assign", {"assignee": "other_admin"})
    assert r.json()["code"] == "assignee_unknown"
    assert Request.objects.get().state == "approved"


def test_bad_raises_change_nothing(world: World, client_for) -> None:
    client = client_for("csa")
    cases = [
        ({**DEACTIVATE, "payload": {"reason": "bored"}}, 400, "status_reason_unknown"),
        ({**DEACTIVATE, "kind": "teleport"}, 400, "request_kind_unknown"),
        ({**DEACTIVATE, "customer": "BHSIKA00101"}, 404, "not_found"),
        ({**DEACTIVATE, "plant": "UPGORA"}, 404, "not_found"),
        ({k: v for k, v in DEACTIVATE.items() if k != "customer"}, 400, None),
        ({**DEACTIVATE, "payload": "x"}, 400, None),
    ]
    for body, code, error in cases:
        response = post(client, BASE, body)
        assert response.status_code == code, (body, response.json())
        if error:
            assert response.json()["code"] == error
    assert not Request.objects.exists()


def test_a_second_open_request_is_409(world: World, client_for, raised) -> None:
    r = post(client_for("cluster_incharge"), BASE, DEACTIVATE)
    assert (r.status_code, r.json()["code"]) == (409, "request_already_open")


def test_list_filters(world: World, client_for, raised) -> None:
    Customer.objects.filter(customer_id="UPGORA00101").update(status="inactive")
    post(
        client_for("admin"),
        BASE,
        {
            "kind": "reactivation",
            "plant": "UPGORA",
            "customer": "UPGORA00101",
            "payload": {"reason": "customer_wish"},
        },
    )
    admin = client_for("admin")

    def numbers(query: str) -> list[str]:
        return [r["number"] for r in admin.get(BASE + query).json()["results"]]

    assert numbers("") == ["UPGORA-00001", "BHKATS-00001"]
    assert numbers("?kind=reactivation") == ["UPGORA-00001"]
    assert numbers("?plant=BHKATS") == ["BHKATS-00001"]
    assert numbers("?state=approved") == []
    assert numbers("?mine=true") == []
    assert admin.get(BASE + "?state=nonsense").status_code == 400
    assert client_for("csa").get(BASE + "?plant=UPGORA").status_code == 404
    in_scope = client_for("state_incharge").get(BASE).json()["results"]
    assert [r["number"] for r in in_scope] == ["BHKATS-00001"]


def test_the_list_costs_the_same_for_one_or_many(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    client = client_for("admin")
    for _ in range(12):
        Customer.objects.filter(customer_id="BHKATS00101").update(status="active")
        r = post(client, BASE, DEACTIVATE)
        Request.objects.filter(number=r.json()["number"]).update(
            state="rejected", exclusive_key=None
        )
    with django_assert_max_num_queries(8):
        response = client.get(BASE)
    assert response.json()["count"] == 12


def test_kinds(world: World, client_for) -> None:
    kinds = client_for("operator").get(BASE + "kinds/").json()
    assert {"code": "deactivation", "label": "De-activation"} in kinds
    assert {"code": "reactivation", "label": "Re-activation"} in kinds


def test_flagged_customers(world: World, client_for, raised) -> None:
    from mcoms.packages.tests.factories import PREPAID, make

    package = make(world.plants["BHKATS"], PREPAID, credit_limit="100")
    Customer.objects.filter(customer_id__in=["BHKATS00101", "BHSIKA00101"]).update(
        package=package,
        flagged_at=datetime(2026, 3, 1, tzinfo=UTC),
        flagged_outstanding=Decimal("250.00"),
    )
    rows = client_for("cluster_incharge").get("/api/v1/flagged-customers/").json()
    assert rows["count"] == 1
    row = rows["results"][0]
    assert (row["customer_id"], row["plant"], row["package"]) == (
        "BHKATS00101",
        "BHKATS",
        package.package_id,
    )
    assert (row["credit_limit"], row["outstanding"]) == ("100.00", "250.00")
    assert row["open_request"] == raised["number"]
    admin = client_for("admin")
    every = admin.get("/api/v1/flagged-customers/").json()["results"]
    assert {r["customer_id"] for r in every} == {"BHKATS00101", "BHSIKA00101"}
    sika = admin.get("/api/v1/flagged-customers/?plant=BHSIKA").json()["results"]
    assert [(r["customer_id"], r["open_request"]) for r in sika] == [
        ("BHSIKA00101", None)
    ]
    assert (
        client_for("csa").get("/api/v1/flagged-customers/?plant=BHSIKA").status_code
        == 404
    )
    assert client_for(CUSTOMER).get("/api/v1/flagged-customers/").status_code == 403
