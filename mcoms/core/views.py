"""Views that belong to no app: the health check."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("mcoms.health")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the database's status; 503 if the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down"; details go to the log only
        logger.exception("health check: the database does not answer")
        return JsonResponse({"status": "error", "database": "down"}, status=503)
    return JsonResponse(
        {"status": "ok", "database": "ok", "vendor": connection.vendor}, status=200
    )
