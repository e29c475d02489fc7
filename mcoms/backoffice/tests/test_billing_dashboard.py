"""The back office's Total Billing page and the staff bill PDF."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mcoms.billing.models import Bill
from tests.bill_kit import activate, make_bill, month
from tests.builders import World

URL = "/backoffice/reports/total-billing/"
APRIL, MARCH = month(2026, 4), month(2026, 3)


@pytest.fixture
def books(world: World) -> World:
    for customer in world.customers.values():
        activate(customer)
    make_bill(
        world.customers["BHKATS"], APRIL, {"CHG": "160.00"}, billing_type="prepaid"
    )
    make_bill(
        world.customers["BHKATS"], MARCH, {"CHG": "200.00"}, billing_type="prepaid"
    )
    make_bill(world.customers["BHSIKA"], APRIL, {"CHG": "300.00"})
    make_bill(world.customers["UPGORA"], APRIL, {"CHG": "50.00"})
    return world


def cell(html: str, row: str, col: str) -> str:
    """The text of one cell: ``row`` is a data-plant / data-cluster marker."""
    tr = re.search(rf"<tr[^>]*{row}[^>]*>(.*?)</tr>", html, re.S)
    assert tr, row
    td = re.search(rf'data-col="{col}">(.*?)</td>', tr.group(1), re.S)
    assert td, (row, col)
    return td.group(1)


def test_the_table_with_arrows_subtotals_total_and_chart(
    books: World, as_user: Callable[[str], Client]
) -> None:
    html = as_user("admin").get(URL).content.decode()
    assert 'data-month="2026-04"' in html  # the latest month billed
    kats = cell(html, 'data-plant="BHKATS"', "prepaid")
    assert kats.startswith("160.00") and 'class="mom down"' in kats
    sika = cell(html, 'data-plant="BHSIKA"', "postpaid")
    assert sika.startswith("300.00") and 'class="mom up"' in sika
    assert cell(html, 'data-plant="BHKATS"', "percent").startswith("100.0%")
    assert cell(html, 'data-plant="BHMADH"', "percent").startswith("—")
    assert cell(html, 'data-cluster="BH-NORTH"', "total").startswith("160.00")
    assert 'class="subtotal" data-cluster="BH-SOUTH"' in html
    assert cell(html, "data-total", "total").startswith("510.00")
    assert "Amount billed to prepaid customers" in html
    assert "Percentage of customers billed" in html
    start = html.index('<div class="chart card">')
    chart = html[start : html.index("</svg>", start)]
    assert "<svg" in chart and "<script" not in chart


def test_the_month_and_plant_filters(
    books: World, as_user: Callable[[str], Client]
) -> None:
    admin = as_user("admin")
    html = admin.get(URL, {"month": "2026-03", "plant": "BHKATS"}).content.decode()
    assert 'data-month="2026-03"' in html
    assert re.findall(r'data-plant="(\w+)"', html) == ["BHKATS"]
    assert cell(html, 'data-plant="BHKATS"', "prepaid").startswith("200.00")
    bad = admin.get(URL, {"month": "April"})
    assert bad.status_code == 200
    assert "Choose a month as YYYY-MM." in bad.content.decode()


def test_a_cluster_incharge_sees_their_cluster_only(
    books: World, as_user: Callable[[str], Client]
) -> None:
    client = as_user("cluster_incharge")
    html = client.get(URL).content.decode()
    assert re.findall(r'data-plant="(\w+)"', html) == ["BHKATS", "BHMADH"]
    assert "BHSIKA" not in html and "UPGORA" not in html
    assert cell(html, "data-total", "total").startswith("160.00")
    assert client.get(URL, {"plant": "UPGORA"}).status_code == 404


def test_the_query_count_is_small(
    books: World, as_user: Callable[[str], Client]
) -> None:
    client = as_user("admin")
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    assert len(queries) <= 12, [q["sql"][:80] for q in queries]


def test_the_nav_links_the_page(books: World, as_user: Callable[[str], Client]) -> None:
    html = as_user("state_incharge").get("/backoffice/").content.decode()
    assert f'href="{URL}"' in html


def test_a_staff_member_downloads_a_bill_in_scope(
    books: World, as_user: Callable[[str], Client]
) -> None:
    bill = Bill.objects.get(plant=books.plants["UPGORA"])
    url = f"/backoffice/billing/bills/{bill.number}/pdf/"
    response = as_user("admin").get(url, {"lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"/Lang (en)" in response.content
    assert as_user("cluster_incharge").get(url).status_code == 404
    assert as_user("other_admin").get(url).status_code == 404


def test_the_page_reads_in_hindi(
    books: World, as_user: Callable[[str], Client]
) -> None:
    client = as_user("ho_manager")
    client.post("/i18n/setlang/", {"language": "hi", "next": URL})
    html = client.get(URL).content.decode()
    assert "कुल बिलिंग" in html  # Total Billing
    assert "प्रीपेड ग्राहकों को बिल की गई राशि" in html
    assert "बिल किए गए ग्राहकों का प्रतिशत" in html
    assert "Percentage of customers billed" not in html


def test_the_bill_page_links_its_pdf(
    books: World, as_user: Callable[[str], Client]
) -> None:
    bill = Bill.objects.get(plant=books.plants["BHSIKA"])
    html = as_user("admin").get(f"/backoffice/billing/bills/{bill.number}/")
    pdf = f"/backoffice/billing/bills/{bill.number}/pdf/"
    assert f'href="{pdf}"' in html.content.decode()
    assert f'href="{pdf}?lang=hi"' in html.content.decode()
