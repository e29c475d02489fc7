"""Back-office cash pages: In Hand Cash, the deposits and their slips,
registering a deposit (refusals shown at the field, nothing written), head
office's Verify and Reject, the review with its anomalies, the limit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mcoms.cash.models import BankDeposit, CashLimit
from mcoms.cash.tests.kit import deposit, slip_junk, slip_png, take_cash
from tests.builders import World

AsUser = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def books(world: World) -> World:
    take_cash(world.customers["BHKATS"], world.user("cluster_incharge"), "900")
    take_cash(world.customers["BHKATS"], world.user("csa"), "400")
    deposit(world.user("csa"), world.plants["BHKATS"], "150")
    return world


def form(amount: str, slip: Any = None, **more: str) -> dict[str, Any]:
    return {
        "plant": "BHKATS",
        "amount": amount,
        "deposited_on": timezone.localdate().isoformat(),
        "bank": "SBI Katsa",
        "reference": "77",
        "slip": slip or slip_png(),
        "client_key": str(uuid.uuid4()),
        **more,
    }


def test_in_hand_cash_per_plant_and_agent(books: World, as_user: AsUser) -> None:
    page = as_user("state_incharge").get("/backoffice/cash/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-agent="csa"' in html and 'data-agent="cluster_incharge"' in html
    assert "1150.00" in html  # 900 + 400 - 150
    assert (
        as_user("ho_manager").get("/backoffice/cash/?plant=BHSIKA").status_code == 200
    )
    assert (
        as_user("cluster_incharge").get("/backoffice/cash/?plant=BHSIKA").status_code
        == 404
    )


def test_registering_a_deposit(books: World, as_user: AsUser) -> None:
    client = as_user("cluster_incharge")
    assert "900.00" in client.get("/backoffice/cash/deposits/new/").content.decode()
    done = client.post("/backoffice/cash/deposits/new/", form("500"))
    assert done.status_code == 302
    made = BankDeposit.objects.get(agent=books.user("cluster_incharge"))
    assert done["Location"] == f"/backoffice/cash/deposits/{made.uid}/"
    assert made.amount == 500


@pytest.mark.parametrize(
    ("data", "field", "code_text"),
    [
        (form("900.01"), "amount", "You hold 900.00 in cash"),
        (form("10", slip=slip_junk()), "slip", "JPEG, PNG or WebP"),
        (form("0"), "amount", "more than zero"),
        (form("10", deposited_on="2999-01-01"), "deposited_on", "future"),
    ],
)
def test_a_refused_deposit_shows_the_reason_and_writes_nothing(
    books: World, as_user: AsUser, data: dict[str, Any], field: str, code_text: str
) -> None:
    before = BankDeposit.objects.count()
    page = as_user("cluster_incharge").post("/backoffice/cash/deposits/new/", data)
    assert page.status_code == 200
    assert code_text in page.content.decode()
    assert BankDeposit.objects.count() == before


def test_head_office_verifies_with_the_slip_in_view(
    books: World, as_user: AsUser
) -> None:
    made = BankDeposit.objects.get()
    url = f"/backoffice/cash/deposits/{made.uid}/"
    ho = as_user("ho_manager")
    assert "Received in the bank" in ho.get(url).content.decode()
    slip = ho.get(url + "slip/")
    assert slip.status_code == 200 and slip["Content-Type"] == "image/png"
    assert (
        "Received in the bank"
        not in as_user("state_incharge").get(url).content.decode()
    )
    assert (
        as_user("state_incharge")
        .post(url + "verify/", {"received_amount": "150"})
        .status_code
        == 403
    )
    assert ho.post(url + "verify/", {"received_amount": "140"}).status_code == 302
    made.refresh_from_db()
    assert made.status == "verified" and made.mismatch
    again = ho.post(url + "verify/", {"received_amount": "150"})
    assert again.status_code == 400
    assert "already verified or rejected" in again.content.decode()


def test_head_office_rejects_with_a_reason(books: World, as_user: AsUser) -> None:
    made = BankDeposit.objects.get()
    url = f"/backoffice/cash/deposits/{made.uid}/reject/"
    ho = as_user("ho_manager")
    assert ho.post(url, {"reason": ""}).status_code == 400
    assert ho.post(url, {"reason": "Slip is fake"}).status_code == 302
    made.refresh_from_db()
    assert made.status == "rejected" and made.settle_note == "Slip is fake"
    review = ho.get("/backoffice/cash/deposits/review/").content.decode()
    assert 'data-kind="rejected"' in review and "Slip is fake" in review


def test_deposits_and_slips_follow_the_scope(books: World, as_user: AsUser) -> None:
    made = BankDeposit.objects.get()
    listing = as_user("cluster_incharge").get("/backoffice/cash/deposits/?q=SBI")
    assert str(made.uid) in listing.content.decode()
    url = f"/backoffice/cash/deposits/{made.uid}/slip/"
    assert as_user("other_admin").get(url).status_code == 404
    assert (
        as_user("ho_manager").get("/backoffice/cash/deposits/nope/").status_code == 404
    )


def test_the_limit_is_set_by_head_office(books: World, as_user: AsUser) -> None:
    ho = as_user("ho_manager")
    assert (
        ho.post("/backoffice/cash/limits/", {"plant": "", "amount": "5000"}).status_code
        == 302
    )
    assert (
        ho.post(
            "/backoffice/cash/limits/", {"plant": "BHKATS", "amount": "x"}
        ).status_code
        == 200
    )
    assert (
        ho.post(
            "/backoffice/cash/limits/", {"plant": "BHKATS", "amount": "800"}
        ).status_code
        == 302
    )
    assert sorted(CashLimit.objects.values_list("amount", flat=True)) == [800, 5000]
    assert as_user("state_incharge").get("/backoffice/cash/limits/").status_code == 403
    page = as_user("state_incharge").get("/backoffice/cash/").content.decode()
    assert "over the limit" in page  # cluster_incharge holds 900 > 800
