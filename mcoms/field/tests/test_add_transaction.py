"""Add Transaction in the field app: outstanding by service shown, amount and
service entered, a review step that shows where the money goes, save once
(double taps and resends carry the form's UUID), bad input next to the field
with nothing saved, scope (404) and designation (403), page weight."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from mcoms.ledger.models import Journal
from mcoms.payments.models import Payment
from mcoms.payments.tests.kit import charge
from tests.builders import World

URL = "/field/consumers/BHKATS00101/pay/"


def signed_in(client: Client, world: World, username: str = "csa") -> Client:
    client.force_login(world.user(username))
    return client


def drawn_key(html: str) -> str:
    match = re.search(r'name="client_key" value="([0-9a-f-]{36})"', html)
    assert match, html
    return match.group(1)


def test_the_form_shows_what_is_owed_per_service(client: Client, world: World) -> None:
    charge(world.customers["BHKATS"], "CHG", "180.00")
    charge(world.customers["BHKATS"], "WATER", "20.00")
    page = signed_in(client, world).get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Energy charges" in html and "180.00" in html and "20.00" in html
    assert "Oldest charges first" in html
    assert len(page.content) < 50_000
    uuid.UUID(drawn_key(html))


def test_review_then_save_then_the_saved_page(client: Client, world: World) -> None:
    charge(world.customers["BHKATS"], "CHG", "180.00")
    charge(world.customers["BHKATS"], "WATER", "20.00")
    client = signed_in(client, world)
    key = drawn_key(client.get(URL).content.decode())
    form = {"amount": "190", "service": "", "client_key": key}
    review = client.post(URL, {**form, "step": "review"})
    html = review.content.decode()
    assert review.status_code == 200 and "Review" in html
    assert "190.00" in html and "Oldest charges first" in html
    assert Payment.objects.count() == 0  # nothing saved yet
    saved = client.post(URL, {**form, "amount": "190.00", "step": "save"})
    payment = Payment.objects.get()
    assert (
        saved.status_code == 302
        and saved["Location"] == f"/field/payments/{payment.uid}/"
    )
    again = client.post(URL, {**form, "amount": "190.00", "step": "save"})  # double tap
    assert again["Location"] == saved["Location"]
    assert Payment.objects.count() == 1 and Journal.objects.count() == 3
    page = client.get(saved["Location"]).content.decode()
    assert "Payment saved" in page and "190.00" in page
    assert dict(payment.allocations.values_list("service", "amount")) == {
        "CHG": Decimal("180.00"),
        "WATER": Decimal("10.00"),
    }
    assert "10.00" in page  # water still owed


def test_change_goes_back_to_the_form_with_the_values(
    client: Client, world: World
) -> None:
    client = signed_in(client, world)
    form = {"amount": "55", "service": "WATER", "client_key": str(uuid.uuid4())}
    back = client.post(URL, {**form, "step": "change"}).content.decode()
    assert 'value="55"' in back and form["client_key"] in back
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-20", "more than zero"),
        ("abc", "must be a number"),
        ("10.555", "at most 2 decimals"),
        ("", "This field is required"),
    ],
)
def test_bad_amounts_show_next_to_the_field(
    client: Client, world: World, amount: str, message: str
) -> None:
    client = signed_in(client, world)
    for step in ("review", "save"):
        response = client.post(
            URL, {"amount": amount, "client_key": str(uuid.uuid4()), "step": step}
        )
        html = response.content.decode()
        assert response.status_code == 200 and message in html
        assert 'aria-invalid="true"' in html or "errorlist" in html
    assert Payment.objects.count() == 0 and Journal.objects.count() == 0


def test_outside_the_scope_is_404_and_operators_get_403(
    client: Client, world: World
) -> None:
    client = signed_in(client, world)
    assert client.get("/field/consumers/BHSIKA00101/pay/").status_code == 404
    assert (
        client.post(
            "/field/consumers/BHSIKA00101/pay/",
            {"amount": "10", "client_key": str(uuid.uuid4()), "step": "save"},
        ).status_code
        == 404
    )
    assert signed_in(Client(), world, "operator").get(URL).status_code == 403
    assert Payment.objects.count() == 0


def test_the_saved_page_follows_the_scope(client: Client, world: World) -> None:
    client = signed_in(client, world, "admin")
    client.post(
        "/field/consumers/BHSIKA00101/pay/",
        {"amount": "10", "client_key": str(uuid.uuid4()), "step": "save"},
    )
    uid = Payment.objects.get().uid
    assert client.get(f"/field/payments/{uid}/").status_code == 200
    assert (
        signed_in(Client(), world, "csa").get(f"/field/payments/{uid}/").status_code
        == 404
    )


def test_the_account_page_links_add_transaction_for_collectors(
    client: Client, world: World
) -> None:
    page = signed_in(client, world).get("/field/consumers/BHKATS00101/")
    assert URL in page.content.decode()
    page = signed_in(Client(), world, "operator").get("/field/consumers/BHKATS00101/")
    assert URL not in page.content.decode()
