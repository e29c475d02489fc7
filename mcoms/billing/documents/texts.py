"""The words and number formats of bill documents, in the active language
(``translation.override`` around a render); the Hindi is in the root catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext_lazy

from mcoms.billing.documents.data import BillDocument, DocLine
from mcoms.billing.models import LineKind
from mcoms.core.money import quantize
from mcoms.ledger.models import Service
from mcoms.packages.models import BillingType

LABELS = {
    "title": gettext_lazy("Electricity bill"),
    "bill_number": gettext_lazy("Bill number"),
    "issued": gettext_lazy("Bill date"),
    "period": gettext_lazy("Billing period"),
    "due_date": gettext_lazy("Due date"),
    "customer_id": gettext_lazy("Customer ID"),
    "name": gettext_lazy("Name"),
    "address": gettext_lazy("Address"),
    "package": gettext_lazy("Package"),
    "billing_type": gettext_lazy("Billing type"),
    "plant": gettext_lazy("Plant"),
    "helpline": gettext_lazy("Helpline"),
    "summary": gettext_lazy("Account summary"),
    "previous_balance": gettext_lazy("Previous balance"),
    "payments": gettext_lazy("Payments and credits since the last bill"),
    "new_charges": gettext_lazy("New charges"),
    "amount_due": gettext_lazy("Amount due"),
    "in_credit": gettext_lazy("In credit: nothing to pay"),
    "charges": gettext_lazy("New charges by service"),
    "service": gettext_lazy("Service"),
    "item": gettext_lazy("Item"),
    "quantity": gettext_lazy("Quantity"),
    "rate": gettext_lazy("Rate"),
    "amount": gettext_lazy("Amount"),
    "subtotal": gettext_lazy("Subtotal"),
    "no_charges": gettext_lazy("No new charges in this period."),
    "readings": gettext_lazy("Meter readings used"),
    "date": gettext_lazy("Date"),
    "meter": gettext_lazy("Meter"),
    "reading": gettext_lazy("Reading (kWh)"),
    "units": gettext_lazy("Units (kWh)"),
    "consumption": gettext_lazy("Consumption billed"),
    "no_readings": gettext_lazy("No meter reading in this period."),
    "estimated": gettext_lazy("ESTIMATED BILL"),
    "estimated_note": gettext_lazy(
        "No meter reading was available, so the energy is estimated from the "
        "average of the last three periods. The next actual reading corrects it."
    ),
    "pay_note": gettext_lazy(
        "Please pay by the due date to your field agent, in the app or by a "
        "wallet. Keep your receipt."
    ),
    "page": gettext_lazy("Page"),
    "estimated_mark": gettext_lazy("estimated"),
}


def label(key: str) -> str:
    return str(LABELS[key])


def money(amount: Decimal, *, symbol: str = "₹") -> str:
    """Indian digit grouping (1,23,456.50), a minus sign for negatives."""
    value = quantize(amount)
    sign = "−" if value < 0 else ""
    whole, _dot, cents = f"{abs(value):.2f}".partition(".")
    head, tail = whole[:-3], whole[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    grouped = ",".join([*groups, tail])
    prefix = f"{symbol} " if symbol else ""
    return f"{sign}{prefix}{grouped}.{cents}"


def kwh(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def day(value: date) -> str:
    return formats.date_format(value, "d/m/Y")


def period_text(doc: BillDocument) -> str:
    """``March 2026`` (month names in the active language), else the range."""
    if doc.period_is_month:
        return formats.date_format(doc.period_start, "F Y")
    return f"{day(doc.period_start)} – {day(doc.period_last_day)}"


def service_label(code: str) -> str:
    return str(dict(Service.choices).get(code, code))


def billing_type_label(code: str) -> str:
    return str(dict(BillingType.choices).get(code, code or "—"))


def line_text(line: DocLine) -> str:
    """What the line is, in the active language: its kind, and what a person
    typed for adjustments, instalments and other charges."""
    kind = str(dict(LineKind.choices).get(line.kind, line.kind))
    if line.typed and line.description:
        return f"{kind}: {line.description}"
    if line.estimated:
        return f"{kind} ({label('estimated_mark')})"
    return kind


def quantity_text(line: DocLine) -> str:
    """kWh for energy and true-ups; the share of the period otherwise."""
    if line.kind in (LineKind.ENERGY, LineKind.TRUE_UP):
        return f"{line.quantity:.3f} kWh"
    if line.quantity == 1:
        return "1"
    return f"{line.quantity.normalize():f}"


def rate_text(line: DocLine, symbol: str) -> str:
    """The unit price with up to four decimals (a rate per kWh), at least two."""
    if line.unit_price is None:
        return ""
    whole, _dot, decimals = f"{line.unit_price:.4f}".partition(".")
    decimals = decimals.rstrip("0").ljust(2, "0")
    return money(Decimal(whole), symbol=symbol).rsplit(".", 1)[0] + "." + decimals


def issued_text(doc: BillDocument) -> str:
    """The issue date, on the plant's calendar."""
    return day(doc.issued_at.astimezone(ZoneInfo(doc.timezone)).date())
