"""One receipt file in one format, for the download endpoints of every app
and the API: ``escpos`` (.bin for the thermal printer), ``png``, ``pdf``."""

from __future__ import annotations

from dataclasses import dataclass

from mcoms.org.models import Language
from mcoms.receipts.models import Receipt
from mcoms.receipts.qr import qr_code
from mcoms.receipts.render.data import ReceiptDoc, receipt_doc
from mcoms.receipts.render.escpos import receipt_escpos
from mcoms.receipts.render.pdf import receipt_pdf
from mcoms.receipts.render.png import receipt_png

FORMATS = {
    "escpos": ("application/octet-stream", "bin"),
    "png": ("image/png", "png"),
    "pdf": ("application/pdf", "pdf"),
}
RENDERERS = {"escpos": receipt_escpos, "png": receipt_png, "pdf": receipt_pdf}


@dataclass(frozen=True)
class ReceiptFile:
    data: bytes
    content_type: str
    filename: str


def language_or(receipt: Receipt, wanted: str) -> str:
    """``wanted`` when it is one of ours, else the receipt's (the customer's)."""
    codes = {code for code, _name in Language.choices}
    return wanted if wanted in codes else receipt.language


def receipt_file(receipt: Receipt, fmt: str, language: str = "") -> ReceiptFile:
    """The receipt as ``fmt`` (a key of ``FORMATS``; ``KeyError`` otherwise)."""
    content_type, ext = FORMATS[fmt]
    data = RENDERERS[fmt](receipt_doc(receipt), language=language_or(receipt, language))
    return ReceiptFile(data, content_type, f"{receipt.number}.{ext}")


def qr_svg(doc: ReceiptDoc) -> str:
    """The QR code as inline SVG for the web pages (no width: CSS sizes it)."""
    code = qr_code(doc.verify_url, doc.qr_mask)
    return code.svg_inline(scale=4, omitsize=True, title="QR")
