"""Total Billing sums against bills made here: pre-paid and post-paid per
plant, the share of customers billed, month-on-month changes, cluster
subtotals and the total, the scope of each user, and a fixed query count."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.org.models import Pole
from mcoms.reports.total_billing import total_billing
from tests.bill_kit import activate, make_bill, month
from tests.builders import World

D = Decimal
APRIL, MARCH = month(2026, 4), month(2026, 3)


def second_customer(world: World, plant: str) -> Customer:
    pole = Pole.objects.get(plant=world.plants[plant], number=2)
    return customer_create(
        pole=pole, name=f"Second {plant}", phone="+919800000011", by=None
    )


@pytest.fixture
def books(world: World) -> World:
    """KATS: two customers, one pre-paid 160 and one post-paid 300 in April
    (March: the post-paid one only, 500). MADH: no customers. SIKA: one
    post-paid 200 in April and 100 in March. GORA: one pre-paid 160 in March
    only. The other company: a bill that must never count."""
    w = world
    kats, kats2 = w.customers["BHKATS"], second_customer(w, "BHKATS")
    for customer in [*w.customers.values(), kats2]:
        activate(customer)  # active since 2020
    make_bill(kats, APRIL, {"CHG": "160.00"}, billing_type="prepaid")
    make_bill(kats2, APRIL, {"CHG": "250.00", "EMI": "50.00"})
    make_bill(kats2, MARCH, {"CHG": "500.00"})
    make_bill(w.customers["BHSIKA"], APRIL, {"CHG": "200.00"})
    make_bill(w.customers["BHSIKA"], MARCH, {"CHG": "100.00"})
    make_bill(w.customers["UPGORA"], MARCH, {"CHG": "160.00"}, billing_type="prepaid")
    make_bill(w.customers["other"], APRIL, {"CHG": "999.00"})
    return w


def lines(report):  # type: ignore[no-untyped-def]
    return {line.key: line for g in report.groups for line in g.plants}


def test_per_plant_sums_and_share_billed(books: World) -> None:
    report = total_billing(books.user("admin"), month=APRIL)
    kats = lines(report)["BHKATS"]
    assert (kats.now.prepaid, kats.now.postpaid, kats.now.total) == (
        D("160.00"),
        D("300.00"),
        D("460.00"),
    )
    assert (kats.now.billed, kats.now.customers, kats.now.percent) == (2, 2, 100)
    sika = lines(report)["BHSIKA"]
    assert (sika.now.postpaid, sika.now.billed, sika.now.customers) == (
        D("200.00"),
        1,
        1,
    )
    gora = lines(report)["UPGORA"]
    assert (gora.now.total, gora.now.percent) == (D("0.00"), D("0.0"))
    madh = lines(report)["BHMADH"]
    assert madh.now.customers == 0 and madh.now.percent is None


def test_month_on_month_directions(books: World) -> None:
    report = total_billing(books.user("admin"), month=APRIL)
    kats, sika, gora = (
        lines(report)[k].changes for k in ("BHKATS", "BHSIKA", "UPGORA")
    )
    assert kats["prepaid"].direction == "up" and kats["prepaid"].percent is None
    assert kats["postpaid"].direction == "down"
    assert kats["postpaid"].percent == D("-40.0")  # 500 -> 300
    assert kats["percent"].direction == "up"  # 1 of 2 -> 2 of 2
    assert sika["total"].direction == "up" and sika["total"].percent == 100
    assert gora["total"].direction == "down"
    madh = lines(report)["BHMADH"].changes
    assert madh["total"].direction == "same"


def test_cluster_subtotals_and_the_total(books: World) -> None:
    report = total_billing(books.user("admin"), month=APRIL)
    subtotals = {g.subtotal.key: g.subtotal for g in report.groups}
    assert list(subtotals) == ["BH-NORTH", "BH-SOUTH", "UP-EAST"]
    north = subtotals["BH-NORTH"]
    assert (north.now.total, north.before.total) == (D("460.00"), D("500.00"))
    assert north.changes["total"].direction == "down"
    assert (north.now.billed, north.now.customers) == (2, 2)
    total = report.total
    assert (total.now.prepaid, total.now.postpaid) == (D("160.00"), D("500.00"))
    assert total.now.total == D("660.00")  # the other company's 999 is not here
    assert (total.now.billed, total.now.customers) == (3, 4)
    assert total.now.percent == D("75.0")
    assert total.before.total == D("760.00")


def test_the_default_month_is_the_latest_billed(books: World) -> None:
    report = total_billing(books.user("admin"))
    assert (report.month, report.previous) == (APRIL, MARCH)
    assert report.months == [APRIL, MARCH]


def test_a_cluster_incharge_sees_only_their_cluster(books: World) -> None:
    report = total_billing(books.user("cluster_incharge"), month=APRIL)
    assert [g.subtotal.key for g in report.groups] == ["BH-NORTH"]
    assert set(lines(report)) == {"BHKATS", "BHMADH"}
    assert report.total.now.total == D("460.00")


def test_a_csa_sees_their_plant_and_one_plant_can_be_chosen(books: World) -> None:
    assert set(lines(total_billing(books.user("csa"), month=APRIL))) == {"BHKATS"}
    sika = books.plants["BHSIKA"]
    report = total_billing(books.user("admin"), month=APRIL, plant=sika)
    assert set(lines(report)) == {"BHSIKA"}
    assert report.total.now.total == D("200.00")


def test_the_other_companys_admin_sees_only_their_bill(books: World) -> None:
    report = total_billing(books.user("other_admin"), month=APRIL)
    assert report.total.now.total == D("999.00")


@pytest.mark.parametrize("username", ["operator", "technician"])
def test_designations_without_billing_view_are_refused(
    books: World, username: str
) -> None:
    with pytest.raises(PermissionDenied):
        total_billing(books.user(username), month=APRIL)


def test_the_query_count_does_not_grow_with_plants(books: World) -> None:
    user = books.user("admin")
    total_billing(user, month=APRIL)  # warm the staff cache
    with CaptureQueriesContext(connection) as few:
        total_billing(user, month=APRIL)
    from tests.builders import build_plant

    for code in ("AAAA", "BBBB", "CCCC"):
        build_plant(books.clusters["BH-SOUTH"], code, poles=1)
    with CaptureQueriesContext(connection) as more:
        total_billing(user, month=APRIL)
    assert len(more) == len(few) <= 4


def test_an_empty_scope_shows_this_month(world: World) -> None:
    report = total_billing(world.user("admin"))
    assert report.months == []
    assert report.month.day == 1
    assert report.month <= timezone.localdate()


def test_who_counts_as_active_in_the_month(books: World) -> None:
    """Active some time in April: activated before May, and not switched off
    before April began."""
    tz = timezone.get_current_timezone()
    kats2 = Customer.objects.get(name="Second BHKATS")
    late = second_customer(books, "BHSIKA")  # activated in May: not yet
    activate(late, datetime(2026, 5, 3, tzinfo=tz))
    gone = Customer.objects.filter(pk=books.customers["UPGORA"].pk)
    gone.update(status="inactive", status_changed_at=datetime(2026, 3, 20, tzinfo=tz))
    Customer.objects.filter(pk=kats2.pk).update(
        status="banned", status_changed_at=datetime(2026, 4, 10, tzinfo=tz)
    )
    found = lines(total_billing(books.user("admin"), month=APRIL))
    assert found["BHKATS"].now.customers == 2  # banned in April: still counted
    assert found["BHSIKA"].now.customers == 1
    assert found["UPGORA"].now.customers == 0
    assert found["UPGORA"].before.customers == 1  # March: still active then
