"""The door of the field agent app: who may come in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from mcoms.org.access import require
from mcoms.org.models import Staff, User
from mcoms.org.permissions import Action

FieldView = Callable[..., HttpResponse]


def field_view(view: FieldView) -> Callable[..., HttpResponse]:
    """Anonymous: to the field sign-in. Customer: to the customer app.
    Staff whose designation lacks ``FIELD_USE``: 403. Else the view gets the
    staff record as its second argument."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("field:login"))
        if getattr(user, "kind", "") == User.Kind.CUSTOMER:
            return redirect("selfcare:home")
        staff: Staff = require(user, Action.FIELD_USE)
        return view(request, staff, *args, **kwargs)

    return wrapped
