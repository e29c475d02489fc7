"""In Hand Cash (manual 3.7.7) from the ledger: per plant and per agent,
collected and deposited in the period and cash in hand now, against data
built here; an in-charge who collects at two plants shows at both; the
scope decides which plants a user sees."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from mcoms.cash.selectors import agent_cash, cash_in_hand
from mcoms.cash.services import (
    bank_deposit_reject,
    bank_deposit_verify,
    cash_limit_set,
)
from mcoms.cash.tests.kit import deposit, take_cash
from mcoms.core.periods import Period, this_month
from mcoms.customers.services import customer_create
from mcoms.org.models import Pole
from mcoms.payments.services import payment_refund, payment_reverse
from tests.builders import World

D = Decimal


@pytest.fixture
def books(world: World) -> World:
    """csa at BHKATS: 500 + 300 taken, 100 reversed, 50 refunded; deposits 200
    (verified at 190), 100 (rejected), 150 (waiting). The cluster in-charge:
    70 at BHKATS and 40 at BHMADH, 30 deposited from BHMADH."""
    kats = world.customers["BHKATS"]
    pole = Pole.objects.get(plant=world.plants["BHMADH"], number=1)
    madh = customer_create(pole=pole, name="Madh one", phone="+919800000055", by=None)
    csa, ci = world.user("csa"), world.user("cluster_incharge")
    take_cash(kats, csa, "500")
    take_cash(kats, csa, "300")
    payment_reverse(
        payment=take_cash(kats, csa, "100"), reason="x", by=world.user("admin")
    )
    payment_refund(
        payment=take_cash(kats, csa, "50"), reason="y", by=world.user("admin")
    )
    plant = world.plants["BHKATS"]
    ho = world.user("ho_manager")
    bank_deposit_verify(
        deposit=deposit(csa, plant, "200"), received_amount="190", by=ho
    )
    bank_deposit_reject(deposit=deposit(csa, plant, "100"), reason="no", by=ho)
    deposit(csa, plant, "150")
    take_cash(kats, ci, "70")
    take_cash(madh, ci, "40")
    deposit(ci, world.plants["BHMADH"], "30")
    return world


def figures(report, key):  # type: ignore[no-untyped-def]
    for group in report.groups:
        for line in group.plants:
            if line.key == key:
                return line
    raise AssertionError(key)


def test_plants_and_agents_add_up_from_the_ledger(books: World) -> None:
    report = cash_in_hand(books.user("admin"), period=this_month())
    kats = figures(report, "BHKATS")
    agents = {a.username: a.figures for a in kats.agents}
    # 800 standing; deposits 200 - 10 short + 150 waiting (the rejected nets 0)
    assert agents["csa"].collected == D("800.00")
    assert agents["csa"].deposited == D("340.00")
    assert agents["csa"].in_hand == D("460.00")
    assert agents["csa"].pending == D("150.00")
    assert agents["cluster_incharge"].in_hand == D("70.00")
    assert kats.figures.in_hand == D("530.00")
    madh = figures(report, "BHMADH")
    assert [(a.username, a.figures.in_hand) for a in madh.agents] == [
        ("cluster_incharge", D("10.00"))
    ]
    assert madh.figures.collected == D("40.00")
    assert madh.figures.deposited == D("30.00")
    north = report.groups[0]
    assert north.subtotal.figures.in_hand == D("540.00")
    assert report.total.figures.in_hand == D("540.00")
    assert report.total.figures.pending == D("180.00")


def test_an_agents_cash_is_their_accounts_balance(books: World) -> None:
    mine = agent_cash(books.user("csa"), books.plants["BHKATS"])
    assert (mine.in_hand, mine.pending, mine.pending_count) == (
        D("460.00"),
        D("150.00"),
        1,
    )
    theirs = agent_cash(books.user("cluster_incharge"), None)
    assert theirs.in_hand == D("80.00") and theirs.limit is None


def test_over_the_limit_is_flagged(books: World) -> None:
    cash_limit_set(
        company=books.company, plant=None, amount="400", by=books.user("admin")
    )
    report = cash_in_hand(books.user("admin"), period=this_month())
    kats = figures(report, "BHKATS")
    assert kats.limit == D("400.00")
    assert {a.username: a.over_limit for a in kats.agents} == {
        "csa": True,
        "cluster_incharge": False,
    }
    assert agent_cash(books.user("csa"), books.plants["BHKATS"]).over_limit


def test_a_period_before_the_movements_shows_only_the_cash_in_hand(
    books: World,
) -> None:
    old = timezone.localdate() - timedelta(days=400)
    report = cash_in_hand(books.user("admin"), period=Period(old, old))
    kats = figures(report, "BHKATS")
    assert kats.figures.collected == 0 and kats.figures.deposited == 0
    assert kats.figures.in_hand == D("530.00")


def test_a_csa_sees_their_plant_only(books: World) -> None:
    report = cash_in_hand(books.user("csa"), period=this_month())
    keys = [line.key for group in report.groups for line in group.plants]
    assert keys == ["BHKATS"]
    assert report.total.figures.in_hand == D("530.00")
    sika = cash_in_hand(books.user("sika_csa"), period=this_month())
    assert sika.total.figures.in_hand == 0


def test_a_designation_without_cash_view_is_refused(books: World) -> None:
    with pytest.raises(PermissionDenied):
        cash_in_hand(books.user("operator"), period=this_month())
