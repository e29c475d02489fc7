"""Total Collection: per plant the POS / wallet / card split of standing
payments in the period, this year's charges and what of them is still owed,
cluster subtotals, the total, the scope and a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mcoms.core.periods import Period
from mcoms.payments.services import payment_refund, payment_reverse
from mcoms.reports.collection import total_collection
from mcoms.reports.tests.money_kit import at, cash_at, charge_at, paid_by
from tests.builders import World

D = Decimal
TODAY = timezone.localdate()
MAY = Period(date(TODAY.year, 5, 1), date(TODAY.year, 5, 31))
LAST_YEAR = date(TODAY.year - 1, 12, 20)


@pytest.fixture
def books(world: World) -> World:
    """BHKATS in May: cash 100 + 50, UPI 30, M-Pesa 20, card 40, a reversed
    cash 999 and a refunded card 77; cash 500 in April (outside May). Its
    charges: 300 last December and 400 this March (740 paid: in credit).
    BHSIKA: 250 charged this February, 60 by wallet in May. The other
    company: 1,000 charged and paid (never counted for tara)."""
    c, csa = world.customers["BHKATS"], world.user("csa")
    charge_at(c, "300", at(LAST_YEAR))
    charge_at(c, "400", at(date(TODAY.year, 3, 10)))
    may = at(date(TODAY.year, 5, 10))
    cash_at(c, "100", csa, may)
    cash_at(c, "50", csa, may)
    paid_by(c, "30", "upi", may)
    paid_by(c, "20", "mpesa", may)
    paid_by(c, "40", "card", may)
    payment_reverse(
        payment=cash_at(c, "999", csa, may), reason="x", by=world.user("admin")
    )
    payment_refund(
        payment=paid_by(c, "77", "card", may), reason="y", by=world.user("admin")
    )
    cash_at(c, "500", csa, at(date(TODAY.year, 4, 2)))
    s = world.customers["BHSIKA"]
    charge_at(s, "250", at(date(TODAY.year, 2, 1)))
    paid_by(s, "60", "wallet", may)
    charge_at(world.customers["other"], "1000", at(date(TODAY.year, 2, 1)))
    paid_by(world.customers["other"], "1000", "upi", may)
    return world


def lines(report):  # type: ignore[no-untyped-def]
    return {line.key: line.figures for g in report.groups for line in g.plants}


def test_the_split_per_plant_counts_only_standing_payments(books: World) -> None:
    kats = lines(total_collection(books.user("admin"), period=MAY))["BHKATS"]
    assert (kats.pos, kats.wallet, kats.card) == (D("150"), D("50"), D("40"))
    assert kats.total == D("240.00") and kats.payments == 5


def test_this_years_charges_and_what_of_them_is_owed(books: World) -> None:
    figures = lines(total_collection(books.user("admin"), period=MAY))
    # KATS owes 700 - 740 = -40: nothing of this year's 400 is owed.
    assert (figures["BHKATS"].ytd_billed, figures["BHKATS"].ytd_outstanding) == (
        D("400.00"),
        D("0.00"),
    )
    # SIKA: 250 charged this year, 60 paid: 190 owed, 76.0 %.
    sika = figures["BHSIKA"]
    assert (sika.ytd_billed, sika.ytd_outstanding) == (D("250.00"), D("190.00"))
    assert sika.ytd_share == D("76.0")


def test_a_debt_older_than_the_year_does_not_count_as_this_years(
    world: World,
) -> None:
    c = world.customers["BHKATS"]
    charge_at(c, "300", at(LAST_YEAR))
    charge_at(c, "100", at(date(TODAY.year, 1, 5)))
    cash_at(c, "50", world.user("csa"))
    kats = lines(total_collection(world.user("admin"), period=MAY))["BHKATS"]
    assert (kats.ytd_billed, kats.ytd_outstanding) == (D("100.00"), D("100.00"))


def test_cluster_subtotals_and_the_total(books: World) -> None:
    report = total_collection(books.user("admin"), period=MAY)
    north = next(g for g in report.groups if g.cluster.code == "NORTH")
    assert north.subtotal.figures.total == D("240.00")
    assert report.total.figures.total == D("300.00")
    assert report.total.figures.wallet == D("110.00")
    assert report.year_start == date(TODAY.year, 1, 1)


def test_each_user_sees_their_scope(books: World) -> None:
    assert set(lines(total_collection(books.user("csa"), period=MAY))) == {"BHKATS"}
    other = total_collection(books.user("other_admin"), period=MAY)
    assert other.total.figures.wallet == D("1000.00")
    with pytest.raises(PermissionDenied):
        total_collection(books.user("operator"), period=MAY)


def test_one_plant_only(books: World) -> None:
    report = total_collection(
        books.user("admin"), period=MAY, plant=books.plants["BHSIKA"]
    )
    assert set(lines(report)) == {"BHSIKA"}


def test_the_number_of_queries_does_not_grow_with_plants(books: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        total_collection(books.user("admin"), period=MAY)
    assert len(queries) <= 4


def test_a_period_with_nothing_is_all_zero(books: World) -> None:
    old = TODAY - timedelta(days=4000)
    report = total_collection(books.user("admin"), period=Period(old, old))
    assert report.total.figures.total == 0
