"""Helpers for the import tests: CSV bytes from rows, the counts an import
changes, a world with packages to import onto."""

from __future__ import annotations

import csv
import io
from typing import Any

from mcoms.customers.imports import CsvFile, read_upload
from mcoms.customers.models import Customer
from mcoms.org.models import User
from mcoms.packages.models import Package
from mcoms.packages.tests.factories import PREPAID, UNMETERED, make
from tests.builders import World

PACKAGE_HEADER = [
    "plant",
    "type_code",
    "timing_code",
    "load_w",
    "prepaid_amount",
    "prepaid_period_days",
    "rate_per_kwh",
    "slabs",
    "fixed_monthly",
    "monthly_amount",
    "activation_charge",
    "deposit_rule",
    "deposit_amount",
    "deposit_multiple",
    "credit_limit",
    "offered",
]
CUSTOMER_HEADER = [
    "plant",
    "pole",
    "connection",
    "customer_id",
    "name",
    "phone",
    "address",
    "segment",
    "status",
    "status_reason",
    "package",
    "activated_on",
    "language",
]
PACKAGE_ROW = {
    "plant": "BHKATS",
    "type_code": "B1.1",
    "timing_code": "FD",
    "load_w": "250",
    "rate_per_kwh": "8.5",
    "slabs": "30:5; 100:7",
    "fixed_monthly": "40",
    "activation_charge": "200",
    "deposit_rule": "multiple",
    "deposit_multiple": "2",
    "credit_limit": "800",
    "offered": "yes",
}
CUSTOMER_ROW = {
    "plant": "BHKATS",
    "pole": "2",
    "name": "राम कुमार",
    "phone": "98111 22333",
    "address": "Ward 4, near the school",
    "segment": "household",
    "status": "active",
    "package": "A1.1(NN)/17/160",
    "activated_on": "2024-03-31",
}


def csv_bytes(
    header: list[str], rows: list[dict[str, str]], *, bom: bool = False, sep: str = ","
) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, delimiter=sep, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    data = out.getvalue().encode()
    return b"\xef\xbb\xbf" + data if bom else data


def customers_file(rows: list[dict[str, str]], **kw: Any) -> CsvFile:
    return read_upload(
        "customers", "customers.csv", csv_bytes(CUSTOMER_HEADER, rows, **kw)
    )


def packages_file(rows: list[dict[str, str]], **kw: Any) -> CsvFile:
    return read_upload(
        "packages", "packages.csv", csv_bytes(PACKAGE_HEADER, rows, **kw)
    )


def customer(n: int, **over: str) -> dict[str, str]:
    """A good customer row, the n-th of its kind (its own name and number)."""
    return CUSTOMER_ROW | {"name": f"Grahak {n}", "phone": f"+9198112{n:05d}"} | over


def counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "customer_history": Customer.history.count(),
        "users": User.objects.count(),
        "packages": Package.objects.count(),
    }


def with_packages(world: World) -> dict[str, Package]:
    """BHKATS offers A1.1(NN)/17/160 and C1.1(EV)/60/250; BHSIKA the first."""
    return {
        "kats": make(world.plants["BHKATS"], PREPAID),
        "kats_c": make(world.plants["BHKATS"], UNMETERED),
        "sika": make(world.plants["BHSIKA"], PREPAID),
    }
