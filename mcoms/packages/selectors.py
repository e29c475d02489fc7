"""Reads for packages and their code tables, through the access helpers.

Everyone on the staff reads packages (``package.view``) at the plants of their
scope; the code tables are the company's (its own codes, then the defaults it
has not replaced).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from mcoms.org import access
from mcoms.org.models import Company, Plant
from mcoms.org.permissions import Action
from mcoms.packages.models import Package, PackageType, TimingCode

VIEW = Action.PACKAGE_VIEW


def packages_for(
    user: Any, *, action: Action = VIEW, offered_only: bool = False
) -> QuerySet[Package]:
    """Packages at the plants in the user's scope (403 without ``action``)."""
    qs = Package.objects.select_related(
        "plant__state", "package_type", "timing"
    ).filter(plant__in=access.plants_for(user, action))
    return qs.filter(active=True) if offered_only else qs


def with_usage(qs: QuerySet[Package]) -> QuerySet[Package]:
    """Each package with ``n_customers`` (customers on this version) and
    ``is_newest`` (no version supersedes it)."""
    newer = Package.objects.filter(supersedes=OuterRef("pk"))
    return qs.annotate(n_customers=Count("customers"), is_newest=~Exists(newer))


def get_package_for_user(
    user: Any, plant_key: str, package_id: str, version: int, action: Action = VIEW
) -> Package:
    """One package by plant, package ID and version; 404 outside the scope."""
    plant = access.get_plant_for_user(user, plant_key, action)
    package = (
        with_usage(Package.objects.select_related("plant__state", "package_type"))
        .select_related("timing")
        .filter(plant=plant, package_id=package_id, version=version)
        .first()
    )
    if package is None:
        raise Http404(f"No package {package_id} v{version} at {plant.key}.")
    return package


def package_versions(package: Package) -> list[Package]:
    """Every version of the package's line, oldest first (a few small queries:
    a line has a handful of versions)."""
    line = [package]
    while line[0].supersedes_id is not None:
        line.insert(0, Package.objects.get(pk=line[0].supersedes_id))
    newer = Package.objects.filter(supersedes=line[-1]).first()
    while newer is not None:
        line.append(newer)
        newer = Package.objects.filter(supersedes=newer).first()
    ids = [p.pk for p in line]
    counts = dict(
        Package.objects.filter(pk__in=ids)
        .annotate(n=Count("customers"))
        .values_list("pk", "n")
    )
    for p in line:
        p.n_customers = counts[p.pk]  # type: ignore[attr-defined]
    return line


def package_offered_at(plant: Plant) -> QuerySet[Package]:
    """The packages a new customer at ``plant`` may take now."""
    return Package.objects.select_related("package_type", "timing").filter(
        plant=plant, active=True
    )


# --- code tables --------------------------------------------------------------------
def company_for(user: Any, action: Action = VIEW) -> Company:
    """The company whose code tables the user reads (403 without ``action``).
    The tables are company-wide: only company-wide staff change them."""
    if action == VIEW:
        return access.require(user, action).company
    return access.get_company_for_user(user, action)


def _effective(model: type[Any], company: Company) -> QuerySet[Any]:
    own = model.objects.filter(company=company)
    return model.objects.filter(
        Q(company=company) | Q(company__isnull=True) & ~Q(code__in=own.values("code"))
    ).select_related("company")


def _used(company: Company, relation: str) -> Coalesce:
    """How many of the company's packages use a code of this name (its own
    row or the default it replaced)."""
    users = (
        Package.objects.filter(company=company, **{relation: OuterRef("code")})
        .order_by()
        .values("company")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(users[:1]), 0)


def package_types_for(user: Any, action: Action = VIEW) -> QuerySet[PackageType]:
    """The company's type codes, each with ``n_packages`` of the company."""
    company = company_for(user, action)
    return (
        _effective(PackageType, company)
        .annotate(n_packages=_used(company, "package_type__code"))
        .order_by("code")
    )


def timing_codes_for(user: Any, action: Action = VIEW) -> QuerySet[TimingCode]:
    """The company's timing codes, each with ``n_packages`` of the company."""
    company = company_for(user, action)
    return (
        _effective(TimingCode, company)
        .annotate(n_packages=_used(company, "timing__code"))
        .order_by("code")
    )


def get_package_type_for_user(
    user: Any, code: str, action: Action = VIEW
) -> PackageType:
    found = package_types_for(user, action).filter(code=code.upper()).first()
    if found is None:
        raise Http404(f"No package type {code:.20}.")
    return found


def get_timing_for_user(user: Any, code: str, action: Action = VIEW) -> TimingCode:
    found = timing_codes_for(user, action).filter(code=code.upper()).first()
    if found is None:
        raise Http404(f"No timing code {code:.20}.")
    return found
