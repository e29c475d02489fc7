"""Profile changes over the API: staff proposals confirmed by the customer's
codes, a customer's own edits with their token, the refusals with their codes,
idempotent retries; the Profile tab, the history and the search."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from mcoms.customers.models import Customer, ProfileChange
from mcoms.customers.tests.profile_helpers import NEW, OLD, code_sent_to, wrong
from mcoms.metering.models import Meter, MeterAssignment
from mcoms.notifications.models import Message
from mcoms.packages.tests.factories import METERED, make
from tests.builders import World

BASE = "/api/v1/customers/BHKATS00101/"
CHANGES = BASE + "profile-changes/"
CUSTOMER = "c+919800000001"


def post(client: APIClient, url: str, body: dict[str, Any] | None = None, key=None):
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    return client.post(url, body or {}, format="json", headers=headers)


@pytest.fixture
def proposed(world: World, client_for) -> dict[str, Any]:
    response = post(client_for("csa"), CHANGES, {"address": "Ward 4"}, "p-1")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_staff_change_waits_for_the_code(world: World, client_for, proposed):
    assert (proposed["state"], proposed["source"]) == ("pending", "staff")
    assert proposed["changes"] == {"address": ["", "Ward 4"]}
    assert (proposed["needs_code_registered"], proposed["needs_code_new"]) == (
        True,
        False,
    )
    again = post(client_for("csa"), CHANGES, {"address": "Ward 4"}, "p-1")
    assert again.status_code == 200 and again.json()["id"] == proposed["id"]
    body = client_for("csa").get(BASE).json()
    assert body["address"] == "" and body["pending_change"]["id"] == proposed["id"]


def test_a_wrong_code_then_the_right_one(world: World, client_for, proposed):
    url = f"{CHANGES}{proposed['id']}/confirm/"
    client = client_for("csa")
    bad = post(client, url, {"code_registered": wrong(code_sent_to(OLD))})
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"]) == ("otp_wrong", "code_registered")
    assert client.get(BASE).json()["address"] == ""
    good = post(client, url, {"code_registered": code_sent_to(OLD)})
    assert good.status_code == 200 and good.json()["state"] == "confirmed"
    assert client.get(BASE).json()["address"] == "Ward 4"
    history = client.get(BASE + "history/").json()
    assert history[0]["who"] == "csa"
    assert history[0]["changes"] == [{"field": "address", "old": "—", "new": "Ward 4"}]


def test_a_post_without_a_key_is_refused(world: World, client_for) -> None:
    response = client_for("csa").post(CHANGES, {"address": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert not ProfileChange.objects.exists()


@pytest.mark.parametrize(
    ("username", "status"),
    [("operator", 403), ("sika_csa", 404)],
)
def test_who_may_not_propose(world: World, client_for, username, status) -> None:
    response = post(client_for(username), CHANGES, {"address": "x"})
    assert response.status_code == status
    assert not ProfileChange.objects.exists()


def test_the_same_id_in_another_company_is_another_customer(
    world: World, client_for
) -> None:
    response = post(client_for("other_admin"), CHANGES, {"address": "x"})
    assert response.status_code == 201
    change = ProfileChange.objects.get()
    assert change.customer == world.customers["other"]
    assert change.company == world.other_company


def test_an_outsider_cannot_confirm_or_see_a_change(
    world: World, client_for, proposed
) -> None:
    url = f"{CHANGES}{proposed['id']}/"
    assert client_for("sika_csa").get(url).status_code == 404
    response = post(client_for("operator"), url + "cancel/")
    assert response.status_code == 403
    assert client_for("csa").get(url).json()["state"] == "pending"


def test_the_customer_edits_with_their_own_token(world: World, client_for) -> None:
    client = client_for(CUSTOMER)
    response = post(client, CHANGES, {"address": "Ward 9", "language": "en"})
    assert response.status_code == 201
    assert (response.json()["state"], response.json()["source"]) == (
        "confirmed",
        "customer",
    )
    customer = Customer.objects.get(customer_id="BHKATS00101", company=world.company)
    assert (customer.address, customer.language) == ("Ward 9", "en")
    name = post(client, CHANGES, {"name": "New name"})
    assert (name.status_code, name.json()["code"]) == (400, "field_not_editable")


def test_a_customer_cannot_touch_another_account(world: World, client_for) -> None:
    client = client_for(CUSTOMER)
    response = post(
        client, "/api/v1/customers/UPGORA00101/profile-changes/", {"address": "x"}
    )
    assert response.status_code == 404
    assert not ProfileChange.objects.exists()


def test_a_customers_new_number_waits_for_its_code(world: World, client_for):
    client = client_for(CUSTOMER)
    change = post(client, CHANGES, {"phone": NEW}).json()
    assert (change["needs_code_registered"], change["needs_code_new"]) == (
        False,
        True,
    )
    done = post(
        client, f"{CHANGES}{change['id']}/confirm/", {"code_new": code_sent_to(NEW)}
    )
    assert done.json()["state"] == "confirmed"
    # The account moved to the new number's sign-in: the old token no longer
    # sees it, the new number's user does.
    assert client.get(BASE).status_code == 404
    assert client_for(f"c{NEW}").get(BASE).json()["phone"] == NEW


def test_cancel_then_confirm_is_409(world: World, client_for, proposed) -> None:
    url = f"{CHANGES}{proposed['id']}/"
    cancelled = post(client_for(CUSTOMER), url + "cancel/")  # the customer declines
    assert cancelled.json()["state"] == "cancelled"
    response = post(client_for("csa"), url + "confirm/", {"code_registered": "1"})
    assert (response.status_code, response.json()["code"]) == (
        409,
        "profile_change_closed",
    )


def test_an_expired_change_is_409(world: World, client_for, proposed) -> None:
    past = timezone.now() - timedelta(minutes=1)
    ProfileChange.objects.filter(pk=proposed["id"]).update(expires_at=past)
    url = f"{CHANGES}{proposed['id']}/confirm/"
    response = post(client_for("csa"), url, {"code_registered": code_sent_to(OLD)})
    assert (response.status_code, response.json()["code"]) == (
        409,
        "profile_change_expired",
    )
    assert client_for("csa").get(f"{CHANGES}{proposed['id']}/").json()["state"] == (
        "expired"
    )


def test_resend_once_per_key(world: World, client_for, proposed) -> None:
    url = f"{CHANGES}{proposed['id']}/resend/"
    for _ in range(2):
        assert post(client_for("csa"), url, key="again").status_code == 200
    assert Message.objects.filter(phone=OLD, template="otp_verify").count() == 2


def test_the_profile_tab(world: World, client_for) -> None:
    customer = world.customers["BHKATS"]
    package = make(world.plants["BHKATS"], METERED)
    Customer.objects.filter(pk=customer.pk).update(package=package)
    meter = Meter.objects.create(
        company=world.company,
        plant=world.plants["BHKATS"],
        serial="CM-1001",
        kind="conventional",
        location="installed",
        state="assigned",
    )
    MeterAssignment.objects.create(
        meter=meter, customer=customer, assigned_at=timezone.now()
    )
    body = client_for("technician").get(BASE).json()
    assert (body["feeder"], body["segment"], body["pending_change"]) == (
        "F1",
        "household",
        None,
    )
    assert body["package"]["package_id"] == package.package_id
    assert (body["package"]["load_w"], body["package"]["rate_per_kwh"]) == (
        500,
        "8.5000",
    )
    assert body["meter"]["serial"] == "CM-1001"
    found = client_for("csa").get("/api/v1/customers/", {"q": "cm-1001"})
    assert [c["customer_id"] for c in found.json()["results"]] == ["BHKATS00101"]
    assert found["X-More-Results"] == "false"
    by_package = client_for("csa").get("/api/v1/customers/", {"q": package.package_id})
    assert by_package.json()["count"] == 1


def test_search_with_a_plant_outside_the_scope_is_404(world: World, client_for):
    response = client_for("csa").get(
        "/api/v1/customers/", {"q": "x", "plant": "UPGORA"}
    )
    assert response.status_code == 404
