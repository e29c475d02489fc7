"""The words of receipts, in the active language (``translation.override``
around a render; the Hindi is in the root catalogue), and the one layout that
every visual format draws: a list of ``Block`` rows, so the print-out, the
image and the PDF say the same things in the same order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy

from mcoms.billing.documents.texts import money, service_label
from mcoms.payments.models import Channel, PaymentStatus
from mcoms.receipts.render.data import ReceiptDoc

LABELS = {
    "title": gettext_lazy("Payment receipt"),
    "number": gettext_lazy("Receipt no."),
    "date": gettext_lazy("Date"),
    "customer_id": gettext_lazy("Customer ID"),
    "name": gettext_lazy("Name"),
    "amount": gettext_lazy("Amount paid"),
    "paid_by": gettext_lazy("Paid by"),
    "reference": gettext_lazy("Reference"),
    "paid_for": gettext_lazy("Paid for"),
    "outstanding": gettext_lazy("Outstanding after this payment"),
    "total": gettext_lazy("Total outstanding"),
    "nothing": gettext_lazy("Nothing outstanding"),
    "in_credit": gettext_lazy("In credit"),
    "agent": gettext_lazy("Received by"),
    "plant": gettext_lazy("Plant"),
    "helpline": gettext_lazy("Helpline"),
    "verify": gettext_lazy("Scan to check this receipt is genuine"),
    "thanks": gettext_lazy("Thank you. Please keep this receipt."),
    PaymentStatus.REVERSED: gettext_lazy("REVERSED: this payment was undone"),
    PaymentStatus.REFUNDED: gettext_lazy("REFUNDED: this payment was paid back"),
}


def label(key: str) -> str:
    return str(LABELS[key])


def when(doc: ReceiptDoc) -> str:
    return formats.date_format(doc.paid_at, "d/m/Y H:i")


def channel_label(code: str) -> str:
    return str(dict(Channel.choices).get(code, code))


def amount(value: Decimal, symbol: str = "₹") -> str:
    """Indian digit grouping, a plain hyphen for negatives (every font has it)."""
    return money(value, symbol=symbol).replace("−", "-")


@dataclass(frozen=True)
class Block:
    """One row of a receipt: ``title`` (large, centred), ``text`` (centred
    unless ``left``), ``pair`` (label left, value right), ``big`` (the
    amount), ``banner`` (reversed / refunded), ``rule``, ``qr`` (the link,
    and its mask as ``value``)."""

    kind: str
    text: str = ""
    value: str = ""
    bold: bool = False
    small: bool = False


def blocks(doc: ReceiptDoc, symbol: str = "₹") -> list[Block]:
    """The receipt, top to bottom, in the active language."""
    out = [
        Block("title", doc.company, bold=True),
        Block(
            "text", f"{label('plant')}: {doc.plant_key} {doc.plant_name}", small=True
        ),
    ]
    if doc.helpline:
        out.append(Block("text", f"{label('helpline')}: {doc.helpline}", small=True))
    out += [
        Block("rule"),
        Block("text", label("title"), bold=True),
        Block("pair", label("number"), doc.number, bold=True),
        Block("pair", label("date"), when(doc)),
        Block("pair", label("customer_id"), doc.customer_id),
        Block("pair", label("name"), doc.customer_name),
        Block("rule"),
        Block("big", label("amount"), amount(doc.amount, symbol), bold=True),
        Block("pair", label("paid_by"), channel_label(doc.channel)),
    ]
    if doc.provider_ref:
        out.append(Block("pair", label("reference"), doc.provider_ref, small=True))
    if doc.undone:
        out.append(Block("banner", label(doc.status), bold=True))
    out.append(Block("text", label("paid_for"), bold=True, small=True))
    out += [
        Block("pair", service_label(code), amount(value, symbol))
        for code, value in doc.services
    ]
    out += [Block("rule"), Block("text", label("outstanding"), bold=True, small=True)]
    out += [
        Block("pair", service_label(code), amount(value, symbol))
        for code, value in doc.outstanding
    ]
    if doc.outstanding_total > 0:
        total = amount(doc.outstanding_total, symbol)
        out.append(Block("pair", label("total"), total, bold=True))
    elif doc.outstanding_total < 0:
        credit = amount(-doc.outstanding_total, symbol)
        out.append(Block("pair", label("in_credit"), credit, bold=True))
    else:
        out.append(Block("text", label("nothing"), small=True))
    if doc.agent:
        out.append(Block("pair", label("agent"), doc.agent))
    out += [
        Block("rule"),
        Block("qr", doc.verify_url, "" if doc.qr_mask is None else str(doc.qr_mask)),
        Block("text", label("verify"), small=True),
        Block("text", label("thanks"), small=True),
    ]
    return out
