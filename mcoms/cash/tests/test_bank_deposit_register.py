"""bank_deposit_register: the agent's cash goes to transit in one balanced
journal with the slip stored; more than the cash in hand, a bad slip or bad
input is refused with nothing written; a retry returns the first deposit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mcoms.cash.models import BankDeposit
from mcoms.cash.services import bank_deposit_register
from mcoms.cash.tests.kit import (
    cash_of,
    deposit,
    slip_junk,
    slip_pdf,
    slip_png,
    take_cash,
)
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.ledger.models import Account, Entry, Journal
from tests.builders import World

D = Decimal


def files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def snapshot() -> tuple[int, int, int, int]:
    return (
        BankDeposit.objects.count(),
        Journal.objects.count(),
        Account.objects.count(),
        len(files()),
    )


@pytest.fixture
def kats(world: World) -> World:
    take_cash(world.customers["BHKATS"], world.user("csa"), "500.00")
    return world


def test_a_deposit_moves_cash_to_transit_in_one_journal(kats: World) -> None:
    csa = kats.user("csa")
    found = deposit(csa, kats.plants["BHKATS"], "300.00")
    lines = sorted(
        Entry.objects.filter(journal=found.journal).values_list(
            "account__code", "amount"
        )
    )
    assert lines == [("CO:BANK:TRANSIT", D("300.00")), ("STF:csa:CASH", D("-300.00"))]
    assert found.journal.kind == "bank_deposit"
    assert found.status == "registered" and found.amount == D("300.00")
    assert cash_of("csa") == D("200.00")
    stored = files()
    assert len(stored) == 1 and stored[0].suffix == ".png"
    assert found.slip.name.startswith(f"deposits/{kats.company.pk}/BHKATS/")
    assert found.slip_type == "image/png" and len(found.slip_sha256) == 64


def test_a_pdf_slip_is_accepted(kats: World) -> None:
    found = deposit(kats.user("csa"), kats.plants["BHKATS"], "10", slip=slip_pdf())
    assert found.slip_type == "application/pdf"
    assert found.slip.name.endswith(".pdf")


def test_the_whole_cash_in_hand_may_be_deposited(kats: World) -> None:
    deposit(kats.user("csa"), kats.plants["BHKATS"], "500.00")
    assert cash_of("csa") == D("0.00")


def test_a_deposit_larger_than_the_cash_in_hand_is_refused_and_writes_nothing(
    kats: World,
) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        deposit(kats.user("csa"), kats.plants["BHKATS"], "500.01")
    assert caught.value.code == "deposit_exceeds_cash"
    assert caught.value.field == "amount"
    assert snapshot() == before
    assert not Account.objects.filter(code="CO:BANK:TRANSIT").exists()


def test_an_agent_who_never_held_cash_cannot_deposit(world: World) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        deposit(world.user("cluster_incharge"), world.plants["BHKATS"], "1")
    assert caught.value.code == "deposit_exceeds_cash"
    assert snapshot() == before


def test_what_is_already_deposited_is_no_longer_in_hand(kats: World) -> None:
    deposit(kats.user("csa"), kats.plants["BHKATS"], "400")
    with pytest.raises(ValidationFailed) as caught:
        deposit(kats.user("csa"), kats.plants["BHKATS"], "100.01")
    assert caught.value.code == "deposit_exceeds_cash"


@pytest.mark.parametrize(
    ("slip", "code"),
    [
        (None, "slip_missing"),
        ("junk", "slip_file_type"),
        ("empty", "slip_file_type"),
        ("html", "slip_file_type"),
    ],
)
def test_a_bad_slip_is_refused_and_nothing_is_written(
    kats: World, slip: str | None, code: str
) -> None:
    upload = {
        None: None,
        "junk": slip_junk(),
        "empty": SimpleUploadedFile("s.png", b"", content_type="image/png"),
        "html": SimpleUploadedFile("s.pdf", b"<html>", content_type="application/pdf"),
    }[slip]
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        bank_deposit_register(
            agent=kats.user("csa"),
            plant=kats.plants["BHKATS"],
            amount="10",
            deposited_on=timezone.localdate(),
            bank="SBI",
            slip=upload,
            client_key=str(uuid.uuid4()),
        )
    assert caught.value.code == code
    assert caught.value.field == "slip"
    assert snapshot() == before


def test_a_slip_over_the_size_limit_is_refused(kats: World, settings: object) -> None:
    settings.KYC_MAX_UPLOAD_BYTES = 20  # type: ignore[attr-defined]
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        deposit(kats.user("csa"), kats.plants["BHKATS"], "10")
    assert caught.value.code == "slip_file_too_large"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount": "0"}, "amount_not_positive"),
        ({"amount": "-5"}, "amount_not_positive"),
        ({"amount": "1.005"}, "amount_too_precise"),
        ({"amount": "ten"}, "amount_invalid"),
        ({"amount": ""}, "amount_missing"),
        ({"bank": "  "}, "bank_missing"),
        ({"bank": "B" * 81}, "bank_too_long"),
        ({"reference": "R" * 41}, "reference_too_long"),
        ({"deposited_on": "2026-01-01"}, "deposited_on_invalid"),
        ({"client_key": ""}, "idempotency_key_invalid"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    kats: World, changes: dict, code: str
) -> None:
    args = {
        "agent": kats.user("csa"),
        "plant": kats.plants["BHKATS"],
        "amount": "10",
        "deposited_on": timezone.localdate(),
        "bank": "SBI",
        "reference": "",
        "slip": slip_png(),
        "client_key": str(uuid.uuid4()),
        **changes,
    }
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        bank_deposit_register(**args)
    assert caught.value.code == code
    assert snapshot() == before


def test_a_deposit_dated_tomorrow_is_refused(kats: World) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        deposit(kats.user("csa"), kats.plants["BHKATS"], "10", day=tomorrow)
    assert caught.value.code == "deposited_on_future"
    assert not BankDeposit.objects.exists()


def test_a_retry_with_the_same_key_returns_the_first_and_writes_nothing(
    kats: World,
) -> None:
    key = str(uuid.uuid4())
    first = deposit(kats.user("csa"), kats.plants["BHKATS"], "100", key=key)
    before = snapshot()
    again, created = bank_deposit_register(
        agent=kats.user("csa"),
        plant=kats.plants["BHKATS"],
        amount="100.00",
        deposited_on=timezone.localdate(),
        bank="SBI Katsa",
        slip=slip_png(),
        client_key=key,
    )
    assert (again.pk, created) == (first.pk, False)
    assert snapshot() == before
    assert cash_of("csa") == D("400.00")


def test_the_same_key_for_another_deposit_is_refused(kats: World) -> None:
    key = str(uuid.uuid4())
    deposit(kats.user("csa"), kats.plants["BHKATS"], "100", key=key)
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        deposit(kats.user("csa"), kats.plants["BHKATS"], "101", key=key)
    assert caught.value.code == "idempotency_key_reused"
    assert snapshot() == before
