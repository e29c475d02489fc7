"""The front door at ``/``: a signed-in person goes to their app; anyone else
sees the three doors (back office, field app, customer app)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from mcoms.org.access import can
from mcoms.org.permissions import Action


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in person to their app; otherwise offer the three doors."""
    user = request.user
    if user.is_authenticated:
        if getattr(user, "kind", "") == "customer":
            return redirect("selfcare:home")
        if can(user, Action.BACKOFFICE_USE):
            return redirect("backoffice:dashboard")
        if can(user, Action.FIELD_USE):
            return redirect("field:home")
    return render(request, "home.html")
