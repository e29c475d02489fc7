"""Customers in the back office: the consumer list (manual 3.5.4) with its
counts per plant, cluster subtotals and search; the account page with its
Profile tab (manual 3.5.2), the pencil edit and the customer's confirmation by
code (seed 2.2.6)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.backoffice import history
from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.core.errors import DomainError
from mcoms.customers import profile
from mcoms.customers.models import Customer, ProfileChange, Segment
from mcoms.customers.selectors import (
    account_page,
    customer_counts_by_cluster,
    customers_find,
    customers_for,
    get_customer_for_user,
    outstanding_for,
)
from mcoms.org.access import can, get_plant_for_user
from mcoms.org.models import Language
from mcoms.org.permissions import Action

PAGE_SIZE = 50
# Refusals as the user reads them (docs/decisions/0006).
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
    """The pencil edit: every contact field, shown with the current values."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    phone = forms.CharField(label=gettext_lazy("Mobile number"), max_length=20)
    alt_phone = forms.CharField(
        label=gettext_lazy("Alternative number"), max_length=20, required=False
    )
    address = forms.CharField(
        label=gettext_lazy("Address"), max_length=200, required=False
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language for messages"), choices=Language.choices
    )
    segment = forms.ChoiceField(label=gettext_lazy("Segment"), choices=Segment.choices)
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)


def profile_initial(customer: Customer) -> dict[str, Any]:
    return {
        "name": customer.name,
        "phone": str(customer.phone),
        "alt_phone": str(customer.alt_phone or ""),
        "address": customer.address,
        "language": customer.language,
        "segment": customer.segment,
        "token": uuid.uuid4(),
    }


@require_GET
@backoffice_view
def customer_list(request: StaffRequest) -> HttpResponse:
    """Manual 3.5.4: customers per plant by status, cluster subtotals, the
    total; then the customers (of one plant if chosen), or those found."""
    groups, total = customer_counts_by_cluster(request.user)
    plant = None
    if request.GET.get("plant"):
        plant = get_plant_for_user(
            request.user, request.GET["plant"], Action.CUSTOMER_VIEW
        )
    q = request.GET.get("q", "").strip()[:60]
    more = False
    if q:
        found = customers_find(request.user, q, plant=plant)
        page: Any = Paginator(found.customers, PAGE_SIZE).get_page(1)
        more = found.more
    else:
        qs = customers_for(request.user).select_related("package")
        if plant is not None:
            qs = qs.filter(plant=plant)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    owed = outstanding_for(list(page))
    for customer in page:
        customer.outstanding = owed.get(customer.pk)  # type: ignore[attr-defined]
    context = {
        "groups": groups,
        "total": total,
        "plant": plant,
        "q": q,
        "more": more,
        "page": page,
    }
    return render(request, "backoffice/customers/list.html", context)


@require_GET
@backoffice_view
def customer_detail(request: StaffRequest, customer_id: str) -> HttpResponse:
    """Manual 3.5.2: the account page's Profile tab, the change waiting for
    the customer's code, the latest changes and the record's history."""
    customer = get_customer_for_user(request.user, customer_id)
    page = account_page(customer)
    context = {
        "page": page,
        "customer": page.customer,
        "may_edit": can(request.user, Action.CUSTOMER_EDIT),
        "history": history.for_user(request.user, page.customer),
        "token": uuid.uuid4(),
    }
    return render(request, "backoffice/customers/detail.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def customer_edit(request: StaffRequest, customer_id: str) -> HttpResponse:
    """The pencil: new values go to the customer for confirmation by code."""
    customer = get_customer_for_user(request.user, customer_id, write=True)
    form = ProfileForm(request.POST or None, initial=profile_initial(customer))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("token")
        try:
            profile.profile_change_request(
                customer=customer, changes=data, by=request.user, idempotency_key=key
            )
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, refusal(exc))
        else:
            messages.success(
                request,
                _(
                    "Codes sent to the customer. The change takes effect once "
                    "you enter the code the customer reads out."
                ),
            )
            return _to_detail(customer)
    context = {
        "form": form,
        "customer": customer,
        "cancel": reverse("backoffice:customer-detail", args=[customer.customer_id]),
    }
    return render(request, "backoffice/customers/edit.html", context)


def _to_detail(customer: Customer) -> HttpResponse:
    url = reverse("backoffice:customer-detail", args=[customer.customer_id])
    return redirect(f"{url}#change")


def _change(request: StaffRequest, customer_id: str, pk: int) -> ProfileChange:
    customer = get_customer_for_user(request.user, customer_id, write=True)
    change = customer.profile_changes.filter(pk=pk).select_related("customer").first()
    if change is None:
        raise Http404("No such change.")
    return change


@require_POST
@backoffice_view
def change_action(
    request: StaffRequest, customer_id: str, pk: int, action: str
) -> HttpResponse:
    """Confirm with the codes, send new codes, or cancel the waiting change."""
    change = _change(request, customer_id, pk)
    post = request.POST
    try:
        if action == "confirm":
            profile.profile_change_confirm(
                change=change,
                by=request.user,
                code_registered=post.get("code_registered", ""),
                code_new=post.get("code_new", ""),
            )
            messages.success(request, _("Confirmed: the profile is updated."))
        elif action == "resend":
            profile.profile_change_resend(
                change=change, by=request.user, idempotency_key=post.get("token", "")
            )
            messages.success(request, _("New codes sent."))
        elif action == "cancel":
            profile.profile_change_cancel(change=change, by=request.user)
            messages.success(request, _("Change cancelled."))
        else:
            raise Http404("No such action.")
    except DomainError as exc:
        messages.error(request, refusal(exc))
    return _to_detail(change.customer)
