"""Who changed what and when: the simple-history records of one object as a
list of changes (field, old value, new value), newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from mcoms.org.access import can
from mcoms.org.permissions import Action

KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
LIMIT = 50


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except Exception:  # a field that no longer exists
        return name


def _show(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def entries(obj: models.Model, *, limit: int = LIMIT) -> list[Entry]:
    records = list(
        obj.history.select_related("history_user").order_by(  # type: ignore[attr-defined]
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    out: list[Entry] = []
    for record, older in zip(records, [*records[1:], None], strict=False):
        if len(out) == limit:
            break
        user = record.history_user
        entry = Entry(
            when=record.history_date,
            who=(user.get_full_name() or user.username) if user else str(_("system")),
            kind=str(KINDS.get(record.history_type, record.history_type)),
            reason=record.history_change_reason or "",
        )
        if older is not None:
            for change in record.diff_against(older).changes:
                entry.changes.append(
                    Change(
                        _label(type(obj), change.field),
                        _show(change.old),
                        _show(change.new),
                    )
                )
        out.append(entry)
    return out


def for_user(user: Any, obj: models.Model, *also: models.Model) -> list[Entry] | None:
    """The history if the user may audit (the object is already in their scope);
    None otherwise, so the template shows nothing. ``also``: records edited with
    it (a staff member's user account), merged newest first."""
    if not can(user, Action.AUDIT_VIEW):
        return None
    merged = [e for o in (obj, *also) for e in entries(o)]
    return sorted(merged, key=lambda e: e.when, reverse=True)[:LIMIT]
