"""The receipt drawn as a picture (Pillow, greyscale): the shareable image
(``IMAGE``, 576 px wide) and the thermal print-out of a receipt that plain
printer text cannot carry, e.g. Hindi (``THERMAL``, the 384 dots of 58 mm
paper). Both draw the same ``texts.blocks``; the QR code comes from segno."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from mcoms.receipts.qr import mask_or_none, qr_code
from mcoms.receipts.render.ink import Ink
from mcoms.receipts.render.texts import Block

WHITE, BLACK = 255, 0
Op = tuple[Any, ...]  # ("text", x, baseline, text, size, bold, fill), ("box", ...)


@dataclass(frozen=True)
class Style:
    width: int  # pixels
    margin: int
    size: int  # text
    small: int
    title: int
    big: int  # the amount
    qr_scale: int  # pixels per QR module
    gap: int  # between blocks


THERMAL = Style(
    width=384, margin=6, size=22, small=19, title=28, big=32, qr_scale=5, gap=2
)
IMAGE = Style(
    width=576, margin=28, size=26, small=22, title=34, big=40, qr_scale=6, gap=4
)


def qr_matrix(url: str, mask: int | None = None) -> tuple[bytearray, ...]:
    """The QR code's modules (1 dark), no quiet zone."""
    return qr_code(url, mask).matrix


def qr_image(url: str, scale: int, mask: int | None = None) -> Image.Image:
    """The QR code with its quiet zone of 4 modules, black on white."""
    matrix = qr_matrix(url, mask)
    n = len(matrix)
    data = b"".join(bytes(row) for row in matrix)
    modules = Image.frombytes("L", (n, n), data).point(lambda v: BLACK if v else WHITE)
    out = Image.new("L", ((n + 8) * scale, (n + 8) * scale), WHITE)
    big = modules.resize((n * scale, n * scale), Image.Resampling.NEAREST)
    out.paste(big, (4 * scale, 4 * scale))
    return out


class _Layout:
    """Places the blocks top to bottom; ``ops`` draw them once the height
    is known."""

    def __init__(self, style: Style, ink: Ink) -> None:
        self.style, self.ink = style, ink
        self.inner = style.width - 2 * style.margin
        self.y = style.margin
        self.ops: list[Op] = []

    def line_height(self, size: int) -> int:
        return round(size * 1.5)

    def wrap(self, text: str, size: int, bold: bool, width: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split():
            trial = f"{current} {word}" if current else word
            if current and self.ink.width(trial, size, bold) > width:
                lines.append(current)
                current = word
            else:
                current = trial
        return [*lines, current] if current else lines or [""]

    def text_line(
        self, text: str, size: int, bold: bool, align: str, fill: int = BLACK
    ) -> None:
        width = self.ink.width(text, size, bold)
        m = self.style.margin
        x = {"l": m, "r": m + self.inner - width, "c": m + (self.inner - width) / 2}
        baseline = self.y + round(size * 1.12)
        self.ops.append(("text", x[align], baseline, text, size, bold, fill))
        self.y += self.line_height(size)

    def paragraph(self, text: str, size: int, bold: bool, align: str) -> None:
        for line in self.wrap(text, size, bold, self.inner):
            self.text_line(line, size, bold, align)

    def pair(self, label: str, value: str, size: int, bold: bool) -> None:
        s = self.style
        lw = self.ink.width(label, s.size)
        vw = self.ink.width(value, size, bold)
        if lw + vw + s.size <= self.inner:
            baseline = self.y + round(max(size, s.size) * 1.12)
            right = s.margin + self.inner - vw
            self.ops.append(("text", s.margin, baseline, label, s.size, False, BLACK))
            self.ops.append(("text", right, baseline, value, size, bold, BLACK))
            self.y += self.line_height(max(size, s.size))
            return
        self.paragraph(label, s.size, False, "l")
        for line in self.wrap(value, size, bold, self.inner):
            self.text_line(line, size, bold, "r")

    def banner(self, text: str) -> None:
        s = self.style
        lines = self.wrap(text, s.size, True, self.inner - 2 * s.gap)
        top, height = self.y, self.line_height(s.size) * len(lines) + 2 * s.gap
        box = (s.margin, top, s.margin + self.inner, top + height)
        self.ops.append(("box", box))
        self.y += s.gap
        for line in lines:
            self.text_line(line, s.size, True, "c", fill=WHITE)
        self.y = top + height

    def rule(self) -> None:
        s = self.style
        y = self.y + s.small // 2
        dash = max(4, s.small // 3)
        for x in range(s.margin, s.margin + self.inner, dash * 2):
            self.ops.append(("box", (x, y, x + dash, y + 1)))
        self.y += s.small

    def qr(self, url: str, mask: int | None) -> None:
        code = qr_image(url, self.style.qr_scale, mask)
        at = ((self.style.width - code.width) // 2, self.y)
        self.ops.append(("image", code, at))
        self.y += code.height

    def block(self, b: Block) -> None:
        s = self.style
        size = s.small if b.small else s.size
        if b.kind == "title":
            self.paragraph(b.text, s.title, True, "c")
        elif b.kind == "text":
            self.paragraph(b.text, size, b.bold, "c")
        elif b.kind == "pair":
            self.pair(b.text, b.value, size, b.bold)
        elif b.kind == "big":
            self.pair(b.text, b.value, s.big, True)
        elif b.kind == "banner":
            self.banner(b.text)
        elif b.kind == "rule":
            self.rule()
        elif b.kind == "qr":
            self.qr(b.text, mask_or_none(b.value))
        self.y += s.gap


def receipt_image(blocks: list[Block], *, style: Style, ink: Ink) -> Image.Image:
    """The receipt as a greyscale picture ``style.width`` wide."""
    layout = _Layout(style, ink)
    for b in blocks:
        layout.block(b)
    height = layout.y + style.margin
    image = Image.new("L", (style.width, height), WHITE)
    draw = ImageDraw.Draw(image)
    for op in layout.ops:
        if op[0] == "text":
            _kind, x, baseline, text, size, bold, fill = op
            ink.draw(draw, (x, baseline), text, size, bold, fill)
        elif op[0] == "box":
            draw.rectangle(op[1], fill=BLACK)
        else:
            image.paste(op[1], op[2])
    return image
