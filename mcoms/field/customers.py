"""Customers in the field app: the Consumer List (manual 3.5.4) with counts
per plant, cluster subtotals and search; the account page's Profile tab
(manual 3.5.2) with the pencil edit that the customer confirms by code (seed
2.2.6, manual FAQ 3.11: "account page -> pencil icon -> customer may confirm
by OTP"), and the record's history.

The edit form carries a token made when the page was drawn, so a double tap or
a resend on a weak network proposes the change once."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.core.errors import DomainError
from mcoms.customers import profile
from mcoms.customers.models import Customer, ProfileChange, Segment
from mcoms.customers.selectors import (
    account_page,
    customer_counts_by_cluster,
    customers_find,
    customers_for,
    get_customer_for_user,
    profile_history,
)
from mcoms.field.access import field_view
from mcoms.field.forms import SearchForm
from mcoms.org.access import can, get_plant_for_user
from mcoms.org.models import Language, Staff
from mcoms.org.permissions import Action

PAGE_SIZE = 50
REFUSALS = {
    "otp_wrong": gettext_lazy("Wrong code. Ask the customer to read it again."),
    "otp_expired": gettext_lazy("The code has expired. Send new codes."),
    "otp_used": gettext_lazy("This code was already used. Send new codes."),
    "otp_missing": gettext_lazy("No code was sent to this number. Send new codes."),
    "otp_locked": gettext_lazy("Too many wrong codes. Try again later."),
    "otp_rate_limited": gettext_lazy(
        "Too many codes for this number in the last hour. Try again later."
    ),
    "otp_superseded": gettext_lazy(
        "A newer code went to this number for another change. Send new codes."
    ),
    "otp_required": gettext_lazy("Enter the code."),
    "profile_change_expired": gettext_lazy(
        "The codes for this change have expired. Make the change again."
    ),
    "profile_change_closed": gettext_lazy("This change is already closed."),
    "profile_changed_meanwhile": gettext_lazy(
        "The record was edited meanwhile; this change was cancelled. Make it again."
    ),
    "profile_unchanged": gettext_lazy("Nothing was changed."),
    "phone_invalid": gettext_lazy("Enter a valid 10-digit mobile number."),
    "alt_phone_same": gettext_lazy(
        "The alternative number is the mobile number itself."
    ),
}


def refusal(exc: DomainError) -> str:
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)
    return str(REFUSALS.get(exc.code, exc.message))


class ProfileForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    alt_phone = forms.CharField(
        label=gettext_lazy("Alternative number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    address = forms.CharField(
        label=gettext_lazy("Address"), max_length=200, required=False
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language for messages"), choices=Language.choices
    )
    segment = forms.ChoiceField(label=gettext_lazy("Segment"), choices=Segment.choices)
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)


@require_GET
@field_view
def consumers(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Manual 3.5.4: counts per plant by status with cluster subtotals, then
    the customers of the plant chosen, or those the search finds."""
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    groups, total = customer_counts_by_cluster(request.user)
    plant = None
    if request.GET.get("plant"):
        plant = get_plant_for_user(request.user, request.GET["plant"])
    more = False
    if q:
        found = customers_find(request.user, q, plant=plant)
        page: Any = Paginator(found.customers, PAGE_SIZE).get_page(1)
        more = found.more
    else:
        qs = customers_for(request.user)
        if plant is not None:
            qs = qs.filter(plant=plant)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "groups": groups,
        "total": total,
        "plant": plant,
        "page": page,
        "q": q,
        "more": more,
    }
    return render(request, "field/consumers.html", context)


@require_GET
@field_view
def account(request: HttpRequest, staff: Staff, customer_id: str) -> HttpResponse:
    """Manual 3.5.2: the Profile tab, the change waiting for the customer's
    code, and who changed the contact details when."""
    customer = get_customer_for_user(request.user, customer_id)
    page = account_page(customer)
    context = {
        "page": page,
        "customer": page.customer,
        "may_edit": can(request.user, Action.CUSTOMER_EDIT),
        "history": profile_history(page.customer, limit=10),
        "token": uuid.uuid4(),
    }
    return render(request, "field/customers/account.html", context)


@require_http_methods(["GET", "POST"])
@field_view
def edit(request: HttpRequest, staff: Staff, customer_id: str) -> HttpResponse:
    """The pencil: the new values wait for the customer's code."""
    customer = get_customer_for_user(request.user, customer_id, write=True)
    initial = {
        "name": customer.name,
        "phone": str(customer.phone),
        "alt_phone": str(customer.alt_phone or ""),
        "address": customer.address,
        "language": customer.language,
        "segment": customer.segment,
        "token": uuid.uuid4(),
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("token")
        try:
            profile.profile_change_request(
                customer=customer, changes=data, by=staff.user, idempotency_key=key
            )
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields else None, refusal(exc)
            )
        else:
            messages.success(
                request, _("Codes sent. Enter the code the customer reads out.")
            )
            return _to_account(customer)
    return render(
        request, "field/customers/edit.html", {"form": form, "customer": customer}
    )


def _to_account(customer: Customer) -> HttpResponse:
    url = reverse("field:customer", args=[customer.customer_id])
    return redirect(f"{url}#change")


@require_POST
@field_view
def change_action(
    request: HttpRequest, staff: Staff, customer_id: str, pk: int, action: str
) -> HttpResponse:
    """Confirm with the codes, send new codes, or cancel the waiting change."""
    customer = get_customer_for_user(request.user, customer_id, write=True)
    change: ProfileChange | None = customer.profile_changes.filter(pk=pk).first()
    if change is None or action not in ("confirm", "resend", "cancel"):
        raise Http404("No such change.")
    post = request.POST
    try:
        if action == "confirm":
            profile.profile_change_confirm(
                change=change,
                by=staff.user,
                code_registered=post.get("code_registered", ""),
                code_new=post.get("code_new", ""),
            )
            messages.success(request, _("Confirmed: the profile is updated."))
        elif action == "resend":
            profile.profile_change_resend(
                change=change, by=staff.user, idempotency_key=post.get("token", "")
            )
            messages.success(request, _("New codes sent."))
        else:
            profile.profile_change_cancel(change=change, by=staff.user)
            messages.success(request, _("Change cancelled."))
    except DomainError as exc:
        messages.error(request, refusal(exc))
    return _to_account(customer)
