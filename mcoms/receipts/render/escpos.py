"""The receipt as ESC/POS bytes for the 58 mm Bluetooth thermal printers
field agents carry (384 dots, 32 columns of font A), by a small encoder of
our own (docs/decisions/0092).

* A receipt whose every word is plain ASCII (English; amounts say ``Rs.``)
  is printed as printer text: bold, double height and reverse video where
  the layout asks, 32 columns.
* Anything else (Hindi; an English receipt of a customer whose name is in
  Devanagari) is printed as one picture (``GS v 0`` raster bands), drawn by
  ``raster.receipt_image`` in Noto Sans Devanagari: these printers have no
  Devanagari code page and cannot shape it.
* The QR code is always a raster picture: every ESC/POS printer prints
  ``GS v 0``, while the cheapest lack the ``GS ( k`` QR commands.

The stream starts with ``ESC @`` (initialise) and ends with a feed and
``GS V`` (cut; printers without a cutter ignore it).
"""

from __future__ import annotations

from django.utils import translation
from PIL import Image

from mcoms.billing.documents.fonts import font_set
from mcoms.receipts.qr import mask_or_none
from mcoms.receipts.render.data import ReceiptDoc
from mcoms.receipts.render.ink import Ink
from mcoms.receipts.render.raster import THERMAL, qr_image, receipt_image
from mcoms.receipts.render.texts import Block, blocks

ESC, GS, LF = b"\x1b", b"\x1d", b"\n"
INIT = ESC + b"@"
CUT = GS + b"V" + bytes([66, 0])  # feed to the cutter and cut
COLUMNS = 32
DOTS = 384
BAND = 128  # raster rows per GS v 0 command (small printer buffers)


def align(n: int) -> bytes:
    """0 left, 1 centre, 2 right."""
    return ESC + b"a" + bytes([n])


def bold(on: bool) -> bytes:
    return ESC + b"E" + bytes([1 if on else 0])


def size(width: int = 1, height: int = 1) -> bytes:
    return GS + b"!" + bytes([(width - 1) << 4 | (height - 1)])


def reverse(on: bool) -> bytes:
    return GS + b"B" + bytes([1 if on else 0])


def feed(lines: int) -> bytes:
    return ESC + b"d" + bytes([lines])


def raster(image: Image.Image) -> bytes:
    """``GS v 0`` bands of a picture (greyscale: dark pixels print)."""
    width = (image.width + 7) // 8 * 8
    if width != image.width:
        padded = Image.new("L", (width, image.height), 255)
        padded.paste(image, (0, 0))
        image = padded
    dots = image.point(lambda v: 255 if v < 128 else 0).convert("1")
    data = dots.tobytes()
    row = width // 8
    out = bytearray()
    for top in range(0, image.height, BAND):
        rows = min(BAND, image.height - top)
        out += GS + b"v0" + bytes([0, row % 256, row // 256, rows % 256, rows // 256])
        out += data[top * row : (top + rows) * row]
    return bytes(out)


def _wrap(text: str, width: int = COLUMNS) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:  # a long reference or URL: cut it
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        trial = f"{current} {word}" if current else word
        if len(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


def _line(text: str) -> bytes:
    return text.encode("ascii") + LF


def _pair(label: str, value: str, columns: int = COLUMNS) -> bytes:
    if len(label) + 1 + len(value) <= columns:
        return _line(label + " " * (columns - len(label) - len(value)) + value)
    out = b"".join(_line(part) for part in _wrap(label, columns))
    return out + b"".join(_line(part.rjust(columns)) for part in _wrap(value, columns))


def _text_block(b: Block) -> bytes:
    if b.kind == "title":
        body = b"".join(_line(part) for part in _wrap(b.text))
        return align(1) + bold(True) + size(1, 2) + body + size() + bold(False)
    if b.kind == "text":
        body = b"".join(_line(part) for part in _wrap(b.text))
        return align(1) + bold(b.bold) + body + bold(False)
    if b.kind == "pair":
        return align(0) + bold(b.bold) + _pair(b.text, b.value) + bold(False)
    if b.kind == "big":
        value = b.value.rjust(COLUMNS // 2)
        return (
            align(0)
            + _line(b.text)
            + bold(True)
            + size(2, 2)
            + _line(value)
            + (size() + bold(False))
        )
    if b.kind == "banner":
        body = b"".join(_line(part) for part in _wrap(b.text))
        return (
            align(1) + reverse(True) + bold(True) + body + bold(False) + reverse(False)
        )
    if b.kind == "rule":
        return align(0) + _line("-" * COLUMNS)
    qr = qr_image(b.text, THERMAL.qr_scale, mask_or_none(b.value))
    centred = Image.new("L", (DOTS, qr.height), 255)
    centred.paste(qr, ((DOTS - qr.width) // 2, 0))
    return align(0) + raster(centred)


def _printable(layout: list[Block]) -> bool:
    return all((b.text + b.value).isascii() for b in layout)


def receipt_escpos(doc: ReceiptDoc, *, language: str) -> bytes:
    """The print job, in ``language`` (``en`` or ``hi``)."""
    with translation.override(language):
        layout = blocks(doc, symbol="Rs.")
        if not _printable(layout):
            image = receipt_image(blocks(doc), style=THERMAL, ink=Ink(font_set()))
            return INIT + align(0) + raster(image) + feed(4) + CUT
    body = b"".join(_text_block(b) for b in layout)
    return INIT + body + feed(4) + CUT
