"""Receipt rendering speed (docs/receipts.md, "Speed"): one cash payment with
its receipt (energy and water owed, a partial payment), then each file made
the way the download endpoints make it (``receipt_file``: the receipt's data
read from the database, then rendered), many times; the figure is the median.

* ``receipt_pdf`` (ms, budget 300): the English PDF. Baseline: fpdf2 writing
  a one-line PDF in the same embedded Noto Sans, shaping on.
* ``receipt_pdf_hi`` (ms): the Hindi PDF (Noto Sans Devanagari embedded too);
  same baseline.
* ``receipt_escpos`` (ms, budget 10): the English print job (printer text and
  the QR code as a raster picture). Baseline: a bytes join of the same text
  lines.
* ``receipt_escpos_hi`` (ms): the Hindi print job (the whole receipt drawn
  with shaped Devanagari, as raster bands); same baseline.

``--quick`` renders fewer times.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal

from fpdf import FPDF

from mcoms.billing.documents.fonts import font_set
from mcoms.core.pdf import use_noto
from mcoms.customers.services import customer_create
from mcoms.ledger import services as ledger
from mcoms.org import services as org
from mcoms.org.models import Company, Pole, User
from mcoms.payments.services import payment_take_cash
from mcoms.payments.services.payments import receivable_for
from mcoms.receipts.models import Receipt
from mcoms.receipts.render.data import receipt_doc
from mcoms.receipts.render.files import receipt_file
from mcoms.receipts.render.texts import blocks


def _receipt() -> Receipt:
    company = Company.objects.create(code="bench-r", name="Tara Urja Demo")
    state = org.state_create(company=company, code="BH", name="Bihar", by=None)
    cluster = org.cluster_create(state=state, code="NORTH", name="North", by=None)
    plant = org.plant_create(
        cluster=cluster, code="KATS", name="Kats", capacity_kwp=Decimal("30"), by=None
    )
    feeder = org.feeder_create(plant=plant, code="F1", name="Feeder 1", by=None)
    org.pole_create(feeder=feeder, number=1, by=None)
    csa = org.staff_create(
        username="bench-csa",
        password=None,
        first_name="Sunita",
        last_name="Devi",
        designation="csa",
        scope=plant,
        by=None,
    )
    customer = customer_create(
        pole=Pole.objects.get(plant=plant, number=1),
        name="Ramesh Kumar",
        phone="+919800000001",
        by=None,
    )
    for service, amount in (("CHG", "300.00"), ("WATER", "40.00")):
        revenue = ledger.account_for_plant_revenue(plant=plant, service=service)
        value = Decimal(amount)
        ledger.journal_post(
            company=company,
            idempotency_key=f"bench-charge-{service}",
            kind="bill",
            lines=[(receivable_for(customer, service), value), (revenue, -value)],
        )
    user = User.objects.get(pk=csa.user_id)
    payment = payment_take_cash(
        customer=customer, amount="120.50", by=user, client_key=str(uuid.uuid4())
    ).payment
    return Receipt.objects.get(payment=payment)


def _median_ms(work: Callable[[], object], times: int) -> float:
    work()  # warm: fonts loaded, templates compiled
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        work()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def _one_line_pdf() -> bytes:
    pdf = FPDF(format=(148, 210))  # A5, as the receipt
    family = use_noto(pdf, font_set(), devanagari=False)
    pdf.add_page()
    pdf.set_font(family, size=10)
    pdf.cell(0, 6, "Receipt R-BHKATS-2026-000001")
    return bytes(pdf.output())


def run(quick: bool) -> list[tuple[str, float, str, float]]:
    receipt = _receipt()
    pdfs, jobs = (5, 50) if quick else (30, 500)
    lines = [
        (b.text + " " + b.value).encode("ascii", "replace")
        for b in blocks(receipt_doc(receipt), symbol="Rs.")
    ]
    text_join = _median_ms(lambda: b"\n".join(lines), jobs)
    blank_pdf = _median_ms(_one_line_pdf, pdfs)
    return [
        (
            "receipt_pdf",
            _median_ms(lambda: receipt_file(receipt, "pdf", "en"), pdfs),
            "ms",
            blank_pdf,
        ),
        (
            "receipt_pdf_hi",
            _median_ms(lambda: receipt_file(receipt, "pdf", "hi"), pdfs),
            "ms",
            blank_pdf,
        ),
        (
            "receipt_escpos",
            _median_ms(lambda: receipt_file(receipt, "escpos", "en"), jobs),
            "ms",
            text_join,
        ),
        (
            "receipt_escpos_hi",
            _median_ms(lambda: receipt_file(receipt, "escpos", "hi"), jobs // 5),
            "ms",
            text_join,
        ),
    ]
