"""New Connection Request in the customer app (manual 4.2.1): anyone may ask
for a connection, for themselves or for someone else, proving the mobile
number with a code sent to it by SMS.

* Signed out: the number -> the code -> the request form -> a confirmation
  with the request's reference.
* Signed in: "another connection for me" (the sign-in number is already
  proved: straight to the form) or "for someone else" (a referral: their
  number and its code, then the form, naming one of my accounts as the
  referrer); and the list of my requests and how far they are.

The proved number is kept in the server-side session for ``VERIFIED_FOR``
between the code and the form, and forgotten once the request is sent. The
request enters the pipeline at stage 3; the sales team is told and completes
the survey (docs/acquisition.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from mcoms.acquisition.selectors import connection_requests_for_customer
from mcoms.acquisition.services import connection_request_start
from mcoms.acquisition.services.app_request import (
    connection_request_submit_verified,
    connection_request_verify,
)
from mcoms.core.errors import DomainError
from mcoms.customers.models import Customer, Segment
from mcoms.notifications.phones import phone_normalise
from mcoms.org.models import Language, Plant, User
from mcoms.selfcare import queries
from mcoms.selfcare.errors import message_for
from mcoms.selfcare.forms import CodeForm

PHONE = "connection_phone"  # the number a code was sent to
FOR = "connection_for"  # "self" or "other"
VERIFIED = "connection_verified"  # {"phone": E.164, "at": epoch seconds}
DONE = "connection_done"  # {"ref": ..., "token": ...} of the last request sent
VERIFIED_FOR = 30 * 60  # seconds

MESSAGES = {
    "name_invalid": _("Enter the name, at most 120 letters."),
    "segment_unknown": _("Choose one of the options."),
    "language_unknown": _("Choose one of the options."),
    "referrer_other_company": _("Choose one of your own accounts."),
    "plant_unknown": _("Choose the village from the list."),
}


def _text(exc: DomainError) -> str:
    return str(MESSAGES.get(exc.code) or message_for(exc))


def _language() -> str:
    lang = (get_language() or "")[:2]
    return lang if lang in Language.values else Language.HINDI


def _customer(request: HttpRequest) -> User | None:
    """The signed-in customer, None when signed out; staff: 403 (the customer
    app is for customers)."""
    user = request.user
    if not user.is_authenticated:
        return None
    if getattr(user, "kind", "") != User.Kind.CUSTOMER:
        raise PermissionDenied("The customer app is for customers.")
    assert isinstance(user, User)  # noqa: S101
    return user


def _verified_phone(request: HttpRequest, user: User | None) -> str | None:
    """The number proved for this request: the signed-in customer's own
    (for themselves), or the one whose code was entered, if recent."""
    if user is not None and request.session.get(FOR) == "self":
        return str(user.phone) if user.phone else None
    mark = request.session.get(VERIFIED) or {}
    if timezone.now().timestamp() - float(mark.get("at", 0)) > VERIFIED_FOR:
        return None
    return mark.get("phone")


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number of the person who needs the connection"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
        ),
    )


def _plants(user: User | None) -> list[Plant]:
    """Where a connection can be asked for: every plant, or for a signed-in
    customer the plants of their company."""
    qs = Plant.objects.select_related("state", "company").order_by(
        "company__name", "state__code", "code"
    )
    if user is not None:
        companies = {c.company_id for c in queries.accounts_for(user)}
        qs = qs.filter(company_id__in=companies)
    return list(qs)


class RequestForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    name = forms.CharField(label=_("Name"), max_length=120)
    plant = forms.ChoiceField(label=_("Village (plant)"))
    pole = forms.CharField(
        label=_("Nearest pole number, if you know it"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    needs = forms.CharField(
        label=_("What will you use electricity for?"),
        required=False,
        max_length=200,
        help_text=_("For example: 3 lights, a fan, a TV, a shop."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    segment = forms.ChoiceField(label=_("For"), choices=Segment.choices)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        plants: list[Plant],
        accounts: list[Customer] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        several = len({p.company_id for p in plants}) > 1
        self.plants = {str(p.pk): p for p in plants}
        self.fields["plant"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(p.pk), f"{p.name} ({p.key})" + (f" · {p.company}" if several else ""))
            for p in plants
        ]
        self.accounts = {a.customer_id: a for a in accounts or []}
        if accounts:
            self.fields["referrer"] = forms.ChoiceField(
                label=_("Referred by my account"),
                choices=[(a.customer_id, a.customer_id) for a in accounts],
            )

    def note(self) -> str:
        """What the sales team reads on the request (stored text)."""
        d = self.cleaned_data
        parts = []
        if d.get("pole"):
            parts.append(f"Nearest pole (from the customer): {d['pole']}.")
        if d.get("needs"):
            parts.append(f"Needs: {' '.join(d['needs'].split())}")
        return " ".join(parts)[:300]


# --- pages --------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """The number that needs the connection; a code goes to it by SMS. A
    signed-in customer also sees "for me" and their requests."""
    user = _customer(request)
    form = PhoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            phone = phone_normalise(phone=form.cleaned_data["phone"])
            connection_request_start(phone=phone, language=_language())
        except DomainError as exc:
            form.add_error("phone", _text(exc))
        else:
            request.session[PHONE] = phone
            request.session[FOR] = "other" if user is not None else "self"
            request.session.pop(VERIFIED, None)
            return redirect("selfcare:connection-verify")
    context: dict[str, Any] = {"form": form, "signed_in": user is not None}
    if user is not None:
        context["requests"] = list(connection_requests_for_customer(user)[:20])
    return render(request, "selfcare/connection/start.html", context)


@require_GET
def for_me(request: HttpRequest) -> HttpResponse:
    """A signed-in customer asks for another connection of their own."""
    user = _customer(request)
    if user is None:
        return redirect("selfcare:connection")
    request.session[FOR] = "self"
    return redirect("selfcare:connection-details")


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The code from the SMS."""
    _customer(request)
    phone = request.session.get(PHONE)
    if not phone:
        return redirect("selfcare:connection")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            proved = connection_request_verify(
                phone=phone, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            form.add_error("code", _text(exc))
        else:
            request.session[VERIFIED] = {
                "phone": proved,
                "at": timezone.now().timestamp(),
            }
            return redirect("selfcare:connection-details")
    return render(
        request, "selfcare/connection/verify.html", {"form": form, "phone": phone}
    )


@require_http_methods(["GET", "POST"])
@never_cache
def details(request: HttpRequest) -> HttpResponse:
    """The request itself, for the proved number."""
    user = _customer(request)
    done = request.session.get(DONE) or {}
    if request.method == "POST" and done.get("token") == request.POST.get("token"):
        return redirect("selfcare:connection-done")  # a second tap on Send
    phone = _verified_phone(request, user)
    if phone is None:
        return redirect("selfcare:connection")
    referral = user is not None and request.session.get(FOR) == "other"
    accounts = queries.accounts_for(user) if user is not None else []
    initial: dict[str, Any] = {"token": str(uuid.uuid4())}
    if user is not None and not referral and accounts:
        initial["name"] = accounts[0].name
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        plants=_plants(user),
        accounts=accounts if referral else None,
    )
    if request.method == "POST" and form.is_valid():
        ref = _send(request, form, user, phone, referral)
        if ref:
            return redirect("selfcare:connection-done")
    context = {"form": form, "phone": phone, "referral": referral}
    return render(request, "selfcare/connection/details.html", context)


