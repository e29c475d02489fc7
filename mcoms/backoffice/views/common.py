"""What every back-office view shares: the entry check, 403 pages, form errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from mcoms.core.errors import DomainError
from mcoms.org.access import can, staff_for
from mcoms.org.models import User
from mcoms.org.permissions import Action

View = Callable[..., HttpResponse]


class StaffRequest(HttpRequest):
    """A request that passed :func:`backoffice_view`: a signed-in staff user."""

    user: User  # type: ignore[assignment]


FIELD_APP_URL = "/field/"
SELFCARE_URL = "/selfcare/"


def forbidden(request: HttpRequest, *, field_app: bool = False) -> HttpResponse:
    """The 403 page; ``field_app`` points field staff to their own app."""
    context = {
        "field_app_url": FIELD_APP_URL if field_app else "",
        "can_field": can(request.user, Action.FIELD_USE),
    }
    return render(request, "backoffice/forbidden.html", context, status=403)


def backoffice_view(view: View) -> View:
    """Signed-in staff whose designation may use the back office; others are
    sent to sign in, to the customer app, or to a 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(user, "kind", "") == "customer":
            return HttpResponseRedirect(SELFCARE_URL)
        if not can(user, Action.BACKOFFICE_USE):
            return forbidden(request, field_app=staff_for(user) is not None)
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)

    return wrapper


# The services speak English; these are their messages as the user reads them.
KNOWN_MESSAGES = {
    "This username is taken.": _("This username is taken."),
    "This code is already used here.": _("This code is already used here."),
    "A plant can only move to a cluster of its state.": _(
        "A plant can only move to a cluster of its state."
    ),
    "A pole can only move to a feeder of its plant.": _(
        "A pole can only move to a feeder of its plant."
    ),
    "Scope must be in the same company.": _("Scope must be in the same company."),
    "You cannot grant a designation above your own.": _(
        "You cannot grant a designation above your own."
    ),
    "You cannot grant a scope outside your own.": _(
        "You cannot grant a scope outside your own."
    ),
    "You cannot change your own designation, scope or status.": _(
        "You cannot change your own designation, scope or status."
    ),
}
BY_CODE = {
    "duplicate": _("This is already in use here; choose another."),
    "timezone_unknown": _("This is not a known time zone."),
    "designation_unknown": _("This is not a designation."),
}
KEY_FIELDS = ("code", "number", "username")


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to its field (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    if field is None and exc.code == "duplicate":
        field = next((f for f in KEY_FIELDS if f in form.fields), None)
    message = KNOWN_MESSAGES.get(exc.message) or BY_CODE.get(exc.code) or exc.message
    form.add_error(field, str(message))


def submit(
    request: HttpRequest, form: forms.Form, write: Callable[[dict[str, Any]], Any]
) -> Any:
    """On a valid POST call ``write`` (a service) with the cleaned data; return its
    result, or None when the form (or the service) refused the input."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def form_page(
    request: HttpRequest, form: forms.Form, *, title: str, cancel: str
) -> HttpResponse:
    context = {"form": form, "title": title, "cancel": cancel}
    return render(request, "backoffice/form.html", context)
