"""The customer app's Profile (manual 4.5) and its edit (seed 2.2.6): the
customer changes their own contact details; a new mobile number waits for the
code sent to it. A change that a field agent proposed waits here too: the
customer confirms it with the codes, or declines it."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.core.errors import DomainError
from mcoms.customers import profile
from mcoms.customers.models import Customer, ProfileChangeSource
from mcoms.customers.selectors import (
    current_meter,
    customer_for_page,
    pending_change,
    profile_changes_for,
)
from mcoms.org.models import Language, User
from mcoms.selfcare.access import customer_view
from mcoms.selfcare.errors import message_for
from mcoms.selfcare.views import BACKEND, SESSION_ACCOUNT, _account_context

MESSAGES = {
    "profile_unchanged": gettext_lazy("Nothing was changed."),
    "alt_phone_same": gettext_lazy(
        "The alternative number is your mobile number itself."
    ),
    "otp_required": gettext_lazy("Enter the code from the SMS."),
    "otp_superseded": gettext_lazy(
        "A newer code was sent to this number. Ask for new codes."
    ),
    "profile_change_expired": gettext_lazy(
        "The codes have expired. Make the change again."
    ),
    "profile_change_closed": gettext_lazy("This change is already closed."),
    "profile_changed_meanwhile": gettext_lazy(
        "Your details were changed meanwhile. Make the change again."
    ),
}


def _message(exc: DomainError) -> str:
    if exc.status == 404:
        raise Http404(exc.message)
    return str(MESSAGES.get(exc.code) or message_for(exc))


class ProfileForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        help_text=gettext_lazy("A new number gets a code by SMS to confirm it."),
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
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)


def _follow_the_number(request: HttpRequest, pk: int, me: User) -> None:
    """A new number moved the account to that number's sign-in: the customer
    proved both numbers, so the session follows the account."""
    customer = Customer.objects.select_related("user").get(pk=pk)
    if customer.user is None or customer.user_id == me.pk:
        return
    login(request, customer.user, backend=BACKEND)
    request.session[SESSION_ACCOUNT] = customer.customer_id
    messages.info(
        request,
        _(
            "You are now signed in with %(phone)s. Accounts on your old number "
            "stay with it: sign in with that number to see them."
        )
        % {"phone": customer.phone},
    )


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (customer_view let them in)
    return user


@require_GET
@customer_view
def profile_page(request: HttpRequest, customer_id: str) -> HttpResponse:
    """Manual 4.5: basic profile, connection details (package, meter), the
    linked mobile number; a change waiting for a code; the latest changes."""
    context = _account_context(request, customer_id)
    customer = customer_for_page(context["customer"])
    changes = profile_changes_for(customer, limit=5)
    context.update(
        customer=customer,
        meter=current_meter(customer),
        changes=changes,
        pending=pending_change(changes),
        staff_source=ProfileChangeSource.STAFF,
        token=uuid.uuid4(),
    )
    return render(request, "selfcare/profile.html", context)


def _to_profile(customer: Customer) -> HttpResponse:
    return redirect(reverse("selfcare:profile", args=[customer.customer_id]))


@require_http_methods(["GET", "POST"])
@customer_view
def profile_edit(request: HttpRequest, customer_id: str) -> HttpResponse:
    context = _account_context(request, customer_id)
    customer: Customer = context["customer"]
    initial: dict[str, Any] = {
        "phone": str(customer.phone),
        "alt_phone": str(customer.alt_phone or ""),
        "address": customer.address,
        "language": customer.language,
        "token": uuid.uuid4(),
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("token")
        try:
            change, _created = profile.profile_change_request(
                customer=customer, changes=data, by=_me(request), idempotency_key=key
            )
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, _message(exc))
        else:
            if change.state == "confirmed":
                messages.success(request, _("Your details are saved."))
            else:
                messages.info(request, _("Enter the code we sent to your new number."))
            return _to_profile(customer)
    context["form"] = form
    return render(request, "selfcare/profile_edit.html", context)


@require_POST
@customer_view
def profile_change_action(
    request: HttpRequest, customer_id: str, pk: int, action: str
) -> HttpResponse:
    """Confirm a waiting change with the codes, ask for new codes, or
    decline it."""
    customer = _account_context(request, customer_id)["customer"]
    change = customer.profile_changes.filter(pk=pk).first()
    if change is None or action not in ("confirm", "resend", "cancel"):
        raise Http404("No such change.")
    post, me = request.POST, _me(request)
    try:
        if action == "confirm":
            change = profile.profile_change_confirm(
                change=change,
                by=me,
                code_registered=post.get("code_registered", ""),
                code_new=post.get("code_new", ""),
            )
            messages.success(request, _("Your details are saved."))
            _follow_the_number(request, change.customer_id, me)
        elif action == "resend":
            profile.profile_change_resend(
                change=change, by=me, idempotency_key=post.get("token", "")
            )
            messages.success(request, _("New codes sent."))
        else:
            profile.profile_change_cancel(change=change, by=me)
            messages.success(request, _("The change is cancelled."))
    except DomainError as exc:
        messages.error(request, _message(exc))
    return _to_profile(customer)
