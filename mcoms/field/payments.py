"""Add Transaction (manual 3.5.4, 3.4.6): a field agent takes cash from a
customer. The page shows the customer and what they owe per service; the
agent enters the amount and, if the customer names one, the service; a review
step shows where the money will go; "Save" records it (``payment_take_cash``)
and opens the saved payment, with its receipt.

The form carries a UUID made when the page is drawn (``client_key``): a double
tap or a resend on a weak network saves the payment once. Bad input (zero,
negative, junk, too many decimals) is shown next to the field and saves
nothing; a customer outside the agent's scope is a 404, an Operator a 403."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mcoms.core.errors import DomainError
from mcoms.field.access import field_view
from mcoms.org.models import Staff
from mcoms.payments.amounts import payment_amount
from mcoms.payments.models import PAYABLE_SERVICES
from mcoms.payments.selectors import (
    allocation_preview,
    get_customer_for_payment,
    get_payment_for_user,
    outstanding_by_service,
)
from mcoms.payments.services import payment_take_cash

OLDEST = ""


class PaymentForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    service = forms.ChoiceField(
        label=_("Service"),
        required=False,
        choices=[(OLDEST, _("Oldest charges first")), *PAYABLE_SERVICES],
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> Decimal:
        try:
            return payment_amount(self.cleaned_data["amount"], currency=self.currency)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


def _preview(customer: Any, amount: Decimal, service: str) -> list[tuple[str, Decimal]]:
    """Where the amount would go now (the save recomputes it under locks)."""
    labels = dict(PAYABLE_SERVICES)
    parts = allocation_preview(customer, amount, service)
    return [(str(labels.get(s, s)), v) for s, v in sorted(parts.items())]


@require_http_methods(["GET", "POST"])
@field_view
def add_transaction(
    request: HttpRequest, staff: Staff, customer_id: str
) -> HttpResponse:
    customer = get_customer_for_payment(request.user, customer_id)
    currency = customer.company.currency
    step = request.POST.get("step", "")
    if request.method == "GET" or step == "change":
        initial = {"client_key": uuid.uuid4()}
        form = PaymentForm(request.POST or None, initial=initial, currency=currency)
        if step == "change":
            form = PaymentForm(
                initial={
                    "amount": request.POST.get("amount", ""),
                    "service": request.POST.get("service", ""),
                    "client_key": request.POST.get("client_key") or uuid.uuid4(),
                },
                currency=currency,
            )
    else:
        form = PaymentForm(request.POST, currency=currency)
    context: dict[str, Any] = {
        "customer": customer,
        "owed": outstanding_by_service(customer),
        "form": form,
        "currency": currency,
    }
    if request.method == "POST" and step in ("review", "save") and form.is_valid():
        data = form.cleaned_data
        if step == "review":
            context["preview"] = _preview(customer, data["amount"], data["service"])
            context["service_label"] = dict(form.fields["service"].choices)[  # type: ignore[attr-defined]
                data["service"]
            ]
            return render(request, "field/payments/review.html", context)
        try:
            recorded = payment_take_cash(
                customer=customer,
                amount=str(data["amount"]),
                service=data["service"],
                client_key=str(data["client_key"]),
                by=request.user,  # type: ignore[arg-type]
            )
        except DomainError as exc:
            form.add_error("amount" if exc.field == "amount" else None, exc.message)
        else:
            return redirect("field:payment", uid=recorded.payment.uid)
    return render(request, "field/payments/add.html", context)


@require_GET
@field_view
def payment_page(request: HttpRequest, staff: Staff, uid: str) -> HttpResponse:
    """The saved payment: amount, where it went, who took it; the receipt."""
    payment = get_payment_for_user(request.user, uid)
    context = {
        "payment": payment,
        "allocations": list(payment.allocations.all()),
        "owed": outstanding_by_service(payment.customer),
    }
    return render(request, "field/payments/saved.html", context)
