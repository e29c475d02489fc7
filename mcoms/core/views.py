"""Views that belong to no app: the health check and the front door."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the database's status; 503 if the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return JsonResponse(
            {"status": "error", "database": "down", "detail": str(exc)}, status=503
        )
    return JsonResponse(
        {"status": "ok", "database": "ok", "vendor": connection.vendor}, status=200
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in person to their app; otherwise offer the three doors."""
    user = request.user
    if user.is_authenticated:
        if getattr(user, "kind", "") == "customer":
            return redirect("selfcare:home")
        from mcoms.org.access import can
        from mcoms.org.permissions import Action

        if can(user, Action.BACKOFFICE_USE):
            return redirect("backoffice:dashboard")
        if can(user, Action.FIELD_USE):
            return redirect("field:home")
    return render(request, "home.html")
