"""Small helpers shared by every domain's services."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from mcoms.core.errors import ValidationFailed

M = TypeVar("M", bound=models.Model)


def validation_failed(exc: ValidationError) -> ValidationFailed:
    """Turn Django's ValidationError into our error, keeping the first field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = " ".join(str(m) for e in errors for m in e.messages)
        code = errors[0].code or "invalid"
        if code == "unique_together" or "already exists" in message:
            code = "duplicate"
        return ValidationFailed(
            code, message, field=None if field == "__all__" else field
        )
    return ValidationFailed("invalid", " ".join(exc.messages))


def validated_save(obj: M, *, by: Any, reason: str = "") -> M:
    """full_clean, then save with the audit user and reason; refuse duplicates
    cleanly even when two writers race past full_clean."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise validation_failed(exc) from exc
    obj._history_user = by  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        text = str(exc).lower()
        if "unique" in text or "duplicate" in text:
            raise ValidationFailed(
                "duplicate", "This code is already used here."
            ) from exc
        raise ValidationFailed(
            "constraint_failed", "This change breaks a rule of the records."
        ) from exc
    return obj


def apply_changes(obj: M, changes: dict[str, Any], allowed: set[str]) -> M:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(
            "field_not_editable",
            f"Cannot change {', '.join(sorted(unknown))}.",
            field=sorted(unknown)[0],
        )
    for name, value in changes.items():
        setattr(obj, name, value)
    return obj
