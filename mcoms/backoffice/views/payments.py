"""Payments in the back office (docs/payments.md): the payments of the user's
plants, one payment (where it went, its journal, its callbacks) with Reverse
and Refund for head office, and the conflicts queue of provider callbacks
whose amount, currency or reference did not match, each settled by a person
(apply it to a customer, or dismiss it with a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.core.errors import DomainError
from mcoms.customers.selectors import customers_for
from mcoms.org.access import can
from mcoms.org.permissions import Action
from mcoms.payments import selectors as sel
from mcoms.payments import services
from mcoms.payments.models import PAYABLE_SERVICES, ReversalKind

PAGE_SIZE = 50


class UndoForm(forms.Form):
    kind = forms.ChoiceField(choices=ReversalKind.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class SettleForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Settle"),
        choices=[
            ("apply", gettext_lazy("Apply to a customer")),
            ("dismiss", gettext_lazy("Dismiss")),
        ],
    )
    customer = forms.CharField(
        label=gettext_lazy("Customer ID"), max_length=11, required=False
    )
    service = forms.ChoiceField(
        label=gettext_lazy("Service"),
        required=False,
        choices=[("", gettext_lazy("Oldest charges first")), *PAYABLE_SERVICES],
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


@require_GET
@backoffice_view
def payment_list(request: StaffRequest) -> HttpResponse:
    """Payments of the user's plants, newest first; search by customer ID."""
    qs = sel.payments_for(request.user)
    q = request.GET.get("q", "").strip().upper()[:11]
    if q:
        qs = qs.filter(customer__customer_id__startswith=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "may_settle": can(request.user, Action.PAYMENT_CONFLICT_SETTLE),
    }
    return render(request, "backoffice/payments/list.html", context)


@require_GET
@backoffice_view
def payment_detail(request: StaffRequest, uid: str) -> HttpResponse:
    payment = sel.get_payment_for_user(request.user, uid)
    may_undo = can(request.user, Action.PAYMENT_REVERSE)
    context = {
        "payment": payment,
        "allocations": list(payment.allocations.all()),
        "lines": list(payment.journal.entries.select_related("account")),
        "events": list(payment.events.order_by("received_at")[:20]),
        "may_undo": may_undo and payment.status == "posted",
        "undo_form": UndoForm(),
    }
    return render(request, "backoffice/payments/detail.html", context)


@require_POST
@backoffice_view
def payment_undo(request: StaffRequest, uid: str) -> HttpResponse:
    """Reverse (recorded by mistake) or refund (money back to the payer)."""
    payment = sel.get_payment_for_user(request.user, uid, Action.PAYMENT_REVERSE)
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
        return redirect("backoffice:payment-detail", uid=payment.uid)
    undo = (
        services.payment_refund
        if form.cleaned_data["kind"] == ReversalKind.REFUND
        else services.payment_reverse
    )
    try:
        _done, created = undo(
            payment=payment, reason=form.cleaned_data["reason"], by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if created:
            messages.success(request, _("Done: the mirror journal is posted."))
    return redirect("backoffice:payment-detail", uid=payment.uid)


@require_GET
@backoffice_view
def conflict_list(request: StaffRequest) -> HttpResponse:
    rows = sel.conflicts_for(request.user)
    return render(
        request,
        "backoffice/payments/conflicts.html",
        {"rows": rows, "form": SettleForm()},
    )


@require_POST
@backoffice_view
def conflict_settle(request: StaffRequest, pk: int) -> HttpResponse:
    event = sel.get_event_for_user(request.user, pk)
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form."))
        return redirect("backoffice:payment-conflicts")
    data = form.cleaned_data
    customer = None
    if data["customer"]:
        customer = (
            customers_for(request.user)
            .filter(customer_id=data["customer"].strip().upper())
            .first()
        )
    try:
        event = services.provider_event_settle(
            event=event,
            action=data["action"],
            by=request.user,
            customer=customer,
            service=data["service"],
            note=data["note"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:payment-conflicts")
    if event.payment is not None:
        messages.success(request, _("Applied: the payment is recorded."))
        return redirect("backoffice:payment-detail", uid=event.payment.uid)
    messages.success(request, _("Dismissed."))
    return redirect("backoffice:payment-conflicts")
