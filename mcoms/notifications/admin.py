"""Read-only admin views of the outbox and of one-time codes (for support)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mcoms.notifications.models import Message, OtpCode


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Any | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Any | None = None
    ) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "channel",
        "template",
        "language",
        "phone",
        "email",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["channel", "status", "language", "template"]
    search_fields = ["phone", "email", "user__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]
    fields = [
        "channel",
        "user",
        "phone",
        "email",
        "template",
        "language",
        "subject",
        "text",
        "status",
        "attempts",
        "last_error",
        "provider_ref",
        "created_at",
        "sent_at",
        "read_at",
    ]
    readonly_fields = ["text", "created_at"]

    @admin.display(description="text")
    def text(self, obj: Message) -> str:
        """The masked text while a message with a secret (an OTP) waits."""
        return obj.redacted_body or obj.body


@admin.register(OtpCode)
class OtpCodeAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "phone",
        "purpose",
        "expires_at",
        "attempts",
        "used_at",
        "invalidated",
        "locked_until",
    ]
    list_filter = ["purpose", "invalidated"]
    search_fields = ["phone"]
    date_hierarchy = "created_at"
    exclude = ["code_hash"]
