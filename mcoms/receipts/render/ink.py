"""Text onto Pillow images in Noto Sans, with Noto Sans Devanagari for Hindi,
shaped (conjuncts, vowel signs before the consonant): the receipt image and
the thermal print-out of a Hindi receipt (docs/decisions/0093).

Two engines give the same result:

* ``raqm``: Pillow's own layout with libraqm (HarfBuzz inside), when this
  Pillow has it (``PIL.features.check("raqm")``; Pillow's wheels load it when
  the system has FriBiDi).
* ``harfbuzz``: otherwise. The run is shaped with uharfbuzz (the PDFs' shaper)
  and each glyph's outline is filled from the font's curves, drawn four times
  larger and scaled down (anti-aliased).

A line mixing scripts is cut into runs: Devanagari letters in the Devanagari
font, other letters in Noto Sans; digits, spaces and punctuation stay in the
run they are in.
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import uharfbuzz as hb
from PIL import Image, ImageDraw, ImageFont, features

from mcoms.billing.documents.fonts import FontSet

RAQM = "raqm"
HARFBUZZ = "harfbuzz"
SUPER = 4  # the harfbuzz engine draws this many times larger, then scales down
Point = tuple[float, float]


def engine_available() -> str:
    return RAQM if features.check("raqm") else HARFBUZZ


def is_devanagari(ch: str) -> bool:
    code = ord(ch)
    return 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF


@cache
def _covers(path: Path) -> frozenset[int]:
    """The code points the font has glyphs for."""
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    return frozenset(face.unicodes)


def runs(text: str, latin: Path, devanagari: Path) -> list[tuple[Path, str]]:
    """``(font, text)`` pieces: letters in their script's font, vowel signs
    with their letter, neutral characters (digits, spaces, punctuation, ₹) in
    the current font when it has them, else in the one that does."""
    out: list[tuple[Path, str]] = []
    current: Path | None = None
    piece = ""
    covers = {latin: _covers(latin), devanagari: _covers(devanagari)}
    for ch in text:
        category = unicodedata.category(ch)[0]
        if category == "L" or (category == "M" and current is None):
            want = devanagari if is_devanagari(ch) else latin
        elif category == "M":
            want = current  # type: ignore[assignment]
        elif current is not None and ord(ch) in covers[current]:
            want = current
        else:
            want = latin if ord(ch) in covers[latin] else devanagari
        if current is not None and want is not current:
            out.append((current, piece))
            piece = ""
        current = want
        piece += ch
    if piece and current is not None:
        out.append((current, piece))
    return out


class _Pen:
    """Collects a glyph's contours as flattened polygons (font units)."""

    def __init__(self) -> None:
        self.contours: list[list[Point]] = []

    def moveTo(self, p: Point) -> None:  # noqa: N802 (the pen protocol's names)
        self.contours.append([p])

    def lineTo(self, p: Point) -> None:  # noqa: N802
        self.contours[-1].append(p)

    def qCurveTo(self, *points: Point) -> None:  # noqa: N802
        start = self.contours[-1][-1]
        controls, end = list(points[:-1]), points[-1]
        for i, c in enumerate(controls):
            last = i == len(controls) - 1
            nxt = end if last else _mid(c, controls[i + 1])
            self._quad(start, c, nxt)
            start = nxt

    def curveTo(self, c1: Point, c2: Point, p: Point) -> None:  # noqa: N802
        p0 = self.contours[-1][-1]
        for i in range(1, 7):
            t = i / 6
            u = 1 - t
            self.contours[-1].append(
                (
                    u**3 * p0[0]
                    + 3 * u * u * t * c1[0]
                    + 3 * u * t * t * c2[0]
                    + t**3 * p[0],
                    u**3 * p0[1]
                    + 3 * u * u * t * c1[1]
                    + 3 * u * t * t * c2[1]
                    + t**3 * p[1],
                )
            )

    def closePath(self) -> None:  # noqa: N802
        return None

    def _quad(self, p0: Point, c: Point, p1: Point) -> None:
        for i in range(1, 5):
            t = i / 4
            u = 1 - t
            self.contours[-1].append(
                (
                    u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0],
                    u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1],
                )
            )


