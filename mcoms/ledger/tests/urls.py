"""A tiny urlconf for the ledger API tests: the endpoints where the API mounts
them, under ``/api/v1/ledger/``."""

from django.urls import include, path

urlpatterns = [path("api/v1/ledger/", include("mcoms.api.ledger"))]
