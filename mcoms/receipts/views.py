"""The public verification page (no sign-in): the QR code of every receipt
opens ``/r/<token>``, which says whether the receipt is genuine. Each
address may ask ``RECEIPT_VERIFY_PER_MINUTE`` times a minute (429 beyond), so
tokens cannot be guessed in bulk."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mcoms.receipts.selectors import receipt_verify

WINDOW = 60  # seconds


def verify_allowed(remote_addr: str, *, bucket: str = "web") -> bool:
    """Count one lookup for this address; False once over the limit."""
    key = f"receipt-verify:{bucket}:{remote_addr or '-'}"
    cache.add(key, 0, WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
        count = 1
    return count <= settings.RECEIPT_VERIFY_PER_MINUTE


@require_GET
@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    if not verify_allowed(request.META.get("REMOTE_ADDR", "")):
        response = render(request, "receipts/verify_limited.html", status=429)
        response["Retry-After"] = str(WINDOW)
        return response
    result = receipt_verify(token[:80])
    response = render(
        request,
        "receipts/verify.html",
        {"result": result},
        status=200 if result.genuine else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
