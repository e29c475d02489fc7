"""Reads for packages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mcoms.org import access
from mcoms.org.models import Plant
from mcoms.packages.models import Package


def packages_for(user: Any, *, offered_only: bool = False) -> QuerySet[Package]:
    """Packages at the plants in the user's scope (403 for non-staff)."""
    qs = Package.objects.select_related("plant", "package_type", "timing").filter(
        plant__in=access.plants_for(user)
    )
    return qs.filter(active=True) if offered_only else qs


def package_offered_at(plant: Plant) -> QuerySet[Package]:
    """The packages a new customer at ``plant`` may take now."""
    return Package.objects.select_related("package_type", "timing").filter(
        plant=plant, active=True
    )
