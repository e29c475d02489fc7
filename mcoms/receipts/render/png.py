"""The receipt as a PNG "screenshot" to share (manual 2.2.5: for customers
without the app; the Print button's fallback when no printer is connected):
576 pixels wide, greyscale, the height its content needs."""

from __future__ import annotations

import io

from django.utils import translation

from mcoms.billing.documents.fonts import font_set
from mcoms.receipts.render.data import ReceiptDoc
from mcoms.receipts.render.ink import Ink
from mcoms.receipts.render.raster import IMAGE, receipt_image
from mcoms.receipts.render.texts import blocks

WIDTH = IMAGE.width


def receipt_png(doc: ReceiptDoc, *, language: str, engine: str | None = None) -> bytes:
    """The image in ``language``; ``engine`` picks the text shaper (``raqm``
    or ``harfbuzz``; default: raqm when this Pillow has it). Without the
    Noto fonts: ``BillFontMissing`` (503)."""
    ink = Ink(font_set(), engine=engine)
    with translation.override(language):
        image = receipt_image(blocks(doc), style=IMAGE, ink=ink)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()
