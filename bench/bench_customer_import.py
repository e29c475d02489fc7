"""CSV import speed (docs/import.md).

* ``customer_import_check_10k`` (``_2k`` with --quick): seconds for the dry
  run of a 10,000-row customers file (every row parsed and checked, nothing
  written); baseline: the same file through ``csv.reader`` alone.
* ``customer_import_10k``: seconds for the real import of that file (checked
  again under the pole locks, then customers, sign-in users and their
  history rows written in bulk); baseline: raw SQL ``executemany`` inserting
  the same customer rows (no checks, no users, no history).
"""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from mcoms.customers.imports import (
    import_check,
    import_commit,
    import_upload,
    read_upload,
)
from mcoms.customers.models import Customer
from mcoms.org import services as org
from mcoms.org.models import Company, Plant, Pole, User
from mcoms.packages.services import package_create

HEADER = ["plant", "pole", "name", "phone", "segment", "status", "package"]
PER_POLE = 40


def _company(code: str, rows: int) -> tuple[User, list[Plant]]:
    company = Company.objects.create(code=code, name=code)
    state = org.state_create(company=company, code="BH", name="Bihar", by=None)
    cluster = org.cluster_create(state=state, code="NORTH", name="N", by=None)
    plants = []
    for code4 in ("KATS", "MADH"):
        plant = org.plant_create(
            cluster=cluster, code=code4, name=code4, capacity_kwp=Decimal(30), by=None
        )
        feeder = org.feeder_create(plant=plant, code="F1", by=None)
        poles = rows // 2 // PER_POLE + 1
        Pole.objects.bulk_create(
            Pole(plant=plant, feeder=feeder, number=n) for n in range(1, poles + 1)
        )
        package_create(
            plant=plant,
            type_code="A1.1",
            timing_code="NN",
            load_w=17,
            prepaid_amount="160",
            prepaid_period_days=30,
            deposit_amount="100",
            by=None,
        )
        plants.append(plant)
    staff = org.staff_create(
        username=f"{code}-admin",
        password=None,
        first_name="A",
        designation="admin",
        scope=company,
        by=None,
    )
    return staff.user, plants


def _file(rows: int, serial: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(rows):
        plant = "BHKATS" if n % 2 == 0 else "BHMADH"
        pole = n // 2 // PER_POLE + 1
        phone = f"+9197{serial + n:08d}"
        writer.writerow(
            [plant, pole, f"ग्राहक {n}", phone, "household", "active", "A1.1(NN)/17/160"]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def _raw_insert(rows: int, plants: list[Plant]) -> float:
    """The same customer rows, straight into the table (every column, the
    model's defaults where the file says nothing)."""
    poles = {
        (p.plant_id, p.number): p.pk for p in Pole.objects.filter(plant__in=plants)
    }
    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    values = []
    for n in range(rows):
        plant = plants[n % 2]
        number = n // 2 // PER_POLE + 1
        conn = n // 2 % PER_POLE + 1
        given = {
            "company_id": plant.company_id,
            "plant_id": plant.pk,
            "pole_id": poles[(plant.pk, number)],
            "connection_no": conn,
            "customer_id": f"BH{plant.code}{number:03d}{conn:02d}",
            "name": f"ग्राहक {n}",
            "phone": f"+9196{n:08d}",
            "status": "active",
            "created_at": now,
        }
        values.append(
            [
                f.get_db_prep_save(given.get(f.attname, f.get_default()), connection)
                for f in fields
            ]
        )
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO customers_customer ({columns}) VALUES ({marks})"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, values)
    return time.perf_counter() - started


def _csv_only(data: bytes) -> float:
    started = time.perf_counter()
    text = data.decode("utf-8-sig")
    sum(1 for _ in csv.reader(io.StringIO(text, newline="")))
    return time.perf_counter() - started


def run(quick: bool) -> list[tuple[str, float, str, float]]:
    rows = 2_000 if quick else 10_000
    label = f"{rows // 1000}k"
    user, _plants = _company("bench-import", rows)
    data = _file(rows, 0)
    file = read_upload("customers", "customers.csv", data)
    started = time.perf_counter()
    report = import_check(user=user, files=[file])
    check = time.perf_counter() - started
    assert report.ok, report.problems[:3]  # noqa: S101 - a broken bench is loud
    batch, _ = import_upload(user=user, files=[file])
    started = time.perf_counter()
    batch = import_commit(batch=batch, user=user)
    commit = time.perf_counter() - started
    assert batch.report["created"]["customers"] == rows  # noqa: S101
    _raw_user, raw_plants = _company("bench-import-raw", rows)
    raw = _raw_insert(rows, raw_plants)
    return [
        (f"customer_import_check_{label}", check, "s", _csv_only(data)),
        (f"customer_import_{label}", commit, "s", raw),
    ]
