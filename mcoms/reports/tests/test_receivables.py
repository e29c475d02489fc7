"""Receivable: per plant, billed in the month and outstanding per customer,
filtered by status and service, searched, sorted, with the total bar; the
plant picker's counts; the scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.org.models import Pole
from mcoms.reports.receivables import receivable_plants, receivables
from mcoms.reports.tests.money_kit import at, cash_at, charge_at
from tests.builders import World

D = Decimal
TODAY = timezone.localdate()
THIS = TODAY.replace(day=1)
BEFORE = (THIS - timedelta(days=1)).replace(day=1)


@pytest.fixture
def books(world: World) -> World:
    """BHKATS00101 (active): 300 energy last month, 100 energy + 50 water this
    month, paid 120. BHKATS00201 "Ravi Kumar" (banned): 500 energy last month.
    BHKATS00202 "Sita Devi" (new): nothing."""
    a = world.customers["BHKATS"]
    Customer.objects.filter(pk=a.pk).update(status="active")
    charge_at(a, "300", at(BEFORE))
    charge_at(a, "100", at(THIS))
    charge_at(a, "50", at(THIS), service="WATER")
    cash_at(a, "120", world.user("csa"), service="CHG")
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=2)
    b = customer_create(pole=pole, name="Ravi Kumar", phone="+919800000031", by=None)
    Customer.objects.filter(pk=b.pk).update(status="banned")
    charge_at(b, "500", at(BEFORE))
    c = customer_create(pole=pole, name="Sita Devi", phone="+919800000032", by=None)
    Customer.objects.filter(pk=c.pk).update(status="new")
    return world


def rows(report):  # type: ignore[no-untyped-def]
    return [(c.customer_id, c.billed, c.outstanding) for c in report.customers]


def test_billed_in_the_month_and_outstanding_sorted_by_outstanding(
    books: World,
) -> None:
    report = receivables(books.user("csa"), plant=books.plants["BHKATS"], month=THIS)
    assert rows(report) == [
        ("BHKATS00201", D("0.00"), D("500.00")),
        ("BHKATS00101", D("150.00"), D("330.00")),
        ("BHKATS00202", D("0.00"), D("0.00")),
    ]
    assert (report.count, report.billed, report.outstanding) == (
        3,
        D("150.00"),
        D("830.00"),
    )


def test_sorted_by_billed_and_last_month(books: World) -> None:
    report = receivables(
        books.user("csa"), plant=books.plants["BHKATS"], month=BEFORE, sort="billed"
    )
    assert rows(report)[:2] == [
        ("BHKATS00201", D("500.00"), D("500.00")),
        ("BHKATS00101", D("300.00"), D("330.00")),
    ]


def test_filtered_by_status_and_service(books: World) -> None:
    plant, user = books.plants["BHKATS"], books.user("csa")
    active = receivables(user, plant=plant, month=THIS, status="active")
    assert [c.customer_id for c in active.customers] == ["BHKATS00101"]
    inactive = receivables(user, plant=plant, month=THIS, status="inactive")
    assert [c.customer_id for c in inactive.customers] == ["BHKATS00201"]
    water = receivables(user, plant=plant, month=THIS, service="WATER")
    assert rows(water)[0] == ("BHKATS00101", D("50.00"), D("50.00"))
    assert water.outstanding == D("50.00")


def test_search_by_name_or_customer_id(books: World) -> None:
    plant, user = books.plants["BHKATS"], books.user("csa")
    by_name = receivables(user, plant=plant, q="ravi kum")
    assert [c.customer_id for c in by_name.customers] == ["BHKATS00201"]
    by_id = receivables(user, plant=plant, q="bhkats0020")
    assert {c.customer_id for c in by_id.customers} == {"BHKATS00201", "BHKATS00202"}
    assert by_id.count == 2


def test_unknown_filters_fall_back(books: World) -> None:
    report = receivables(
        books.user("csa"),
        plant=books.plants["BHKATS"],
        status="zzz",
        service="NOPE",
        sort="name; drop",
    )
    assert (report.status, report.service, report.sort) == ("all", "", "outstanding")


def test_the_plant_picker_counts_customers(books: World) -> None:
    counts = {p.key: p.n for p in receivable_plants(books.user("cluster_incharge"))}
    assert counts == {"BHKATS": 3, "BHMADH": 0}


def test_designations_without_receivable_view_are_refused(books: World) -> None:
    with pytest.raises(PermissionDenied):
        receivables(books.user("technician"), plant=books.plants["BHKATS"])
    report = receivables(books.user("operator"), plant=books.plants["BHKATS"])
    assert report.count == 3


def test_the_default_month_is_the_latest_bill_or_this_month(books: World) -> None:
    report = receivables(books.user("csa"), plant=books.plants["BHKATS"])
    assert report.month == THIS
    assert isinstance(report.month, date)
