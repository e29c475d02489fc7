"""Helpers for the cash tests: cash taken from customers (as the field app
does), deposit slips of each kind, and a deposit registered in one call."""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from mcoms.cash.models import BankDeposit
from mcoms.cash.services import bank_deposit_register
from mcoms.customers.models import Customer
from mcoms.ledger.models import Entry
from mcoms.org.models import Plant, User
from mcoms.payments.models import Payment
from mcoms.payments.services import payment_take_cash
from mcoms.payments.tests.kit import charge

D = Decimal


def slip_png(name: str = "slip.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def slip_pdf(name: str = "slip.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def slip_junk(name: str = "slip.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"GIF89a not a slip", content_type="image/png")


def take_cash(customer: Customer, by: User, amount: str, bill: bool = True) -> Payment:
    """``amount`` in cash from the customer (charged first, so it pays a bill)."""
    if bill:
        charge(customer, "CHG", amount)
    return payment_take_cash(
        customer=customer, amount=amount, by=by, client_key=str(uuid.uuid4())
    ).payment


def deposit(
    agent: User,
    plant: Plant,
    amount: str,
    *,
    key: str | None = None,
    slip: SimpleUploadedFile | None = None,
    day: date | None = None,
) -> BankDeposit:
    found, _created = bank_deposit_register(
        agent=agent,
        plant=plant,
        amount=amount,
        deposited_on=day or timezone.localdate(),
        bank="SBI Katsa",
        reference="S-1",
        slip=slip or slip_png(),
        client_key=key or str(uuid.uuid4()),
    )
    return found


def cash_of(username: str) -> Decimal:
    total = Entry.objects.filter(account__code=f"STF:{username}:CASH").values_list(
        "amount", flat=True
    )
    return sum(total, D("0.00"))
