"""Ledger endpoints (accounts, statements, journals). Filled in by the ledger work."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
