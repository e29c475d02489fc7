"""The ESC/POS print job for 58 mm printers: initialise first, cut last, only
commands the encoder knows; an English receipt as 32-column printer text
with the QR code as a raster picture that holds the verification link; a
Hindi receipt (or a Devanagari name) as one raster picture 384 dots wide."""

from __future__ import annotations

from django.utils import translation
from PIL import Image

from mcoms.billing.documents.fonts import font_set
from mcoms.customers.models import Customer
from mcoms.payments.services import payment_reverse
from mcoms.receipts.render.data import receipt_doc
from mcoms.receipts.render.escpos import COLUMNS, DOTS, receipt_escpos
from mcoms.receipts.render.ink import Ink
from mcoms.receipts.render.raster import THERMAL, qr_matrix, receipt_image
from mcoms.receipts.render.texts import blocks
from mcoms.receipts.tests.conftest import Paid
from mcoms.receipts.tests.escpos_kit import read, stacked

INIT, CUT = b"\x1b@", b"\x1dVB\x00"


def modules_of(picture: Image.Image, scale: int) -> list[list[int]]:
    """Read the QR modules back from the printed picture (ink = 1), by the
    centre pixel of each module, from the code's top-left finder corner."""
    ink = picture.convert("L").point(lambda v: 1 if v < 128 else 0)
    box = ink.getbbox()
    assert box is not None
    left, top, right, _bottom = box
    n = (right - left) // scale
    return [
        [
            ink.getpixel((left + c * scale + scale // 2, top + r * scale + scale // 2))
            for c in range(n)
        ]
        for r in range(n)
    ]


def test_an_english_receipt_is_printer_text_and_a_qr_picture(paid: Paid) -> None:
    doc = receipt_doc(paid.receipt)
    data = receipt_escpos(doc, language="en")
    assert data.startswith(INIT) and data.endswith(CUT)
    printed = read(data)
    text = printed.text
    for shown in [
        "Tara Urja Demo",
        "Payment receipt",
        f"Receipt no. {doc.number}",
        "Customer ID          BHKATS00101",
        "Name             Customer BHKATS",
        "Rs. 120.50",
        "Paid by     Cash (point of sale)",
        "Energy charges        Rs. 120.50",  # paid for
        "Energy charges        Rs. 179.50",  # outstanding after
        "Water                  Rs. 40.00",
        "Total outstanding     Rs. 219.50",
        "Received by                  csa",
    ]:
        assert shown in text, shown
    assert doc.paid_at.strftime("%d/%m/%Y %H:%M") in text
    assert all(len(line) <= COLUMNS for line, _style in printed.lines)
    assert printed.style_of("Rs. 120.50")["size"] == 0x11  # double width, height
    assert printed.style_of("Total outstanding")["bold"] == 1
    # the QR code: raster bands 384 dots wide holding the verification link
    assert printed.rasters and all(r.width == DOTS for r in printed.rasters)
    picture = stacked(printed.rasters)
    assert modules_of(picture, THERMAL.qr_scale) == [
        list(row) for row in qr_matrix(doc.verify_url, doc.qr_mask)
    ]


def test_a_hindi_receipt_is_one_picture(paid: Paid) -> None:
    doc = receipt_doc(paid.receipt)
    data = receipt_escpos(doc, language="hi")
    assert data.startswith(INIT) and data.endswith(CUT)
    printed = read(data)
    assert printed.lines == []  # no printer text: the printer has no Devanagari
    assert all(r.width == DOTS for r in printed.rasters)
    assert all(r.height <= 128 for r in printed.rasters)
    picture = stacked(printed.rasters)
    with translation.override("hi"):
        expected = receipt_image(blocks(doc), style=THERMAL, ink=Ink(font_set()))
    assert picture.size == expected.size
    same = expected.point(lambda v: 0 if v < 128 else 255)
    assert list(picture.getdata()) == list(same.getdata())
    assert picture.getbbox() is not None  # ink on the paper


def test_a_devanagari_name_makes_an_english_receipt_a_picture(paid: Paid) -> None:
    customer = paid.world.customers["BHKATS"]
    Customer.objects.filter(pk=customer.pk).update(name="रमेश कुमार")
    data = receipt_escpos(receipt_doc(paid.receipt), language="en")
    printed = read(data)
    assert printed.lines == [] and printed.rasters


def test_a_reversed_receipt_prints_a_reverse_video_banner(paid: Paid) -> None:
    payment_reverse(payment=paid.payment, reason="typo", by=paid.world.user("admin"))
    printed = read(receipt_escpos(receipt_doc(paid.receipt), language="en"))
    assert "REVERSED: this payment was" in printed.text
    assert printed.style_of("REVERSED")["reverse"] == 1
    assert printed.lines[-1][1]["reverse"] == 0  # switched off again


def test_long_values_wrap_inside_32_columns(paid: Paid) -> None:
    customer = paid.world.customers["BHKATS"]
    Customer.objects.filter(pk=customer.pk).update(
        name="Shri Bhagwan Prasad Singh Chaudhary of Katsa Village"
    )
    printed = read(receipt_escpos(receipt_doc(paid.receipt), language="en"))
    assert all(len(line) <= COLUMNS for line, _style in printed.lines)
    assert "Name" in printed.text and "Chaudhary of Katsa" in printed.text
