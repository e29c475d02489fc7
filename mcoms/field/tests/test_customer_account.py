"""The field app's account page (Profile tab, history) and the pencil edit
that the customer confirms by code; search by every key; page weight."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from mcoms.customers.models import Customer, ProfileChange
from mcoms.customers.tests.profile_helpers import NEW, OLD, code_sent_to, wrong
from mcoms.field.tests.helpers import NOT_FIELD
from mcoms.metering.models import Meter, MeterAssignment
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World

URL = "/field/consumers/BHKATS00101/"
FORM = {
    "name": "Customer BHKATS",
    "phone": OLD,
    "alt_phone": "",
    "address": "",
    "language": "hi",
    "segment": "household",
    "token": "t-1",
}


def signed_in(client: Client, world: World, username: str = "csa") -> Client:
    client.force_login(world.user(username))
    return client


@pytest.mark.parametrize("username", NOT_FIELD)
def test_other_designations_get_403(client: Client, world: World, username):
    assert signed_in(client, world, username).get(URL).status_code == 403


def test_outside_the_scope_is_404(client: Client, world: World) -> None:
    client = signed_in(client, world)
    assert client.get("/field/consumers/BHSIKA00101/").status_code == 404
    assert client.get("/field/consumers/BHSIKA00101/edit/").status_code == 404


def test_the_profile_tab_is_small(client: Client, world: World) -> None:
    customer = world.customers["BHKATS"]
    package = make(world.plants["BHKATS"], PREPAID)
    Customer.objects.filter(pk=customer.pk).update(package=package)
    meter = Meter.objects.create(
        company=world.company,
        plant=world.plants["BHKATS"],
        serial="LL-5",
        kind="load_limiter",
        location="installed",
        state="assigned",
    )
    MeterAssignment.objects.create(
        meter=meter, customer=customer, assigned_at=timezone.now()
    )
    response = signed_in(client, world).get(URL)
    html = response.content.decode()
    for text in ["Customer BHKATS", "tel:+919800000001", "LL-5", package.package_id]:
        assert text in html
    assert "17 W" in html and "160.00/30" in html
    assert len(response.content) < 50_000


def test_an_operator_sees_no_pencil(client: Client, world: World) -> None:
    html = signed_in(client, world, "operator").get(URL).content.decode()
    assert "/edit/" not in html
    response = client.post(URL + "edit/", FORM | {"address": "x"})
    assert response.status_code == 403
    assert not ProfileChange.objects.exists()


def test_edit_then_confirm_with_the_customers_codes(client: Client, world: World):
    client = signed_in(client, world)
    assert client.get(URL + "edit/").status_code == 200
    response = client.post(URL + "edit/", FORM | {"phone": NEW, "address": "Ward 3"})
    assert response.status_code == 302
    client.post(URL + "edit/", FORM | {"phone": NEW, "address": "Ward 3"})  # twice
    change = ProfileChange.objects.get()  # the token made it once
    page = client.get(URL).content.decode()
    assert "Ward 3" in page and f"Code sent to {NEW}" in page
    action = f"{URL}changes/{change.pk}/confirm/"
    client.post(
        action,
        {"code_registered": code_sent_to(OLD), "code_new": wrong(code_sent_to(NEW))},
    )
    assert str(Customer.objects.get(pk=change.customer_id).phone) == OLD
    assert "Wrong code" in client.get(URL).content.decode()
    client.post(action, {"code_new": code_sent_to(NEW)})
    customer = Customer.objects.get(pk=change.customer_id)
    assert (str(customer.phone), customer.address) == (NEW, "Ward 3")
    html = client.get(URL).content.decode()
    assert "mobile number: <del>+919800000001</del>" in html  # the history
    assert f"<ins>{NEW}</ins>" in html


def test_a_bad_number_is_shown_at_its_field(client: Client, world: World) -> None:
    response = signed_in(client, world).post(URL + "edit/", FORM | {"phone": "1"})
    assert response.context["form"].errors["phone"] == [
        "Enter a valid 10-digit mobile number."
    ]
    assert not ProfileChange.objects.exists()


def test_cancel(client: Client, world: World) -> None:
    client = signed_in(client, world)
    client.post(URL + "edit/", FORM | {"address": "Ward 3"})
    change = ProfileChange.objects.get()
    client.post(f"{URL}changes/{change.pk}/cancel/")
    change.refresh_from_db()
    assert change.state == "cancelled"
    assert client.post(f"{URL}changes/{change.pk}/other/").status_code == 404


@pytest.mark.parametrize(
    "q", ["customer bhk", "BHKATS001", "98000 00001", "LL-5", "A1.1(NN)/17/160"]
)
def test_search_by_each_key(client: Client, world: World, q: str) -> None:
    customer = world.customers["BHKATS"]
    package = make(world.plants["BHKATS"], PREPAID)
    Customer.objects.filter(pk=customer.pk).update(package=package)
    meter = Meter.objects.create(
        company=world.company,
        plant=world.plants["BHKATS"],
        serial="LL-5",
        kind="load_limiter",
        location="installed",
        state="assigned",
    )
    MeterAssignment.objects.create(
        meter=meter, customer=customer, assigned_at=timezone.now()
    )
    html = signed_in(client, world).get("/field/consumers/", {"q": q}).content
    assert b'href="/field/consumers/BHKATS00101/"' in html


def test_in_hindi(client: Client, world: World) -> None:
    client = signed_in(client, world)
    client.cookies["django_language"] = "hi"
    client.post(URL + "edit/", FORM | {"address": "Ward 3"})
    html = client.get(URL).content.decode()
    assert "ग्राहक के कोड की प्रतीक्षा" in html  # waiting for the customer's code
    assert "नए कोड भेजें" in html  # send new codes
    assert "पता" in html  # the field "address" in the change
