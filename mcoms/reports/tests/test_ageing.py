"""Aging Receivables: the manual's buckets at their boundaries (a table and a
property), the age of a debt by its oldest unpaid charge with credits applied
oldest first, the two lists, cluster subtotals, the total and the scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.org.models import Pole
from mcoms.reports.ageing import (
    ACTIVE_BUCKETS,
    BANNED_BUCKETS,
    ageing,
    bucket_for,
    debts,
)
from mcoms.reports.tests.money_kit import cash_at, charge_at, days_ago
from tests.builders import World

D = Decimal


@pytest.mark.parametrize(
    ("age", "active", "banned"),
    [
        (0, None, "under_30"),
        (29, None, "under_30"),
        (30, None, "30_60"),
        (44, None, "30_60"),
        (45, "45_60", "30_60"),
        (60, "45_60", "30_60"),
        (61, "61_90", "60_90"),
        (90, "61_90", "60_90"),
        (91, "91_120", "over_90"),
        (120, "91_120", "over_90"),
        (121, "over_120", "over_90"),
        (5000, "over_120", "over_90"),
    ],
)
def test_bucket_boundaries(age: int, active: str | None, banned: str) -> None:
    assert bucket_for(age, banned=False) == active
    assert bucket_for(age, banned=True) == banned


@given(st.integers(min_value=0, max_value=100_000))
def test_every_age_falls_in_at_most_one_bucket_and_banned_in_exactly_one(
    age: int,
) -> None:
    for buckets, banned in ((ACTIVE_BUCKETS, False), (BANNED_BUCKETS, True)):
        hits = [
            k for k, _l, lo, hi in buckets if lo <= age and (hi is None or age <= hi)
        ]
        assert len(hits) <= 1
        assert bucket_for(age, banned=banned) == (hits[0] if hits else None)
    assert bucket_for(age, banned=True) is not None
    assert (bucket_for(age, banned=False) is None) == (age < 45)


def debt_of(world: World, customer: Customer):  # type: ignore[no-untyped-def]
    found = [
        d
        for d in debts(world.company.pk, [customer.plant_id])
        if d.customer_id == customer.customer_id
    ]
    return found[0] if found else None


def test_payments_settle_the_oldest_charges_first(world: World) -> None:
    c, csa = world.customers["BHKATS"], world.user("csa")
    today = timezone.localdate()
    charge_at(c, "100", days_ago(100))
    charge_at(c, "100", days_ago(70))
    charge_at(c, "100", days_ago(50))
    debt = debt_of(world, c)
    assert debt.owed == D("300.00") and debt.age(today) == 100
    cash_at(c, "100", csa)  # pays the 100-day charge exactly
    assert debt_of(world, c).age(today) == 70
    cash_at(c, "150", csa)  # pays the 70-day one and half of the 50-day one
    debt = debt_of(world, c)
    assert (debt.owed, debt.age(today)) == (D("50.00"), 50)
    cash_at(c, "50", csa)
    assert debt_of(world, c) is None


def test_a_reversed_payment_brings_the_old_charge_back(world: World) -> None:
    from mcoms.payments.services import payment_reverse

    c = world.customers["BHKATS"]
    charge_at(c, "100", days_ago(100))
    charge_at(c, "100", days_ago(10))
    payment = cash_at(c, "100", world.user("csa"))
    assert debt_of(world, c).age(timezone.localdate()) == 10
    payment_reverse(payment=payment, reason="typo", by=world.user("admin"))
    assert debt_of(world, c).age(timezone.localdate()) == 100


def test_a_customer_in_credit_is_not_aged(world: World) -> None:
    c = world.customers["BHKATS"]
    charge_at(c, "100", days_ago(200))
    cash_at(c, "150", world.user("csa"))
    assert debt_of(world, c) is None


@pytest.fixture
def books(world: World) -> World:
    """BHKATS: an active customer 100 days behind (80 owed) and a banned one
    40 days behind (30 owed); an active one 10 days behind (not aged).
    BHSIKA: an inactive customer 95 days behind (70 owed)."""
    kats = world.customers["BHKATS"]
    kats.status = "active"
    kats.save()
    charge_at(kats, "80", days_ago(100))
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=2)
    banned = customer_create(
        pole=pole, name="Banned one", phone="+919800000021", by=None
    )
    Customer.objects.filter(pk=banned.pk).update(status="banned")
    charge_at(banned, "30", days_ago(40))
    fresh = customer_create(pole=pole, name="Fresh one", phone="+919800000022", by=None)
    Customer.objects.filter(pk=fresh.pk).update(status="active")
    charge_at(fresh, "500", days_ago(10))
    sika = world.customers["BHSIKA"]
    Customer.objects.filter(pk=sika.pk).update(status="inactive")
    charge_at(sika, "70", days_ago(95))
    charge_at(world.customers["other"], "999", days_ago(100))
    return world


def lines(report):  # type: ignore[no-untyped-def]
    return {line.key: line for g in report.groups for line in g.plants}


def test_the_two_lists_per_plant_with_subtotals_and_total(books: World) -> None:
    report = ageing(books.user("admin"))
    kats, sika = lines(report)["BHKATS"], lines(report)["BHSIKA"]
    assert (kats.active["91_120"].amount, kats.active["91_120"].count) == (D("80"), 1)
    assert kats.active_total.amount == D("80.00")  # the 10-day debt is current
    assert (kats.banned["30_60"].amount, kats.banned["30_60"].count) == (D("30"), 1)
    assert (sika.banned["over_90"].amount, sika.banned["over_90"].count) == (D("70"), 1)
    north = next(g for g in report.groups if g.cluster.code == "NORTH")
    assert north.subtotal.active_total.amount == D("80.00")
    assert report.total.banned_total.amount == D("100.00")
    assert report.total.banned_total.count == 2


def test_as_of_moves_the_ages(books: World) -> None:
    later = timezone.localdate() + timedelta(days=21)
    kats = lines(ageing(books.user("admin"), as_of=later))["BHKATS"]
    assert kats.active["over_120"].count == 1
    assert kats.banned["60_90"].count == 1


def test_each_user_sees_their_plants(books: World) -> None:
    assert set(lines(ageing(books.user("csa")))) == {"BHKATS"}
    assert set(lines(ageing(books.user("cluster_incharge")))) == {"BHKATS", "BHMADH"}
    other = ageing(books.user("other_admin"))
    assert other.total.active_total.amount == D("999.00")
    with pytest.raises(PermissionDenied):
        ageing(books.user("technician"))
