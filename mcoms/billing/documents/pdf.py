"""The bill as a PDF (fpdf2), in English or Hindi.

Both languages use Noto Sans for Latin letters and digits with Noto Sans
Devanagari as its fallback, and HarfBuzz text shaping (uharfbuzz), so Hindi
conjuncts and vowel signs are laid out right and a Devanagari name shows in an
English bill too. Without the fonts (``fonts.font_set``) an English bill falls
back to the PDF core font Helvetica (Latin-1 only: other letters become ``?``,
amounts say ``Rs.``); a Hindi bill is refused with ``bill_font_missing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from mcoms.billing.documents import texts
from mcoms.billing.documents.data import BillDocument
from mcoms.billing.documents.fonts import BillFontMissing, FontSet, font_set
from mcoms.billing.documents.texts import label
from mcoms.core.pdf import ShapedPdf, use_noto
from mcoms.org.models import Language

Color = tuple[int, int, int]
WIDTH = 180.0  # A4 less 15 mm margins
LINE = 6.0
GREY: Color = (110, 110, 110)
INK: Color = (20, 20, 20)
DUE_FILL: Color = (226, 240, 231)
ESTIMATE_FILL: Color = (255, 236, 204)
HEAD_FILL: Color = (238, 238, 238)
CORE_SAFE = str.maketrans({"−": "-", "–": "-", "—": "-", "₹": "Rs."})


def languages() -> list[str]:
    return [code for code, _name in Language.choices]


def bill_pdf(doc: BillDocument, *, language: str, compress: bool = True) -> bytes:
    """The bill in ``language`` (``en`` or ``hi``; anything else is English)."""
    language = language if language in languages() else Language.ENGLISH
    fonts: FontSet | None
    if language == Language.ENGLISH:
        try:
            fonts = font_set()
        except BillFontMissing:  # English degrades to the core font
            fonts = None
    else:
        fonts = font_set()  # BillFontMissing: Hindi needs the Noto fonts
    with translation.override(language):
        pdf = _Renderer(doc, fonts, language).render()
    pdf.set_compression(compress)
    return bytes(pdf.output())


class _Pdf(ShapedPdf):
    """A bill page: every text cell sets its font (``ShapedPdf``), and a footer."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_text_color(*GREY)
        self.set_font(size=8)
        self.cell(0, 5, f"{self.footer_text} {self.page_no()}/{{nb}}", align="R")


