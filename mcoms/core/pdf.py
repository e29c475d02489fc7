"""What every PDF of ours (bills, receipts) shares: an fpdf2 document whose
text cells each set their own font, and the Noto font pair with HarfBuzz
shaping, so Hindi conjuncts and vowel signs are laid out right and a
Devanagari name shows in an English document too (docs/decisions/0070, 0096).

The font files are given by the caller (``mcoms.billing.documents.fonts``
finds Debian's ``fonts-noto-core``); ``core`` imports no app of ours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from fpdf import FPDF

LATIN = "noto"
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF")
DEVANAGARI = "deva"


class NotoFonts(Protocol):
    @property
    def latin(self) -> Path: ...
    @property
    def latin_bold(self) -> Path: ...
    @property
    def devanagari(self) -> Path: ...
    @property
    def devanagari_bold(self) -> Path: ...


class ShapedPdf(FPDF):
    """FPDF that sets the font in every text cell. fpdf2 (2.8) establishes a
    cell's font inside the cell's own q ... Q when its first characters come
    from the fallback font, then assumes it stays set; the Q restores the
    earlier font, so the next cell's glyph codes would name the wrong font."""

    def cell(self, *args: Any, **kwargs: Any) -> bool:
        self.current_font_is_set_on_page = False
        return super().cell(*args, **kwargs)

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        self.current_font_is_set_on_page = False
        return super().multi_cell(*args, **kwargs)

    def output(self, *args: Any, **kwargs: Any) -> Any:
        """The document; first the fonts' layout tables are let go. fpdf2
        drops GSUB, GPOS and GDEF from the embedded subsets anyway (the text
        is shaped already), but fontTools' subsetter reads them all first,
        which is most of the time of a small PDF in Devanagari."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            for tag in LAYOUT_TABLES:
                if ttfont is not None and tag in ttfont:
                    del ttfont[tag]
        return super().output(*args, **kwargs)


def use_noto(pdf: FPDF, fonts: NotoFonts, *, devanagari: bool = True) -> str:
    """Add Noto Sans (regular, bold) with Noto Sans Devanagari as its fallback
    and turn on text shaping; returns the family name to ``set_font``. A
    document known to hold no Devanagari may leave that font out
    (``devanagari=False``): loading and subsetting each font takes time."""
    pdf.add_font(LATIN, "", str(fonts.latin))
    pdf.add_font(LATIN, "B", str(fonts.latin_bold))
    if devanagari:
        pdf.add_font(DEVANAGARI, "", str(fonts.devanagari))
        pdf.add_font(DEVANAGARI, "B", str(fonts.devanagari_bold))
        pdf.set_fallback_fonts([DEVANAGARI], exact_match=False)
    pdf.set_text_shaping(True)
    return LATIN
