"""Read-only admin views of requests and their steps (for support): every
change goes through the services, which check who may take which step."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mcoms.workflow.models import Request, RequestStep


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = RequestStep
    fields = ("at", "by", "action", "from_state", "to_state", "assignee", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Request)
class RequestAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "kind", "state", "subject", "raised_at", "assigned_to"]
    list_filter = ["state", "kind"]
    search_fields = ["number", "subject__customer_id", "subject__name"]
    list_select_related = ["subject", "assigned_to"]
    inlines = [StepInline]
