"""New Connection Request in the customer app (manual 4.2.1): signed out
(number, code, form, reference), signed in (another connection for me, or a
referral for someone else), every refusal next to its field, in Hindi too."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from mcoms.acquisition.models import Prospect
from mcoms.notifications.models import Message
from mcoms.selfcare.tests.helpers import STAFF, customer_user, latest_code
from tests.builders import World

START = "/selfcare/connection/"
VERIFY = "/selfcare/connection/verify/"
DETAILS = "/selfcare/connection/details/"
DONE = "/selfcare/connection/done/"
NEW = "+919876511111"  # the number of the person who wants a connection


def ask_code(client: Client, phone: str = "98765 11111") -> Any:
    return client.post(START, {"phone": phone})


def prove(client: Client, phone: str = NEW) -> Any:
    ask_code(client, phone)
    return client.post(VERIFY, {"code": latest_code(phone)})


def request_data(world: World, **over: Any) -> dict[str, Any]:
    return {
        "token": str(uuid.uuid4()),
        "name": "Kamla Devi",
        "plant": str(world.plants["BHKATS"].pk),
        "pole": "2",
        "needs": "3 lights and a fan",
        "segment": "household",
        "address": "Near the school",
    } | over


def errors(response: Any, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- signed out ---------------------------------------------------------------------
def test_a_signed_out_person_requests_a_connection(client: Client, world) -> None:
    assert (
        'href="/selfcare/connection/"'
        in client.get("/selfcare/login/").content.decode()
    )
    response = ask_code(client)
    assert response["Location"] == VERIFY
    sms = Message.objects.filter(phone=NEW).latest("pk")
    assert sms.channel == "sms"
    response = client.post(VERIFY, {"code": latest_code(NEW)})
    assert response["Location"] == DETAILS
    html = client.get(DETAILS).content.decode()
    assert NEW in html and "Kats (BHKATS)" in html
    response = client.post(DETAILS, request_data(world))
    assert response["Location"] == DONE
    prospect = Prospect.objects.get()
    done = client.get(DONE).content.decode()
    assert f"data-ref>{prospect.ref}</strong>" in done
    assert prospect.ref == "P-BHKATS-000001"
    assert (prospect.name, str(prospect.phone)) == ("Kamla Devi", NEW)
    assert (prospect.stage, prospect.channel) == ("acquisition", "self")
    assert prospect.deferred == ["survey", "marketing"]
    assert prospect.phone_verified_at is not None
    assert prospect.requested_by is None and prospect.referrer is None
    note = prospect.events.get(stage="acquisition").note
    assert note == "Nearest pole (from the customer): 2. Needs: 3 lights and a fan"
    assert Message.objects.filter(phone=NEW, template="acq_request_received").exists()


def test_the_form_needs_a_proved_number(client: Client, world) -> None:
    assert client.get(DETAILS)["Location"] == START
    ask_code(client)  # a code sent, not entered
    assert client.get(DETAILS)["Location"] == START
    assert client.post(DETAILS, request_data(world))["Location"] == START
    assert not Prospect.objects.exists()


def test_a_proof_expires(client: Client, world, monkeypatch) -> None:
    prove(client)
    monkeypatch.setattr("mcoms.selfcare.connection.VERIFIED_FOR", -1)
    assert client.get(DETAILS)["Location"] == START


def test_a_wrong_code_is_refused_next_to_the_field(client: Client, world) -> None:
    ask_code(client)
    wrong = "000000" if latest_code(NEW) != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert errors(response, "code") == ["Wrong code. Check the SMS and try again."]
    assert client.get(DETAILS)["Location"] == START


def test_a_bad_number_is_refused(client: Client, world) -> None:
    response = ask_code(client, "12345")
    assert errors(response, "phone") == ["Enter a valid 10-digit mobile number."]
    assert not Message.objects.exists()


def test_a_sent_request_cannot_be_sent_again_with_the_same_proof(
    client: Client, world
) -> None:
    prove(client)
    data = request_data(world)
    first = client.post(DETAILS, data)
    second = client.post(DETAILS, data)  # a second tap on Send
    assert first["Location"] == second["Location"] == DONE
    assert Prospect.objects.count() == 1
    third = client.post(DETAILS, request_data(world))  # a new form: prove again
    assert third["Location"] == START
    assert Prospect.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"plant": "999999"}, "plant", "Select a valid choice."),
        ({"segment": "palace"}, "segment", "Select a valid choice."),
    ],
)
def test_form_refusals(
    client: Client, world, change: dict[str, str], field: str, text: str
) -> None:
    prove(client)
    response = client.post(DETAILS, request_data(world, **change))
    assert response.status_code == 200
    assert any(e.startswith(text) for e in errors(response, field))
    assert not Prospect.objects.exists()


def test_another_companys_plant_is_offered_separately(client: Client, world) -> None:
    prove(client)
    html = client.get(DETAILS).content.decode()
    assert "Kats (BHKATS) · Tara Urja Demo" in html
    assert "Kats (BHKATS) · Other Power" in html


def test_refusals_in_hindi(client: Client, world) -> None:
    client.cookies["django_language"] = "hi"
    response = ask_code(client, "12345")
    assert "मोबाइल नंबर" in errors(response, "phone")[0]
    prove(client)
    html = client.get(DETAILS).content.decode()
    assert "गाँव (प्लांट)" in html and "अनुरोध भेजें" in html


# --- signed in ----------------------------------------------------------------------
def signed_in(world: World) -> Client:
    client = Client()
    client.force_login(customer_user(world))
    return client


def test_a_customer_asks_for_another_connection_of_their_own(world) -> None:
    client = signed_in(world)
    dashboard = client.get("/selfcare/", follow=True).content.decode()
    assert 'href="/selfcare/connection/"' in dashboard
    html = client.get(START).content.decode()
    assert 'href="/selfcare/connection/me/"' in html
    assert client.get("/selfcare/connection/me/")["Location"] == DETAILS
    details = client.get(DETAILS)
    assert details.context["form"].initial["name"] == "Customer BHKATS"
    assert "referrer" not in details.context["form"].fields
    client.post(DETAILS, request_data(world, name="Customer BHKATS"))
    prospect = Prospect.objects.get()
    user = customer_user(world)
    assert (str(prospect.phone), prospect.channel) == (str(user.phone), "self")
    assert prospect.requested_by == user
    assert not Message.objects.filter(template="otp_verify").exists()  # no code
    listed = client.get(START).content.decode()
    assert prospect.ref in listed and "My connection requests" in listed


def test_a_customer_refers_someone_else(world) -> None:
    client = signed_in(world)
    prove(client)
    response = client.get(DETAILS)
    assert list(response.context["form"].fields["referrer"].choices) == [
        ("BHKATS00101", "BHKATS00101")
    ]
    client.post(DETAILS, request_data(world, referrer="BHKATS00101"))
    prospect = Prospect.objects.get()
    assert (prospect.channel, prospect.referrer) == (
        "referral",
        world.customers["BHKATS"],
    )
    assert str(prospect.phone) == NEW
    assert prospect.requested_by == customer_user(world)


def test_a_customer_may_refer_only_from_their_own_account(world) -> None:
    client = signed_in(world)
    prove(client)
    response = client.post(DETAILS, request_data(world, referrer="BHSIKA00101"))
    assert any(
        e.startswith("Select a valid choice.") for e in errors(response, "referrer")
    )
    assert not Prospect.objects.exists()


def test_a_customer_sees_only_their_companys_plants(world) -> None:
    client = signed_in(world)
    client.get("/selfcare/connection/me/")
    html = client.get(DETAILS).content.decode()
    assert "Kats (BHKATS)" in html and "Other Power" not in html


@pytest.mark.parametrize("username", STAFF)
def test_staff_are_refused(world, username: str) -> None:
    client = Client()
    client.force_login(world.user(username))
    for url in [START, VERIFY, DETAILS, DONE]:
        assert client.get(url).status_code == 403, url


def test_done_without_a_request_goes_to_the_start(client: Client) -> None:
    assert client.get(DONE)["Location"] == START
