"""Response for a username locked out by django-axes after repeated failures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    message = _("Too many failed sign-ins. This account is locked for a while.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": message}, status=403)
    return render(request, "locked_out.html", {"message": message}, status=403)
