"""The receipt as a PDF (fpdf2, A5), in English or Hindi, with the fonts and
shaping of the bill PDFs (``mcoms.core.pdf``, docs/decisions/0070): Noto
Sans with Noto Sans Devanagari as its fallback, shaped by HarfBuzz. The QR
code is drawn as vector squares. Without the fonts an English receipt falls
back to Helvetica (amounts say ``Rs.``); a Hindi one is refused with
``bill_font_missing`` (503)."""

from __future__ import annotations

from django.utils import translation
from fpdf.enums import XPos, YPos

from mcoms.billing.documents.fonts import BillFontMissing, FontSet, font_set
from mcoms.billing.documents.pdf import CORE_SAFE
from mcoms.core.pdf import ShapedPdf, use_noto
from mcoms.org.models import Language
from mcoms.receipts.qr import mask_or_none
from mcoms.receipts.render.data import ReceiptDoc
from mcoms.receipts.render.ink import is_devanagari
from mcoms.receipts.render.raster import qr_matrix
from mcoms.receipts.render.texts import Block, blocks, label

PAGE = (148.0, 210.0)  # A5, in mm
MARGIN = 14.0
WIDTH = PAGE[0] - 2 * MARGIN
LINE = 6.5
GREY = (100, 100, 100)
INK = (20, 20, 20)
AMOUNT_FILL = (226, 240, 231)
BANNER_FILL = (176, 0, 32)
QR_MODULE = 1.0  # mm


def receipt_pdf(doc: ReceiptDoc, *, language: str, compress: bool = True) -> bytes:
    """The receipt in ``language`` (``en`` or ``hi``; anything else English)."""
    fonts: FontSet | None
    if language == Language.HINDI:
        fonts = font_set()  # BillFontMissing: Hindi needs the Noto fonts
    else:
        language = Language.ENGLISH
        try:
            fonts = font_set()
        except BillFontMissing:
            fonts = None
    with translation.override(language):
        pdf = _Renderer(doc, fonts, language).render()
    pdf.set_compression(compress)
    return bytes(pdf.output())


class _Renderer:
    def __init__(self, doc: ReceiptDoc, fonts: FontSet | None, language: str) -> None:
        self.doc, self.fonts, self.language = doc, fonts, language
        self.symbol = "₹" if fonts else "Rs."
        self.blocks = blocks(doc, symbol=self.symbol)
        pdf = ShapedPdf(format=PAGE)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(auto=True, margin=MARGIN)
        if fonts is None:
            self.family = "helvetica"
        else:
            deva = any(
                is_devanagari(ch) for b in self.blocks for ch in b.text + b.value
            )
            self.family = use_noto(pdf, fonts, devanagari=deva)
        self.pdf = pdf

    def t(self, text: str) -> str:
        if self.fonts is None:
            text = text.translate(CORE_SAFE)
            return text.encode("latin-1", "replace").decode("latin-1")
        return text

    def font(self, size: float, bold: bool = False, color: tuple = INK) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*color)

    def render(self) -> ShapedPdf:
        pdf, doc = self.pdf, self.doc
        pdf.set_title(self.t(f"{label('title')} {doc.number}"))
        pdf.set_author(self.t(doc.company))
        pdf.set_creator("MCOMS")
        pdf.set_lang(self.language)
        pdf.add_page()
        for b in self.blocks:
            getattr(self, b.kind)(b)
        return pdf

    # --- one method per block kind (texts.Block) ---
    def title(self, b: Block) -> None:
        self.font(15, bold=True)
        self.pdf.multi_cell(WIDTH, 8, self.t(b.text), align="C", **_NEXT)

    def text(self, b: Block) -> None:
        self.font(9 if b.small else 10.5, bold=b.bold, color=INK if b.bold else GREY)
        self.pdf.multi_cell(WIDTH, 5.5, self.t(b.text), align="C", **_NEXT)

    def pair(self, b: Block, size: float = 10.5, fill: bool = False) -> None:
        pdf = self.pdf
        self.font(9.5 if b.small else size, color=GREY)
        label_w = min(pdf.get_string_width(self.t(b.text)) + 3, WIDTH * 0.55)
        pdf.cell(label_w, LINE + (2 if fill else 0), self.t(b.text), fill=fill)
        self.font(9.5 if b.small else size, bold=b.bold)
        value_h = LINE + (2 if fill else 0)
        pdf.multi_cell(
            WIDTH - label_w, value_h, self.t(b.value), align="R", fill=fill, **_NEXT
        )

    def big(self, b: Block) -> None:
        self.pdf.ln(1)
        self.pdf.set_fill_color(*AMOUNT_FILL)
        self.pair(b, size=14, fill=True)
        self.pdf.ln(1)

    def banner(self, b: Block) -> None:
        self.pdf.set_fill_color(*BANNER_FILL)
        self.font(11, bold=True, color=(255, 255, 255))
        self.pdf.multi_cell(WIDTH, 8, self.t(b.text), align="C", fill=True, **_NEXT)

    def rule(self, _b: Block) -> None:
        pdf = self.pdf
        pdf.ln(1.5)
        pdf.set_draw_color(*GREY)
        pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())
        pdf.ln(2)

    def qr(self, b: Block) -> None:
        """Dark modules as squares (runs along a row merged), quiet zone kept."""
        matrix = qr_matrix(b.text, mask_or_none(b.value))
        side = (len(matrix) + 8) * QR_MODULE
        pdf = self.pdf
        if pdf.get_y() + side > pdf.h - MARGIN:
            pdf.add_page()
        left = MARGIN + (WIDTH - side) / 2 + 4 * QR_MODULE
        top = pdf.get_y() + 4 * QR_MODULE
        pdf.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                x, y = left + start * QR_MODULE, top + r * QR_MODULE
                pdf.rect(x, y, (c - start) * QR_MODULE, QR_MODULE, style="F")
        pdf.set_y(pdf.get_y() + side)


_NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
