"""Field app Bank Deposit: the agent's cash in hand, registering a deposit
with the slip photo (once per form, refusals next to the field, nothing
written), the deposit and its slip, In Hand Cash and the review; scope."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mcoms.cash.models import BankDeposit
from mcoms.cash.services import bank_deposit_reject
from mcoms.cash.tests.kit import deposit, slip_junk, slip_pdf, slip_png, take_cash
from mcoms.ledger.models import Journal
from tests.builders import World

BUDGET = 50 * 1024


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def csa(world: World) -> Client:
    take_cash(world.customers["BHKATS"], world.user("csa"), "600")
    client = Client()
    client.force_login(world.user("csa"))
    return client


def data(amount: str, slip: Any = None, key: str | None = None) -> dict[str, Any]:
    return {
        "plant": "BHKATS",
        "amount": amount,
        "deposited_on": timezone.localdate().isoformat(),
        "bank": "SBI Katsa",
        "reference": "A-9",
        "slip": slip or slip_png(),
        "client_key": key or str(uuid.uuid4()),
    }


def test_the_tab_shows_the_cash_in_hand(world: World, csa: Client) -> None:
    page = csa.get("/field/bank-deposit/")
    html = page.content.decode()
    assert page.status_code == 200 and "data-in-hand>600.00<" in html
    assert len(page.content) < BUDGET
    form = csa.get("/field/bank-deposit/new/").content.decode()
    assert 'capture="environment"' in form and 'name="client_key"' in form


def test_a_deposit_registered_once_per_form(world: World, csa: Client) -> None:
    key = str(uuid.uuid4())
    first = csa.post("/field/bank-deposit/new/", data("250", slip_pdf(), key))
    made = BankDeposit.objects.get()
    assert (
        first.status_code == 302
        and first["Location"] == f"/field/bank-deposit/{made.uid}/"
    )
    again = csa.post("/field/bank-deposit/new/", data("250", slip_pdf(), key))
    assert again["Location"] == first["Location"]
    assert BankDeposit.objects.count() == 1
    assert "data-in-hand>350.00<" in csa.get("/field/bank-deposit/").content.decode()
    slip = csa.get(f"/field/bank-deposit/{made.uid}/slip/")
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (data("600.01"), "You hold 600.00 in cash"),
        (data("10", slip_junk()), "JPEG, PNG or WebP"),
        (data("abc"), "must be a number"),
    ],
)
def test_a_refused_deposit_changes_nothing(
    world: World, csa: Client, body: dict[str, Any], text: str
) -> None:
    journals = Journal.objects.count()
    page = csa.post("/field/bank-deposit/new/", body)
    assert page.status_code == 200 and text in page.content.decode()
    assert BankDeposit.objects.count() == 0 and Journal.objects.count() == journals


def test_designations_and_scope(world: World, csa: Client) -> None:
    made = deposit(world.user("csa"), world.plants["BHKATS"], "100")
    for username, status in [("technician", 403), ("operator", 403), ("sika_csa", 404)]:
        client = Client()
        client.force_login(world.user(username))
        assert client.get(f"/field/bank-deposit/{made.uid}/").status_code == status
    tech = Client()
    tech.force_login(world.user("technician"))
    assert tech.get("/field/bank-deposit/new/").status_code == 403


def test_in_hand_cash_and_the_review(world: World, csa: Client) -> None:
    made = deposit(world.user("csa"), world.plants["BHKATS"], "100")
    bank_deposit_reject(
        deposit=made, reason="No slip match", by=world.user("ho_manager")
    )
    in_hand = csa.get("/field/bank-deposit/in-hand/").content.decode()
    assert "data-total>600.00<" in in_hand
    review = csa.get("/field/bank-deposit/review/").content.decode()
    assert 'data-kind="rejected"' in review
