"""The receipt in the apps: the field app's receipt page (Print, Share image,
PDF, Send SMS; light enough for a village phone), its files in either
language, the customer's transactions identical in the field app and the
customer app, the customer's receipt page and files."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from mcoms.notifications.models import Message
from mcoms.receipts.models import ReceiptSend
from mcoms.receipts.tests.conftest import Paid
from mcoms.receipts.tests.escpos_kit import read
from tests.builders import customer_user

FIELD_BUDGET = 50 * 1024


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_field_receipt_page(paid: Paid) -> None:
    number = paid.receipt.number
    html = client_for(paid.world.user("csa")).get(f"/field/receipts/{number}/")
    body = html.content.decode()
    assert f'data-receipt="{number}"' in body
    assert f'data-bin="/field/receipts/{number}.bin"' in body
    assert f'data-png="/field/receipts/{number}.png"' in body
    assert 'data-action="print"' in body and 'data-action="share"' in body
    assert f'href="/field/receipts/{number}.pdf"' in body
    assert f'action="/field/receipts/{number}/sms/"' in body  # the CSA may send
    assert "<svg" in body and f'href="{settings.PUBLIC_BASE_URL}/r/' in body
    assert "₹ 120.50" in body and "₹ 219.50" in body  # paid, outstanding after
    assert 'src="/static/field/receipt.js"' in body


def test_the_page_is_light(paid: Paid) -> None:
    """First load: the page, the two stylesheets and the script."""
    page = client_for(paid.world.user("csa")).get(
        f"/field/receipts/{paid.receipt.number}/"
    )
    assets = ["css/mcoms.css", "field/field.css", "field/receipt.js"]
    sizes = [Path(str(finders.find(a))).stat().st_size for a in assets]
    total = len(page.content) + sum(sizes)
    assert total <= FIELD_BUDGET, total


def test_the_files_in_either_language(paid: Paid) -> None:
    csa = client_for(paid.world.user("csa"))
    number = paid.receipt.number
    hindi = csa.get(f"/field/receipts/{number}.bin")  # the customer's language
    assert hindi["Content-Type"] == "application/octet-stream"
    assert hindi["Content-Disposition"] == f'attachment; filename="{number}.bin"'
    assert read(hindi.content).lines == []  # Hindi: one raster picture
    english = csa.get(f"/field/receipts/{number}.bin?lang=en")
    assert "Total outstanding     Rs. 219.50" in read(english.content).text
    png = csa.get(f"/field/receipts/{number}.png")
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    pdf = csa.get(f"/field/receipts/{number}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert csa.get(f"/field/receipts/{number}.exe").status_code == 404


def test_send_sms_from_the_field_app_once_per_form(paid: Paid) -> None:
    csa = client_for(paid.world.user("csa"))
    url = f"/field/receipts/{paid.receipt.number}/sms/"
    key = str(uuid.uuid4())
    before = Message.objects.count()
    first = csa.post(url, {"key": key}, follow=True)
    assert "The receipt SMS is on its way." in first.content.decode()
    again = csa.post(url, {"key": key}, follow=True)
    assert "This SMS was already sent." in again.content.decode()
    assert Message.objects.count() == before + 1
    bad = csa.post(url, {"key": str(uuid.uuid4()), "phone": "12"}, follow=True)
    assert "not a valid mobile number" in bad.content.decode()
    assert ReceiptSend.objects.filter(receipt=paid.receipt).count() == 2


def test_add_transaction_leads_to_the_receipt(paid: Paid) -> None:
    response = client_for(paid.world.user("csa")).get(
        f"/field/payments/{paid.payment.uid}/receipt/"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/field/receipts/{paid.receipt.number}/"


LIST = re.compile(r'<ul class="plain transactions">.*?</ul>', re.S)


def listed(html: str) -> str:
    """The transaction list's words and numbers, without links and tags."""
    found = LIST.search(html)
    assert found, html
    text = re.sub(r"<[^>]+>", " ", found.group(0))
    return " ".join(text.split())


def test_the_customer_sees_what_the_agent_sees(paid: Paid) -> None:
    paid.pay("30.00", service="WATER")
    agent = client_for(paid.world.user("csa")).get(
        "/field/consumers/BHKATS00101/transactions/"
    )
    customer = client_for(customer_user(paid.world)).get(
        "/selfcare/a/BHKATS00101/transactions/"
    )
    seen = listed(customer.content.decode())
    assert listed(agent.content.decode()) == seen
    assert seen.index("30.00") < seen.index("120.50")  # newest first
    assert paid.receipt.number in seen and "Water 30.00" in seen


def test_the_customers_receipt_page_and_files(paid: Paid) -> None:
    me = client_for(customer_user(paid.world))
    base = f"/selfcare/a/BHKATS00101/receipts/{paid.receipt.number}"
    page = me.get(base + "/").content.decode()
    assert "भुगतान रसीद" not in page and "Payment receipt" in page  # UI: English
    assert f'href="{base}.png"' in page and f'href="{base}.pdf"' in page
    png = me.get(base + ".png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    pdf = me.get(base + ".pdf?lang=en")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    dashboard = me.get("/selfcare/a/BHKATS00101/").content.decode()
    assert 'href="/selfcare/a/BHKATS00101/transactions/"' in dashboard


def test_a_missing_font_is_a_clear_503(
    paid: Paid, settings: Any, tmp_path: Path
) -> None:
    settings.BILL_FONT_DEVANAGARI = tmp_path / "none.ttf"
    me = client_for(customer_user(paid.world))
    url = f"/selfcare/a/BHKATS00101/receipts/{paid.receipt.number}.png"
    response = me.get(url)
    assert response.status_code == 503
    assert "The receipt cannot be shown just now" in response.content.decode()
    api = client_for(paid.world.user("csa"))
    body = api.get(f"/api/v1/receipts/{paid.receipt.number}/png/").json()
    assert body["code"] == "bill_font_missing"


def test_the_pages_in_hindi(paid: Paid) -> None:
    csa = client_for(paid.world.user("csa"))
    csa.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    body = csa.get(f"/field/receipts/{paid.receipt.number}/").content.decode()
    assert "भुगतान रसीद" in body and "प्रिंट" in body and "एसएमएस भेजें" in body
    me = client_for(customer_user(paid.world))
    me.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    body = me.get("/selfcare/a/BHKATS00101/transactions/").content.decode()
    assert "लेन-देन" in body and "रसीद" in body
