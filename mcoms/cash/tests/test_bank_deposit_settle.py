"""Head office verifies a deposit (bank against transit; a difference back
to the agent's cash) or rejects it (the registration reversed); each at most
once, a replay writes nothing, and nobody settles their own deposit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.cash.models import BankDeposit
from mcoms.cash.services import bank_deposit_reject, bank_deposit_verify
from mcoms.cash.tests.kit import cash_of, deposit, take_cash
from mcoms.core.errors import Conflict, Forbidden, ValidationFailed
from mcoms.ledger.models import Entry, Journal
from mcoms.ledger.selectors import journals_unbalanced
from mcoms.notifications.models import Message
from tests.builders import World

D = Decimal


@pytest.fixture
def pending(world: World) -> BankDeposit:
    take_cash(world.customers["BHKATS"], world.user("csa"), "500.00")
    return deposit(world.user("csa"), world.plants["BHKATS"], "300.00")


def lines(journal: Journal) -> list[tuple[str, Decimal]]:
    return sorted(
        Entry.objects.filter(journal=journal).values_list("account__code", "amount")
    )


def test_verifying_moves_the_deposit_from_transit_to_the_bank(
    world: World, pending: BankDeposit
) -> None:
    done, created = bank_deposit_verify(
        deposit=pending, received_amount="300.00", by=world.user("ho_manager")
    )
    assert created and done.status == "verified" and not done.mismatch
    assert lines(done.settle_journal) == [
        ("CO:BANK", D("300.00")),
        ("CO:BANK:TRANSIT", D("-300.00")),
    ]
    assert cash_of("csa") == D("200.00")
    assert done.settled_by == world.user("ho_manager")
    told = Message.objects.get(user=world.user("csa"))
    assert told.template == "cash_deposit_verified" and "300.00" in told.body


def test_a_shortfall_stays_in_the_agents_cash_in_hand(
    world: World, pending: BankDeposit
) -> None:
    done, _ = bank_deposit_verify(
        deposit=pending, received_amount="250", by=world.user("ho_manager")
    )
    assert done.mismatch and done.received_amount == D("250.00")
    assert lines(done.settle_journal) == [
        ("CO:BANK", D("250.00")),
        ("CO:BANK:TRANSIT", D("-300.00")),
        ("STF:csa:CASH", D("50.00")),
    ]
    assert cash_of("csa") == D("250.00")
    assert not journals_unbalanced().exists()


def test_an_excess_lowers_the_agents_cash_in_hand(
    world: World, pending: BankDeposit
) -> None:
    done, _ = bank_deposit_verify(
        deposit=pending, received_amount="320", by=world.user("admin")
    )
    assert done.mismatch
    assert cash_of("csa") == D("180.00")


def test_a_repeated_verification_writes_nothing(
    world: World, pending: BankDeposit
) -> None:
    bank_deposit_verify(deposit=pending, received_amount="300", by=world.user("admin"))
    journals = Journal.objects.count()
    again, created = bank_deposit_verify(
        deposit=pending, received_amount="300.00", by=world.user("admin")
    )
    assert not created and again.status == "verified"
    assert Journal.objects.count() == journals
    with pytest.raises(Conflict) as caught:
        bank_deposit_verify(
            deposit=pending, received_amount="299", by=world.user("admin")
        )
    assert caught.value.code == "deposit_already_settled"
    assert Journal.objects.count() == journals


def test_rejecting_reverses_the_registration(
    world: World, pending: BankDeposit
) -> None:
    done, created = bank_deposit_reject(
        deposit=pending, reason="Not on the statement", by=world.user("ho_manager")
    )
    assert created and done.status == "rejected"
    assert done.settle_journal.reverses_id == pending.journal_id
    assert lines(done.settle_journal) == [
        ("CO:BANK:TRANSIT", D("-300.00")),
        ("STF:csa:CASH", D("300.00")),
    ]
    assert cash_of("csa") == D("500.00")
    told = Message.objects.get(user=world.user("csa"))
    assert told.template == "cash_deposit_rejected"
    assert "Not on the statement" in told.body


def test_a_rejected_deposit_cannot_be_verified_and_a_replay_writes_nothing(
    world: World, pending: BankDeposit
) -> None:
    bank_deposit_reject(deposit=pending, reason="No", by=world.user("admin"))
    journals = Journal.objects.count()
    _again, created = bank_deposit_reject(
        deposit=pending, reason="No", by=world.user("admin")
    )
    assert not created
    with pytest.raises(Conflict) as caught:
        bank_deposit_verify(
            deposit=pending, received_amount="300", by=world.user("admin")
        )
    assert caught.value.code == "deposit_already_settled"
    assert Journal.objects.count() == journals


def test_a_verified_deposit_cannot_be_rejected(
    world: World, pending: BankDeposit
) -> None:
    bank_deposit_verify(deposit=pending, received_amount="300", by=world.user("admin"))
    with pytest.raises(Conflict):
        bank_deposit_reject(deposit=pending, reason="No", by=world.user("admin"))
    assert cash_of("csa") == D("200.00")


def test_a_rejection_needs_a_reason(world: World, pending: BankDeposit) -> None:
    with pytest.raises(ValidationFailed) as caught:
        bank_deposit_reject(deposit=pending, reason=" ", by=world.user("admin"))
    assert caught.value.code == "reason_missing"
    pending.refresh_from_db()
    assert pending.status == "registered"


@pytest.mark.parametrize("amount", ["0", "-1", "x", "1.001"])
def test_a_bad_received_amount_is_refused(
    world: World, pending: BankDeposit, amount: str
) -> None:
    journals = Journal.objects.count()
    with pytest.raises(ValidationFailed):
        bank_deposit_verify(
            deposit=pending, received_amount=amount, by=world.user("admin")
        )
    assert Journal.objects.count() == journals


def test_nobody_verifies_or_rejects_their_own_deposit(world: World) -> None:
    admin = world.user("admin")
    take_cash(world.customers["BHKATS"], admin, "100")
    own = deposit(admin, world.plants["BHKATS"], "100")
    with pytest.raises(Forbidden) as caught:
        bank_deposit_verify(deposit=own, received_amount="100", by=admin)
    assert caught.value.code == "deposit_own"
    with pytest.raises(Forbidden):
        bank_deposit_reject(deposit=own, reason="x", by=admin)
    own.refresh_from_db()
    assert own.status == "registered"
