"""The installable shell shared by the three apps: one web manifest builder and
one service worker. A worker must be served from its app's own path so that its
scope covers the app; each app's cache is named after it and a worker only ever
deletes its own app's old caches."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

THEME = "#0b6e4f"
BACKGROUND = "#f5f7f8"
CACHE_VERSION = 2  # bump when a shell file changes shape


def manifest_response(*, name: str, start_url: str, icon: str) -> JsonResponse:
    data = {
        "name": name,
        "short_name": "MCOMS",
        "start_url": start_url,
        "scope": start_url,
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": [
            {"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "any"}
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "max-age=3600"
    return response


def service_worker_response(
    request: HttpRequest,
    *,
    app: str,
    keep: Sequence[str],
    offline: str = "",
    home: str = "",
) -> HttpResponse:
    """``keep``: files kept for weak networks; ``offline``: the page shown with no
    network at all (none: pages simply fail); ``home``: a page whose last copy is
    kept and shown offline."""
    context = {
        "cache": f"mcoms-{app}-v{CACHE_VERSION}",
        "prefix": f"mcoms-{app}-",
        "shell": [*keep, *([offline] if offline else [])],
        "offline": offline,
        "home": home,
    }
    response = render(
        request, "pwa/sw.js", context, content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response
