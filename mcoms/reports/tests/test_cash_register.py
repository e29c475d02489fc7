"""Cash Register: payments newest first in the period and the plant chosen,
searched by name or customer ID, the split by service of the standing ones,
and the scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from mcoms.core.periods import Period, this_month
from mcoms.payments.services import payment_reverse
from mcoms.reports.cash_register import cash_register
from mcoms.reports.tests.money_kit import at, cash_at, charge_at, paid_by
from tests.builders import World

D = Decimal
TODAY = timezone.localdate()


@pytest.fixture
def books(world: World) -> World:
    k, s = world.customers["BHKATS"], world.customers["BHSIKA"]
    charge_at(k, "100", at(TODAY - timedelta(days=40)))
    charge_at(k, "60", at(TODAY - timedelta(days=40)), service="WATER")
    cash_at(k, "100", world.user("csa"), at(TODAY, 9), service="CHG")
    paid_by(k, "60", "upi", at(TODAY, 10))
    wrong = cash_at(k, "25", world.user("csa"), at(TODAY, 11), service="CHG")
    payment_reverse(payment=wrong, reason="typo", by=world.user("admin"))
    cash_at(s, "70", world.user("sika_csa"), at(TODAY, 8))
    cash_at(k, "5", world.user("csa"), at(TODAY - timedelta(days=400)))
    paid_by(world.customers["other"], "999", "upi", at(TODAY, 8))
    return world


def test_newest_first_with_the_split_by_service(books: World) -> None:
    report = cash_register(books.user("admin"), period=this_month())
    listed = [(p.customer.customer_id, p.amount, p.status) for p in report.payments]
    assert listed == [
        ("BHKATS00101", D("25.00"), "reversed"),
        ("BHKATS00101", D("60.00"), "posted"),
        ("BHKATS00101", D("100.00"), "posted"),
        ("BHSIKA00101", D("70.00"), "posted"),
    ]
    split = {s.service: s.amount for s in report.by_service}
    assert split == {"CHG": D("170.00"), "WATER": D("60.00")}
    assert sum(split.values()) == report.total == D("230.00")
    assert report.count == 3


def test_one_plant_and_a_search(books: World) -> None:
    report = cash_register(
        books.user("admin"), period=this_month(), plant=books.plants["BHSIKA"]
    )
    assert [p.amount for p in report.payments] == [D("70.00")]
    found = cash_register(books.user("admin"), period=this_month(), q="customer bhsika")
    assert [p.customer.customer_id for p in found.payments] == ["BHSIKA00101"]
    by_id = cash_register(books.user("admin"), period=this_month(), q="bhkats001")
    assert {p.customer.customer_id for p in by_id.payments} == {"BHKATS00101"}


def test_the_period_filters(books: World) -> None:
    old = TODAY - timedelta(days=400)
    report = cash_register(books.user("admin"), period=Period(old, old))
    assert [p.amount for p in report.payments] == [D("5.00")]
    empty = cash_register(
        books.user("admin"), period=Period(date(2001, 1, 1), date(2001, 1, 2))
    )
    assert empty.count == 0 and empty.by_service == [] and empty.total == 0


def test_each_user_sees_their_scope(books: World) -> None:
    csa = cash_register(books.user("csa"), period=this_month())
    assert {p.plant.key for p in csa.payments} == {"BHKATS"}
    other = cash_register(books.user("other_admin"), period=this_month())
    assert [p.amount for p in other.payments] == [D("999.00")]
    with pytest.raises(PermissionDenied):
        cash_register(books.user("technician"), period=this_month())
