"""The demo's card / UPI flow through the simulator gateway: a checkout
session, the simulator's hosted page, "Pay" sends the signed webhook and
brings the payer back with signed parameters; one payment. "Decline" pays
nothing. Who may start a checkout for whom."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client

from mcoms.payments.models import CheckoutSession, EventState, Payment, ProviderEvent
from tests.builders import World

URL = "/api/v1/payments/checkout/"


def start(
    client,
    customer: str = "BHKATS00101",
    channel: str = "upi",
    key: str = "s-1",
    amount: str = "99.50",
):
    return client.post(
        URL,
        {"customer": customer, "amount": amount, "channel": channel, "service": "CHG"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_pay_on_the_simulator_page(world: World, client_for) -> None:
    response = start(client_for("c+919800000001"))
    assert response.status_code == 201, response.json()
    session = response.json()
    assert session["provider"] == "simulator" and session["state"] == "created"
    assert start(client_for("c+919800000001")).json() == session  # a retry
    page_url = session["checkout_url"]
    browser = Client()
    page = browser.get(page_url)
    assert page.status_code == 200 and b"99.50" in page.content
    done = browser.post(page_url, {"outcome": "pay"})
    assert done.status_code == 302
    back = urlsplit(done["Location"])
    assert back.path == "/payments/return/simulator/tara/"
    shown = browser.get(done["Location"])
    assert b"Payment received" in shown.content
    payment = Payment.objects.get()
    assert (payment.amount, payment.channel, payment.service, payment.provider) == (
        Decimal("99.50"),
        "upi",
        "CHG",
        "simulator",
    )
    assert CheckoutSession.objects.get().state == "paid"
    kinds = sorted(ProviderEvent.objects.values_list("kind", "error_code"))
    assert kinds == [("return", "replay"), ("webhook", "")]


def test_decline_pays_nothing(world: World, client_for) -> None:
    session = start(client_for("csa"), channel="card").json()
    browser = Client()
    done = browser.post(session["checkout_url"], {"outcome": "decline"})
    shown = browser.get(done["Location"])
    assert b"not completed" in shown.content
    assert Payment.objects.count() == 0
    event = ProviderEvent.objects.get()
    assert (event.state, event.error_code) == (EventState.PROCESSED, "event_ignored")


def test_the_simulator_page_refuses_foreign_return_addresses(
    world: World, client_for
) -> None:
    session = start(client_for("csa")).json()
    path = urlsplit(session["checkout_url"]).path
    response = Client().get(path, {"callback_url": "https://evil.example/steal"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("user", "customer", "status"),
    [
        ("c+919800000001", "BHSIKA00101", 404),
        ("csa", "BHSIKA00101", 404),
        ("operator", "BHKATS00101", 403),
        ("admin", "UPGORA00101", 201),
    ],
)
def test_who_may_start_a_checkout(
    world: World, client_for, user: str, customer: str, status: int
) -> None:
    assert start(client_for(user), customer=customer).status_code == status


def test_bad_checkout_input(world: World, client_for) -> None:
    assert start(client_for("csa"), amount="0").json()["code"] == "amount_not_positive"
    assert start(client_for("csa"), channel="cash").status_code == 400
    assert CheckoutSession.objects.count() == 0


def test_the_simulator_off_means_no_gateway(world: World, client_for, settings) -> None:
    settings.PAYMENT_SIMULATOR = False
    response = start(client_for("csa"))
    assert response.status_code == 400
    assert response.json()["code"] == "provider_unavailable"
