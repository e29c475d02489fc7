"""Small request helpers shared by the web apps."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, *, prefix: str) -> str:
    """The ``next`` URL of a sign-in form if it is ours and inside the app
    (``prefix``, e.g. ``/field/``); otherwise an empty string."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe and wanted.startswith(prefix) else ""
