"""Bank Deposit Review (manual 3.7.7): per plant, deposits registered and
received, waiting and rejected, and the anomalies (rejected, received with
another amount, waiting too long), in the user's scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from mcoms.cash.models import BankDeposit
from mcoms.cash.selectors import deposit_review, get_deposit_for_user
from mcoms.cash.services import bank_deposit_reject, bank_deposit_verify
from mcoms.cash.tests.kit import deposit, take_cash
from mcoms.core.periods import Period, this_month
from tests.builders import World

D = Decimal


@pytest.fixture
def deposits(world: World) -> dict[str, BankDeposit]:
    csa, ho, plant = world.user("csa"), world.user("ho_manager"), world.plants["BHKATS"]
    take_cash(world.customers["BHKATS"], csa, "1000")
    made = {
        "ok": deposit(csa, plant, "100"),
        "short": deposit(csa, plant, "200"),
        "rejected": deposit(csa, plant, "50"),
        "waiting": deposit(csa, plant, "25"),
        "old": deposit(csa, plant, "10"),
    }
    bank_deposit_verify(deposit=made["ok"], received_amount="100", by=ho)
    bank_deposit_verify(deposit=made["short"], received_amount="180", by=ho)
    bank_deposit_reject(deposit=made["rejected"], reason="no", by=ho)
    BankDeposit.objects.filter(pk=made["old"].pk).update(
        registered_at=timezone.now() - timedelta(days=4)
    )
    return made


def test_registered_against_received_per_plant(
    world: World, deposits: dict[str, BankDeposit]
) -> None:
    review = deposit_review(world.user("admin"), period=this_month())
    kats = next(
        line for g in review.groups for line in g.plants if line.key == "BHKATS"
    )
    f = kats.figures
    assert (f.registered, f.registered_n) == (D("385.00"), 5)
    assert (f.received, f.received_n) == (D("280.00"), 2)
    assert (f.pending, f.pending_n) == (D("35.00"), 2)
    assert (f.rejected, f.rejected_n) == (D("50.00"), 1)
    assert f.anomalies == 3
    assert review.total.figures.registered == D("385.00")


def test_the_anomalies_are_named(
    world: World, deposits: dict[str, BankDeposit]
) -> None:
    review = deposit_review(world.user("admin"), period=this_month())
    found = {a.deposit.pk: a.kind for a in review.anomalies}
    assert found == {
        deposits["short"].pk: "mismatch",
        deposits["rejected"].pk: "rejected",
        deposits["old"].pk: "stale",
    }
    assert review.stale_days == 3


def test_the_stale_threshold_is_a_setting(
    world: World, deposits: dict[str, BankDeposit], settings: object
) -> None:
    settings.CASH_DEPOSIT_STALE_DAYS = 5  # type: ignore[attr-defined]
    review = deposit_review(world.user("admin"), period=this_month())
    assert "stale" not in {a.kind for a in review.anomalies}


def test_deposits_outside_the_period_are_left_out(
    world: World, deposits: dict[str, BankDeposit]
) -> None:
    old = timezone.localdate() - timedelta(days=100)
    review = deposit_review(world.user("admin"), period=Period(old, old))
    assert review.total.figures.registered_n == 0 and review.anomalies == []


def test_each_user_sees_their_scope(
    world: World, deposits: dict[str, BankDeposit]
) -> None:
    sika = deposit_review(world.user("sika_csa"), period=this_month())
    assert sika.total.figures.registered_n == 0 and sika.anomalies == []
    uid = deposits["ok"].uid
    assert get_deposit_for_user(world.user("cluster_incharge"), uid).pk
    with pytest.raises(Http404):
        get_deposit_for_user(world.user("sika_csa"), uid)
    with pytest.raises(Http404):
        get_deposit_for_user(world.user("other_admin"), uid)
    with pytest.raises(Http404):
        get_deposit_for_user(world.user("admin"), "not-a-uuid")