def _mid(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


@cache
def _hb_font(path: Path) -> tuple[hb.Font, int]:
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    return hb.Font(face), face.upem


@lru_cache(maxsize=4096)
def _outline(path: Path, gid: int) -> list[list[Point]]:
    font, _upem = _hb_font(path)
    pen = _Pen()
    font.draw_glyph_with_pen(gid, pen)
    return pen.contours


@lru_cache(maxsize=64)
def _pil_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


class Ink:
    """Measures and draws lines of text at a pixel size, in regular or bold."""

    def __init__(self, fonts: FontSet, *, engine: str | None = None) -> None:
        self.fonts = fonts
        self.engine = engine or engine_available()

    def _runs(self, text: str, bold: bool) -> list[tuple[Path, str]]:
        fonts = self.fonts
        if bold:
            return runs(text, fonts.latin_bold, fonts.devanagari_bold)
        return runs(text, fonts.latin, fonts.devanagari)

    def _shaped(self, path: Path, text: str) -> list[tuple[int, float, float, float]]:
        """``(glyph, x, y, advance)`` in font units, from HarfBuzz."""
        font, _upem = _hb_font(path)
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        hb.shape(font, buf)
        out, x = [], 0.0
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            out.append((info.codepoint, x + pos.x_offset, pos.y_offset, pos.x_advance))
            x += pos.x_advance
        return out

    def width(self, text: str, size: int, bold: bool = False) -> float:
        """The advance of the shaped text in pixels, from HarfBuzz for both
        engines (raqm shapes with the same HarfBuzz; measuring this way is
        ten times quicker than asking Pillow)."""
        total = 0.0
        for path, piece in self._runs(text, bold):
            _font, upem = _hb_font(path)
            advance = sum(g[3] for g in self._shaped(path, piece))
            total += advance * size / upem
        return total

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        xy: tuple[float, float],
        text: str,
        size: int,
        bold: bool = False,
        fill: int = 0,
    ) -> None:
        """Draw ``text`` with its baseline at ``xy[1]``, starting at ``xy[0]``."""
        x, baseline = xy
        for path, piece in self._runs(text, bold):
            if self.engine == RAQM:
                font = _pil_font(path, size)
                draw.text((x, baseline), piece, font=font, fill=fill, anchor="ls")
                x += self.width(piece, size, bold)
            else:
                x += self._draw_outlines(draw, (x, baseline), path, piece, size, fill)

    def _draw_outlines(
        self,
        draw: ImageDraw.ImageDraw,
        xy: tuple[float, float],
        path: Path,
        text: str,
        size: int,
        fill: int,
    ) -> float:
        glyphs = self._shaped(path, text)
        _font, upem = _hb_font(path)
        k = size * SUPER / upem
        advance = sum(g[3] for g in glyphs) * size / upem
        width, height = math.ceil(advance) + size, math.ceil(size * 2)
        mask = Image.new("L", (width * SUPER, height * SUPER), 0)
        top = size * 1.4 * SUPER  # the baseline inside the mask
        for gid, gx, gy, _adv in glyphs:
            contours = [
                [((gx + px) * k, top - (gy + py) * k) for px, py in contour]
                for contour in _outline(path, gid)
                if len(contour) >= 3
            ]
            if contours:
                _fill_glyph(mask, contours)
        small = mask.resize((width, height), Image.Resampling.BOX)
        x, baseline = xy
        draw.bitmap((round(x), round(baseline - size * 1.4)), small, fill=fill)
        return advance


def _area(points: list[Point]) -> float:
    pairs = zip(points, points[1:] + points[:1], strict=True)
    return 0.5 * sum(a[0] * b[1] - b[0] * a[1] for a, b in pairs)


def _inside(point: Point, polygon: list[Point]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _fill_glyph(mask: Image.Image, contours: list[list[Point]]) -> None:
    """Fill one glyph onto ``mask`` (even-odd): contours from the largest
    down, each ink or hole by how many larger ones hold it, on a mask of the
    glyph's own so that its holes never erase a neighbour's ink."""
    xs = [x for c in contours for x, _y in c]
    ys = [y for c in contours for _x, y in c]
    left, top = math.floor(min(xs)), math.floor(min(ys))
    box = (max(0, left), max(0, top))
    size = (math.ceil(max(xs)) - box[0] + 2, math.ceil(max(ys)) - box[1] + 2)
    glyph = Image.new("L", size, 0)
    pen = ImageDraw.Draw(glyph)
    ordered = sorted(contours, key=lambda c: -abs(_area(c)))
    for n, contour in enumerate(ordered):
        depth = sum(_inside(contour[0], bigger) for bigger in ordered[:n])
        shifted = [(x - box[0], y - box[1]) for x, y in contour]
        pen.polygon(shifted, fill=0 if depth % 2 else 255)
    mask.paste(255, box, glyph)
