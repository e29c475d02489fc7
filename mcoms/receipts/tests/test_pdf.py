"""The receipt PDF: a sound PDF (A5) in English and in Hindi whose text reads
back with every figure; Noto Sans Devanagari embedded only when a word needs
it; Helvetica when the fonts are missing (English), 503 for Hindi."""

from __future__ import annotations

import re

import pytest

from mcoms.billing.documents.fonts import BillFontMissing
from mcoms.payments.services import payment_reverse
from mcoms.receipts.render.data import receipt_doc
from mcoms.receipts.render.pdf import receipt_pdf
from mcoms.receipts.tests.conftest import Paid
from tests import pdf_reader


def render(paid: Paid, language: str) -> bytes:
    return receipt_pdf(receipt_doc(paid.receipt), language=language, compress=False)


def fonts_of(data: bytes) -> set[str]:
    return {m.decode() for m in re.findall(rb"/BaseFont /\w+\+([\w-]+)", data)}


def test_an_english_receipt_reads_back(paid: Paid) -> None:
    data = render(paid, "en")
    assert b"/MediaBox [0 0 419.53 595.28]" in data  # A5 in points
    text = pdf_reader.text(data)
    doc = receipt_doc(paid.receipt)
    for shown in [
        "Tara Urja Demo",
        "Payment receipt",
        "Receipt no.\nR-BHKATS-",
        doc.number,
        doc.paid_at.strftime("%d/%m/%Y %H:%M"),
        "Customer ID\nBHKATS00101",
        "Name\nCustomer BHKATS",
        "Amount paid\n₹ 120.50",
        "Paid by\nCash (point of sale)",
        "Energy charges\n₹ 179.50",
        "Water\n₹ 40.00",
        "Total outstanding\n₹ 219.50",
        "Received by\ncsa",
        "Scan to check this receipt is genuine",
    ]:
        assert shown in text, shown
    assert fonts_of(data) == {"NotoSans", "NotoSansBold"}
    assert data.count(b" re f") > 100  # the QR code's squares


def test_a_hindi_receipt_embeds_the_devanagari_font(paid: Paid) -> None:
    data = render(paid, "hi")
    text = pdf_reader.text(data)
    assert "भुगतान रसीद" in text  # Payment receipt
    assert "राशि" in text and "₹ 120.50" in text
    assert paid.receipt.number in text
    assert {"NotoSansDevanagari", "NotoSansDevanagariBold"} <= fonts_of(data)


def test_a_reversed_receipt_says_so(paid: Paid) -> None:
    payment_reverse(payment=paid.payment, reason="typo", by=paid.world.user("admin"))
    text = pdf_reader.text(render(paid, "en"))
    assert "REVERSED: this payment was undone" in text
    assert paid.receipt.number in text  # the number stays


def test_without_the_fonts(paid: Paid, settings: object, tmp_path: object) -> None:
    settings.BILL_FONT_LATIN = tmp_path / "none.ttf"  # type: ignore[attr-defined, operator]
    data = render(paid, "en")
    assert b"/BaseFont /Helvetica" in data
    assert "Amount paid\nRs. 120.50" in pdf_reader.text(data)
    with pytest.raises(BillFontMissing):
        render(paid, "hi")
