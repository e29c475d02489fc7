"""Template helpers for the back office."""

from __future__ import annotations

from typing import Any

from django import template

from mcoms.org.access import can as _can
from mcoms.org.access import staff_for
from mcoms.org.permissions import Action

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], action: str) -> bool:
    """``{% can "staff.view" as may_see_staff %}``: the designation allows it."""
    return _can(context["request"].user, Action(action))


@register.simple_tag(takes_context=True)
def current_staff(context: dict[str, Any]) -> Any:
    return staff_for(context["request"].user)


@register.inclusion_tag("backoffice/_icon.html")
def icon(name: str, tone: str = "") -> dict[str, str]:
    return {"name": name, "tone": tone}