@dataclass
class _Renderer:
    doc: BillDocument
    fonts: FontSet | None
    language: str

    def __post_init__(self) -> None:
        pdf = _Pdf(format="A4")
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(auto=True, margin=18)
        if self.fonts is None:
            self.family, self.symbol = "helvetica", "Rs."
        else:
            self.family, self.symbol = use_noto(pdf, self.fonts), "₹"
        pdf.footer_text = label("page")
        self.pdf = pdf

    # --- small helpers ---
    def t(self, text: object) -> str:
        """Text the current font can draw."""
        out = str(text)
        if self.fonts is None:
            out = out.translate(CORE_SAFE)
            out = out.encode("latin-1", "replace").decode("latin-1")
        return out

    def font(self, size: float = 10, bold: bool = False, color: Color = INK) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*color)

    def money(self, amount: Decimal) -> str:
        return texts.money(amount, symbol=self.symbol)

    def row(
        self,
        cells: list[str],
        widths: list[float],
        *,
        bold: bool = False,
        fill: Color | None = None,
        height: float = LINE,
    ) -> None:
        """One table row; the first cell left-aligned, the others right."""
        pdf = self.pdf
        self.font(9.5, bold)
        if fill:
            pdf.set_fill_color(*fill)
        for n, (text, width) in enumerate(zip(cells, widths, strict=True)):
            pdf.cell(
                width,
                height,
                self.t(text),
                align="L" if n == 0 else "R",
                fill=bool(fill),
                border="B",
            )
        pdf.ln(height)

    def heading(self, key: str) -> None:
        self.pdf.ln(3)
        self.font(11.5, bold=True)
        self.pdf.cell(0, 7, self.t(label(key)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # --- the parts ---
    def render(self) -> FPDF:
        pdf, doc = self.pdf, self.doc
        pdf.set_title(self.t(f"{label('title')} {doc.number}"))
        pdf.set_author(self.t(doc.company))
        pdf.set_creator("MCOMS")
        pdf.set_lang(self.language)
        pdf.add_page()
        self.header_block()
        self.master_block()
        if doc.estimated:
            self.estimate_block()
        self.summary_block()
        self.charges_block()
        self.readings_block()
        pdf.ln(4)
        self.font(9, color=GREY)
        pdf.multi_cell(WIDTH, 5, self.t(label("pay_note")))
        return pdf

    def header_block(self) -> None:
        pdf, doc = self.pdf, self.doc
        self.font(16, bold=True)
        pdf.cell(WIDTH * 0.6, 9, self.t(doc.company))
        self.font(14, bold=True)
        pdf.cell(WIDTH * 0.4, 9, self.t(label("title")), align="R")
        pdf.ln(9)
        self.font(9.5, color=GREY)
        plant = f"{label('plant')}: {doc.plant_key} · {doc.plant_name}"
        pdf.cell(WIDTH * 0.6, 5, self.t(plant))
        if doc.helpline:
            helpline = f"{label('helpline')}: {doc.helpline}"
            pdf.cell(WIDTH * 0.4, 5, self.t(helpline), align="R")
        pdf.ln(7)
        pdf.set_draw_color(*GREY)
        pdf.line(15, pdf.get_y(), 15 + WIDTH, pdf.get_y())
        pdf.ln(3)

    def master_block(self) -> None:
        doc = self.doc
        left = [
            ("customer_id", doc.customer_id),
            ("name", doc.customer_name),
            ("address", doc.customer_address or "—"),
            ("package", doc.package_id or "—"),
            ("billing_type", texts.billing_type_label(doc.billing_type)),
        ]
        right = [
            ("bill_number", doc.number),
            ("issued", texts.issued_text(doc)),
            ("period", texts.period_text(doc)),
            ("due_date", texts.day(doc.due_date)),
        ]
        pdf = self.pdf
        top = pdf.get_y()
        for key, value in left:
            self.pair(15, 28, 62, key, value)
        bottom = pdf.get_y()
        pdf.set_y(top)
        for key, value in right:
            self.pair(110, 32, 53, key, value)
        pdf.set_y(max(bottom, pdf.get_y()) + 2)

    def pair(
        self, x: float, w_label: float, w_value: float, key: str, value: str
    ) -> None:
        pdf = self.pdf
        pdf.set_x(x)
        self.font(9, color=GREY)
        pdf.cell(w_label, LINE, self.t(label(key)))
        self.font(10, bold=key in ("customer_id", "bill_number"))
        pdf.multi_cell(w_value, LINE, self.t(value), new_x=XPos.LMARGIN)

    def estimate_block(self) -> None:
        pdf = self.pdf
        pdf.set_fill_color(*ESTIMATE_FILL)
        self.font(11, bold=True, color=(150, 70, 0))
        pdf.cell(WIDTH, 7, self.t(label("estimated")), fill=True)
        pdf.ln(7)
        self.font(9)
        pdf.multi_cell(WIDTH, 5, self.t(label("estimated_note")), fill=True)
        pdf.ln(2)

    def summary_block(self) -> None:
        doc = self.doc
        self.heading("summary")
        widths = [WIDTH - 45, 45]
        self.row([label("previous_balance"), self.money(doc.previous_balance)], widths)
        self.row([label("payments"), self.money(-doc.payments)], widths)
        self.row([label("new_charges"), self.money(doc.new_charges)], widths)
        due = label("amount_due")
        if doc.amount_due < 0:
            due = f"{due} ({label('in_credit')})"
        self.pdf.ln(1)
        self.font(12, bold=True)
        self.pdf.set_fill_color(*DUE_FILL)
        self.pdf.cell(widths[0], 9, self.t(due), fill=True)
        amount = self.t(self.money(doc.amount_due))
        self.pdf.cell(widths[1], 9, amount, align="R", fill=True)
        self.pdf.ln(9)
        self.font(10, bold=True)
        due_by = f"{label('due_date')}: {texts.day(doc.due_date)}"
        self.pdf.cell(WIDTH, LINE, self.t(due_by), align="R")
        self.pdf.ln(LINE)

    def charges_block(self) -> None:
        self.heading("charges")
        widths = [WIDTH - 95, 35, 30, 30]
        head = [label("item"), label("quantity"), label("rate"), label("amount")]
        self.row(head, widths, bold=True, fill=HEAD_FILL)
        groups = self.doc.charges_by_service()
        if not groups:
            self.font(9.5, color=GREY)
            self.pdf.cell(WIDTH, LINE, self.t(label("no_charges")))
            self.pdf.ln(LINE)
        for service, lines, subtotal in groups:
            self.font(10, bold=True)
            self.pdf.cell(WIDTH, LINE + 1, self.t(texts.service_label(service)))
            self.pdf.ln(LINE + 1)
            for line in lines:
                self.row(
                    [
                        "  " + texts.line_text(line),
                        texts.quantity_text(line),
                        texts.rate_text(line, self.symbol),
                        self.money(line.amount),
                    ],
                    widths,
                )
            sub = f"{label('subtotal')}: {texts.service_label(service)}"
            self.row([sub, "", "", self.money(subtotal)], widths, bold=True)

    def readings_block(self) -> None:
        doc = self.doc
        if not doc.readings and doc.kwh is None and not doc.estimated:
            return  # an unmetered package: no readings to show
        self.heading("readings")
        widths = [WIDTH - 115, 45, 35, 35]
        head = [label("date"), label("meter"), label("reading"), label("units")]
        self.row(head, widths, bold=True, fill=HEAD_FILL)
        for r in doc.readings:
            taken = r.taken_at.astimezone(ZoneInfo(doc.timezone)).date()
            cells = [texts.day(taken), r.meter, f"{r.value:.3f}"]
            self.row([*cells, texts.kwh(r.units)], widths)
        if not doc.readings:
            self.font(9.5, color=GREY)
            self.pdf.cell(WIDTH, LINE, self.t(label("no_readings")))
            self.pdf.ln(LINE)
        if doc.kwh is not None:
            consumption = f"{label('consumption')}: {texts.kwh(doc.kwh)} kWh"
            if doc.estimated:
                consumption += f" ({label('estimated_mark')})"
            self.font(10, bold=True)
            self.pdf.cell(WIDTH, LINE + 1, self.t(consumption), align="R")
            self.pdf.ln(LINE + 1)