def _send(
    request: HttpRequest,
    form: RequestForm,
    user: User | None,
    phone: str,
    referral: bool,
) -> str:
    """File the request; its reference, or "" with the refusal on the form."""
    d = form.cleaned_data
    plant = form.plants.get(d["plant"])
    if plant is None:
        form.add_error("plant", str(MESSAGES["plant_unknown"]))
        return ""
    try:
        prospect, _created = connection_request_submit_verified(
            plant=plant,
            name=d["name"],
            phone=phone,
            address=d["address"],
            segment=d["segment"],
            language=_language(),
            note=form.note(),
            referrer=form.accounts.get(d.get("referrer", "")) if referral else None,
            requested_by=user,
            idempotency_key=d["token"],
        )
    except DomainError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, _text(exc))
        return ""
    for key in (VERIFIED, PHONE, FOR):
        request.session.pop(key, None)
    request.session[DONE] = {"ref": prospect.ref, "token": d["token"]}
    return prospect.ref


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    """The confirmation, with the reference to quote."""
    user = _customer(request)
    sent = request.session.get(DONE) or {}
    if not sent.get("ref"):
        return redirect("selfcare:connection")
    context = {"ref": sent["ref"], "signed_in": user is not None}
    return render(request, "selfcare/connection/done.html", context)
