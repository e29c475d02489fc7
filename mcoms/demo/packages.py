"""The demo's package catalogue: four packages at every plant (one per billing
type, two pre-paid), and a package for every demo customer still without one.

Runs after the other demo parts, which may already have made some of these
packages (the acquisition demo makes ``A1.1(NN)/17/160`` where a plant has
none): a package already offered with the same ID is reused.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mcoms.customers.models import Customer
from mcoms.org.models import Plant
from mcoms.packages.models import Package
from mcoms.packages.services import package_create
from mcoms.packages.terms import package_check

CATALOGUE: list[dict[str, Any]] = [
    {  # A1.1(NN)/17/160: the manual's example, night only, load limited
        "type_code": "A1.1",
        "timing_code": "NN",
        "load_w": 17,
        "prepaid_amount": "160",
        "prepaid_period_days": 30,
        "activation_charge": "150",
        "deposit_amount": "100",
        "credit_limit": "320",
    },
    {  # A1.1(EV)/60/300: evenings, a little more load
        "type_code": "A1.1",
        "timing_code": "EV",
        "load_w": 60,
        "prepaid_amount": "70",
        "prepaid_period_days": 7,
        "activation_charge": "150",
        "deposit_amount": "150",
        "credit_limit": "300",
    },
    {  # B1.1(FD)/500/50: shops and workshops, metered with slabs
        "type_code": "B1.1",
        "timing_code": "FD",
        "load_w": 500,
        "rate_per_kwh": "9",
        "slabs": [{"upto_kwh": "30", "rate": "6"}, {"upto_kwh": "100", "rate": "8"}],
        "fixed_monthly": "50",
        "activation_charge": "250",
        "deposit_rule": "multiple",
        "deposit_multiple": "1",
        "credit_limit": "1500",
    },
    {  # C1.1(DD)/100/300: day-time, a flat monthly amount
        "type_code": "C1.1",
        "timing_code": "DD",
        "load_w": 100,
        "monthly_amount": "300",
        "activation_charge": "200",
        "deposit_amount": "300",
        "credit_limit": "600",
    },
]
# Which package a customer gets, by connection number on the pole (1..8).
SHARE = {1: 0, 2: 0, 3: 0, 4: 1, 5: 1, 6: 3, 7: 3, 8: 2}


def build_packages(demo: Any) -> dict[int, list[Package]]:
    """The catalogue at every plant of ``demo``; customers without a package
    get one (with a history row saying so). Returns the packages per plant."""
    out: dict[int, list[Package]] = {}
    for plant in demo.plants:
        out[plant.pk] = [_package(plant, terms) for terms in CATALOGUE]
        _assign(plant, out[plant.pk])
    return out


def _package(plant: Plant, terms: dict[str, Any]) -> Package:
    package_id = package_check(plant=plant, terms=terms).package_id
    same = Package.objects.filter(plant=plant, package_id=package_id, active=True)
    return same.first() or package_create(plant=plant, by=None, reason="demo", **terms)


def _assign(plant: Plant, packages: list[Package]) -> None:
    waiting = Customer.objects.filter(plant=plant, package__isnull=True)
    pks = list(waiting.values_list("pk", flat=True))
    for index, package in enumerate(packages):
        numbers = [n for n, i in SHARE.items() if i == index]
        waiting.filter(connection_no__in=numbers).update(package=package)
    Customer.history.bulk_history_create(  # type: ignore[attr-defined]
        list(Customer.objects.filter(pk__in=pks)),
        update=True,
        default_change_reason="demo package",
        default_date=timezone.now(),
    )
