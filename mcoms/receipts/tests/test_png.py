"""The receipt image: a PNG that Pillow decodes, 576 pixels wide and as tall
as its content, in English and Hindi; Hindi shaped the same by both text
engines (Pillow's raqm where present, our HarfBuzz outline fallback)."""

from __future__ import annotations

import io

from django.utils import translation
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, features

from mcoms.billing.documents.fonts import font_set
from mcoms.receipts.render.data import receipt_doc
from mcoms.receipts.render.ink import HARFBUZZ, RAQM, Ink, runs
from mcoms.receipts.render.png import WIDTH, receipt_png
from mcoms.receipts.render.raster import IMAGE, receipt_image
from mcoms.receipts.render.texts import blocks
from mcoms.receipts.tests.conftest import Paid


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_image_is_a_png_of_the_right_size(paid: Paid) -> None:
    doc = receipt_doc(paid.receipt)
    data = receipt_png(doc, language="en")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = decode(data)
    assert image.format == "PNG" and image.mode == "L"
    with translation.override("en"):
        expected = receipt_image(blocks(doc), style=IMAGE, ink=Ink(font_set()))
    assert image.size == expected.size and image.width == WIDTH == 576
    assert 900 < image.height < 1600
    assert ImageChops.difference(image, expected).getbbox() is None


def test_hindi_and_english_images_differ_in_words_not_in_size_class(
    paid: Paid,
) -> None:
    doc = receipt_doc(paid.receipt)
    english = decode(receipt_png(doc, language="en"))
    hindi = decode(receipt_png(doc, language="hi"))
    assert hindi.width == english.width == WIDTH
    assert (
        ImageChops.difference(
            english.crop((0, 0, WIDTH, 400)), hindi.crop((0, 0, WIDTH, 400))
        ).getbbox()
        is not None
    )


def line(ink: Ink, text: str) -> Image.Image:
    image = Image.new("L", (360, 60), 255)
    ink.draw(ImageDraw.Draw(image), (4, 42), text, 30)
    return image


def inked(image: Image.Image) -> tuple[int, int, int, int] | None:
    return ImageOps.invert(image).getbbox()


def test_the_harfbuzz_engine_shapes_hindi() -> None:
    fonts = font_set()
    ink = Ink(fonts, engine=HARFBUZZ)
    # The vowel sign ि is typed after the consonant and drawn before it.
    ((_font, piece),) = ink._runs("कि", bold=False)
    glyphs = [g for g, *_rest in ink._shaped(fonts.devanagari, piece)]
    ka = ink._shaped(fonts.devanagari, "क")[0][0]
    assert len(glyphs) == 2 and glyphs[1] == ka and glyphs[0] != ka
    # क्ष is one conjunct glyph, not क + virama + ष
    assert len(ink._shaped(fonts.devanagari, "क्ष")) == 1
    assert ink.width("क्षि", 30) > ink.width("क्ष", 30)
    drawn = line(ink, "क्षि")
    box = inked(drawn)
    assert box is not None and box[2] - box[0] > 20


def test_both_engines_draw_the_same_line() -> None:
    text = "रसीद क्षि ₹ 1,200 Ra"
    ours = line(Ink(font_set(), engine=HARFBUZZ), text)
    assert inked(ours) is not None
    if not features.check("raqm"):
        return  # nothing to compare with: this Pillow has no raqm
    raqm = line(Ink(font_set(), engine=RAQM), text)
    a, b = inked(raqm), inked(ours)
    assert a is not None and b is not None
    assert all(abs(x - y) <= 2 for x, y in zip(a, b, strict=True)), (a, b)
    blur = ImageFilter.GaussianBlur(1)
    diff = ImageChops.difference(raqm.filter(blur), ours.filter(blur))
    assert sum(diff.histogram()[64:]) < 60


def test_runs_split_scripts_and_keep_signs_with_their_letters() -> None:
    fonts = font_set()
    latin, deva = fonts.latin, fonts.devanagari
    assert runs("Receipt रसीद ₹ 120", latin, deva) == [
        (latin, "Receipt "),
        (deva, "रसीद ₹ 120"),
    ]
    assert runs("रसीद R-1@", latin, deva) == [(deva, "रसीद "), (latin, "R-1@")]
    assert runs("ि", latin, deva) == [(deva, "ि")]
