"""A valid package of each billing type, to vary in tests."""

from __future__ import annotations

from typing import Any

from mcoms.org.models import Plant
from mcoms.packages.models import Package
from mcoms.packages.services import package_create

PREPAID: dict[str, Any] = {
    "type_code": "A1.1",
    "timing_code": "NN",
    "load_w": 17,
    "prepaid_amount": "160",
    "prepaid_period_days": 30,
    "deposit_amount": "100",
}
METERED: dict[str, Any] = {
    "type_code": "B1.1",
    "timing_code": "FD",
    "load_w": 500,
    "rate_per_kwh": "8.5000",
    "slabs": [{"upto_kwh": "30", "rate": "5"}, {"upto_kwh": "100", "rate": "7"}],
    "fixed_monthly": "50",
    "deposit_rule": "multiple",
    "deposit_multiple": "2",
}
UNMETERED: dict[str, Any] = {
    "type_code": "C1.1",
    "timing_code": "EV",
    "load_w": 60,
    "monthly_amount": "250",
    "deposit_amount": "0",
}


def make(plant: Plant, base: dict[str, Any], **over: Any) -> Package:
    return package_create(plant=plant, by=None, **(base | over))
