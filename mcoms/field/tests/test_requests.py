"""Consumer Activity in the field app: my requests with execute, the raise
form, one request with my steps, and "To de-activate" with a one-tap raise."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from mcoms.customers.models import Customer
from mcoms.field.tests.helpers import NOT_FIELD
from mcoms.packages.tests.factories import PREPAID, make
from mcoms.workflow import services
from mcoms.workflow.models import Request
from tests.builders import World

HOME = "/field/requests/"
FLAGGED = "/field/flagged/"


def raise_(world: World, key: str = "BHKATS", by: str = "csa") -> Request:
    customer = world.customers[key]
    req, _created = services.request_raise(
        kind="deactivation",
        plant=customer.plant,
        subject=customer,
        payload={"reason": "non_payment", "ban": False},
        idempotency_key=str(uuid.uuid4()),
        by=world.user(by),
    )
    return req


def assigned(world: World, to: str = "technician") -> Request:
    req = services.request_approve(request=raise_(world), by=world.user("admin"))
    return services.request_assign(
        request=req, assignee=world.user(to), by=world.user("cluster_incharge")
    )


def login(client: Client, world: World, name: str) -> Client:
    client.force_login(world.user(name))
    return client


def flag(world: World, *keys: str) -> None:
    package = make(world.plants["BHKATS"], PREPAID, credit_limit="100")
    Customer.objects.filter(pk__in=[world.customers[k].pk for k in keys]).update(
        package=package,
        flagged_at=datetime(2026, 3, 1, tzinfo=UTC),
        flagged_outstanding=Decimal("320.00"),
    )


def test_anonymous_is_sent_to_the_sign_in(client: Client) -> None:
    for url in (HOME, FLAGGED, HOME + "new/"):
        assert client.get(url)["Location"].startswith("/field/login/?next=")


@pytest.mark.parametrize("username", NOT_FIELD)
def test_other_designations_get_403(client: Client, world: World, username) -> None:
    login(client, world, username)
    assert client.get(HOME).status_code == 403


def test_the_home_screen_links_consumer_activity(client: Client, world: World):
    html = login(client, world, "csa").get("/field/").content.decode()
    assert 'href="/field/requests/"' in html


def test_my_assigned_requests_with_execute(client: Client, world: World) -> None:
    req = assigned(world)
    response = login(client, world, "technician").get(HOME)
    assert [r.number for r in response.context["assigned"]] == [req.number]
    html = response.content.decode()
    assert f"/field/requests/{req.number}/execute/" in html
    other = login(Client(), world, "csa").get(HOME)
    assert other.context["assigned"] == []
    assert [r.number for r in other.context["raised"]] == [req.number]


def test_execute_from_the_list_once_however_often_tapped(
    client: Client, world: World
) -> None:
    req = assigned(world)
    login(client, world, "technician")
    for _ in range(2):
        r = client.post(f"{HOME}{req.number}/execute/", {"token": "tap-1"})
        assert r.status_code == 302
    req.refresh_from_db()
    assert req.state == "review"
    assert req.steps.filter(action="execute").count() == 1
    customer = Customer.objects.get(pk=world.customers["BHKATS"].pk)
    assert customer.status == "inactive"


def test_only_the_assignee_may_execute(client: Client, world: World) -> None:
    req = assigned(world)
    r = login(client, world, "csa").post(f"{HOME}{req.number}/execute/", {})
    assert r.status_code == 403
    assert Request.objects.get(pk=req.pk).state == "in_process"


def test_waiting_for_me_by_designation(world: World) -> None:
    req = raise_(world)
    state = login(Client(), world, "state_incharge").get(HOME)
    assert [r.number for r in state.context["waiting"]] == [req.number]
    cluster = login(Client(), world, "cluster_incharge").get(HOME)
    assert cluster.context["waiting"] == []
    services.request_approve(request=req, by=world.user("state_incharge"))
    cluster = login(Client(), world, "cluster_incharge").get(HOME)
    assert [r.number for r in cluster.context["waiting"]] == [req.number]


def test_the_detail_shows_only_my_steps(client: Client, world: World) -> None:
    req = assigned(world)
    url = f"{HOME}{req.number}/"
    tech = login(Client(), world, "technician").get(url)
    assert tech.context["actions"] == ["execute"]
    cluster = login(Client(), world, "cluster_incharge").get(url)
    assert cluster.context["actions"] == ["assign", "reject"]
    html = cluster.content.decode()
    assert "/execute/" not in html and "/assign/" in html
    assert login(Client(), world, "sika_csa").get(url).status_code == 404


def test_reassign_and_send_back_from_the_field(client: Client, world: World):
    req = assigned(world)
    url = f"{HOME}{req.number}/"
    login(client, world, "cluster_incharge")
    client.post(url + "assign/", {"assignee": "csa", "token": "a"})
    req.refresh_from_db()
    assert req.assigned_to == world.user("csa")
    bad = client.post(url + "assign/", {"assignee": "sika_csa", "token": "b"})
    assert bad.status_code == 302
    page = client.get(url).content.decode()
    assert "This person does not work at the plant." in page
    login(Client(), world, "csa").post(url + "execute/", {"token": "c"})
    client.post(url + "reject/", {"reason": "meter still on", "token": "d"})
    req.refresh_from_db()
    assert (req.state, req.assigned_to) == ("in_process", world.user("csa"))


def test_raise_a_request_and_a_double_submit(client: Client, world: World):
    login(client, world, "technician")
    form = client.get(HOME + "new/?customer=BHKATS00101")
    assert [c for c, _ in form.context["form"].fields["plant"].choices] == ["BHKATS"]
    data = {
        "plant": "BHKATS",
        "kind": "deactivation",
        "customer": "BHKATS00101",
        "reason": "customer_wish",
        "comments": "moving away",
        "token": "field-1",
    }
    first = client.post(HOME + "new/", data)
    second = client.post(HOME + "new/", data)
    req = Request.objects.get()
    assert first["Location"] == second["Location"] == f"{HOME}{req.number}/"
    assert req.payload == {"reason": "customer_wish", "ban": False}


def test_a_refused_raise_says_why(client: Client, world: World) -> None:
    login(client, world, "csa")
    data = {
        "plant": "BHKATS",
        "kind": "reactivation",
        "customer": "BHKATS00101",
        "reason": "other",
        "token": "field-2",
    }
    response = client.post(HOME + "new/", data)
    assert "Only an inactive or banned customer is re-activated." in (
        response.content.decode()
    )
    assert not Request.objects.exists()


def test_to_deactivate_lists_my_plants_flags(client: Client, world: World):
    flag(world, "BHKATS", "BHSIKA")
    response = login(client, world, "csa").get(FLAGGED)
    html = response.content.decode()
    assert response.context["total"] == 1
    assert "BHKATS00101" in html and "BHSIKA00101" not in html
    assert "320.00" in html
    assert "/field/flagged/BHKATS00101/raise/" in html
    assert login(Client(), world, "csa").get(FLAGGED + "?plant=BHSIKA").status_code == (
        404
    )


def test_one_tap_raises_a_deactivation_request(client: Client, world: World):
    flag(world, "BHKATS")
    login(client, world, "operator")
    url = "/field/flagged/BHKATS00101/raise/"
    first = client.post(url, {"token": "flag-1"})
    again = client.post(url, {"token": "flag-1"})
    req = Request.objects.get()
    assert first["Location"] == again["Location"] == f"{HOME}{req.number}/"
    assert (req.kind, req.payload) == (
        "deactivation",
        {"reason": "non_payment", "ban": False},
    )
    assert req.comments == "Over the credit limit: 320.00 due."
    html = client.get(FLAGGED).content.decode()
    assert req.number in html and url not in html
    other = client.post(url, {"token": "flag-2"}, follow=True)
    assert "already has an open status request" in other.content.decode()


def test_one_tap_outside_the_scope_is_404(client: Client, world: World) -> None:
    flag(world, "BHSIKA")
    r = login(client, world, "csa").post("/field/flagged/BHSIKA00101/raise/", {})
    assert r.status_code == 404
    assert not Request.objects.exists()


def test_the_screens_speak_hindi(client: Client, world: World) -> None:
    login(client, world, "csa")
    client.cookies["django_language"] = "hi"
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert "मुझे सौंपे गए" in html
