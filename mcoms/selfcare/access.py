"""The door of the customer app: signed-in customers only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from mcoms.org.models import User


def customer_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous: to the customer sign-in. Staff: 403 (this app is for
    customers; staff use the field app or the back office)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("selfcare:login"))
        if getattr(user, "kind", "") != User.Kind.CUSTOMER:
            raise PermissionDenied("The customer app is for customers.")
        return view(request, *args, **kwargs)

    return wrapped
