"""The bill PDF: a sound PDF in English and in Hindi (shaped Devanagari in an
embedded Noto font), what it shows, and the set-up fault of a missing font."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mcoms.billing.documents.data import bill_document
from mcoms.billing.documents.fonts import BillFontMissing, fonts_installed
from mcoms.billing.documents.pdf import bill_pdf
from mcoms.billing.documents.tests.conftest import Billed
from tests import pdf_reader
from tests.bill_kit import make_bill, month

VIRAMA = "\u094d"


@pytest.fixture(autouse=True)
def _fonts_present() -> None:
    assert fonts_installed(), (
        "The bill fonts are missing: apt-get install fonts-noto-core "
        "(.ci/run and make venv install it as root)."
    )


def render(bill: Any, language: str) -> bytes:
    return bill_pdf(bill_document(bill), language=language, compress=False)


def test_an_english_bill_is_a_pdf_with_every_figure(billed: Billed) -> None:
    data = render(billed.april, "en")
    text = pdf_reader.text(data)
    for shown in [
        "Tara Urja Demo",
        "Plant: BHKATS · Kats",
        "BHKATS-2026-000002",
        "BHKATS00101",
        "Customer BHKATS",
        "B1.1(FD)/500/50",  # the package ID
        "Post-paid metered",
        "April 2026",
        "Previous balance\n₹ 436.75",
        "Payments and credits since the last bill\n−₹ 400.00",
        "New charges\n₹ 562.50",
        "Amount due\n₹ 599.25",
        "Due date: 16/05/2026",
        "Energy charges",
        "Instalment: Fan, instalment 3 of 12",
        "Subtotal: Appliance instalments\n₹ 125.75",
        "ESTIMATED BILL",
        "Consumption billed: 45.500 kWh (estimated)",
    ]:
        assert shown in text, shown
    assert "No meter reading in this period." in text  # April has none


def test_the_readings_of_the_period_are_shown(billed: Billed) -> None:
    text = pdf_reader.text(render(billed.march, "en"))
    assert "28/03/2026\nSM-0001\n1234.500\n45.500" in text
    assert "ESTIMATED BILL" not in text
    assert "Amount due\n₹ 436.75" in text


def test_a_hindi_bill_has_shaped_devanagari_in_an_embedded_font(
    billed: Billed,
) -> None:
    data = render(billed.april, "hi")
    pdf = pdf_reader.parse(data)
    fonts = b"".join(pdf.objects.values())
    assert b"/BaseFont /MPDFAA+NotoSansDevanagari" in fonts
    assert len(re.findall(rb"/FontFile2 \d+ 0 R", fonts)) >= 2  # embedded
    text = pdf_reader.text(data)
    for shown in ["बिजली बिल", "देय राशि\n₹ 599.25", "अनुमानित बिल", "अप्रैल 2026"]:
        assert shown in text, shown
    assert "BHKATS-2026-000002" in text  # Latin from the fallback font
    # Shaping: glyphs that stand for a conjunct or a consonant with its
    # virama (क्ष, प्र ...) map to several characters in the ToUnicode maps.
    clusters = re.findall(rb"<[0-9A-F]{4}> <((?:[0-9A-F]{4}){2,})>", data)
    decoded = {bytes.fromhex(c.decode()).decode("utf-16-be") for c in clusters}
    assert any(VIRAMA in c for c in decoded), decoded


def test_a_hindi_bill_without_the_font_is_refused_clearly(
    billed: Billed, settings: Any, tmp_path: Path
) -> None:
    settings.BILL_FONT_DEVANAGARI = tmp_path / "NotoSansDevanagari-Regular.ttf"
    with pytest.raises(BillFontMissing) as caught:
        render(billed.april, "hi")
    assert caught.value.code == "bill_font_missing"
    assert caught.value.status == 503
    assert "fonts-noto-core" in caught.value.message


def test_an_english_bill_without_the_fonts_uses_the_core_font(
    billed: Billed, settings: Any, tmp_path: Path
) -> None:
    settings.BILL_FONT_LATIN = tmp_path / "none.ttf"
    data = render(billed.april, "en")
    assert b"/BaseFont /Helvetica" in data
    text = pdf_reader.text(data)
    assert "Amount due\nRs. 599.25" in text
    assert "Payments and credits since the last bill\n-Rs. 400.00" in text


def test_an_unknown_language_is_english(billed: Billed) -> None:
    text = pdf_reader.text(render(billed.march, "fr"))
    assert "Electricity bill" in text


def test_a_bill_in_credit_says_nothing_to_pay(billed: Billed) -> None:
    bill = make_bill(
        billed.customer, month(2026, 5), {"CHG": "100.00"}, previous="-300.00"
    )
    text = pdf_reader.text(render(bill, "en"))
    assert "Amount due (In credit: nothing to pay)\n−₹ 200.00" in text


def test_an_unmetered_bill_has_no_readings(billed: Billed) -> None:
    bill = make_bill(
        billed.customer, month(2026, 6), {"CHG": "300.00"}, billing_type="prepaid"
    )
    text = pdf_reader.text(render(bill, "en"))
    assert "Meter readings used" not in text
    assert "Pre-paid" in text


def test_indian_digit_grouping() -> None:
    from decimal import Decimal

    from mcoms.billing.documents.texts import money

    assert money(Decimal("1234567.5")) == "₹ 12,34,567.50"
    assert money(Decimal("-999.99"), symbol="") == "−999.99"
    assert money(Decimal("100000")) == "₹ 1,00,000.00"
