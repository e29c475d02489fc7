"""The installable shell of the back office (served under /backoffice/ so that
the worker's scope covers it). Pages always come from the network: they hold
live figures."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from mcoms.core.pwa import manifest_response, service_worker_response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    return manifest_response(
        name="MCOMS Back office",
        start_url=reverse("backoffice:dashboard"),
        icon=static("backoffice/icon.svg"),
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [static("css/mcoms.css"), static("backoffice/icon.svg")]
    return service_worker_response(request, app="backoffice", keep=shell)
