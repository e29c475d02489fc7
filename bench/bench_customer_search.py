"""Finding customers (issue 3, point 6).

* ``customer_search_p95``: ms at the 95th percentile for
  ``customers.selectors.customers_find`` over 100,000 customers (10,000 with
  --quick), for a mix of queries: a first-name prefix, a surname, first name
  and surname, a whole customer ID, a customer-ID prefix (plant and pole), a
  whole mobile number, the first digits of one, a meter serial and a package
  ID; half of them by a company-wide admin, half by a CSA of one plant.
  Budget: 50 ms. Baseline: the same queries through the unindexed search a
  first version would write (``customer_search``: ``icontains`` on name and
  customer ID, ``contains`` on the phone, 50 rows) over the same scope.
* ``customer_search_p50``: the median, beside the baseline's median.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.customers.selectors import customer_search, customers_find, customers_for
from mcoms.metering.models import Meter, MeterAssignment, MeterKind, MeterState
from mcoms.org import services as org
from mcoms.org.models import Company, Designation, Plant, Pole, User
from mcoms.packages.models import (
    BillingType,
    DepositRule,
    Package,
    PackageType,
    TimingCode,
)

SEED = 11
PLANTS = [f"{a}{b}" for a in "KMNPRST" for b in "AEIOU"][:24]  # KA.. 24 plants
POLES = 50
PER_POLE = 84  # 24 x 50 x 84 = 100,800 connections
FIRST = [
    "Aarav",
    "Abhay",
    "Ajay",
    "Akash",
    "Amit",
    "Anil",
    "Anita",
    "Anjali",
    "Arjun",
    "Asha",
    "Deepak",
    "Devi",
    "Dinesh",
    "Geeta",
    "Gopal",
    "Hari",
    "Kamal",
    "Kavita",
    "Kiran",
    "Krishna",
    "Lakshmi",
    "Mahesh",
    "Manoj",
    "Meena",
    "Mohan",
    "Mukesh",
    "Neha",
    "Nisha",
    "Pooja",
    "Prakash",
    "Priya",
    "Rahul",
    "Raj",
    "Rajesh",
    "Rakesh",
    "Ram",
    "Ramesh",
    "Rani",
    "Ravi",
    "Rekha",
    "Rohit",
    "Sanjay",
    "Santosh",
    "Sarita",
    "Shanti",
    "Shiv",
    "Sita",
    "Sunil",
    "Sunita",
    "Suresh",
    "Uma",
    "Usha",
    "Vijay",
    "Vikas",
    "Vinod",
]
LAST = [
    "Kumar",
    "Singh",
    "Yadav",
    "Sharma",
    "Prasad",
    "Devi",
    "Mishra",
    "Paswan",
    "Gupta",
    "Mahto",
    "Ram",
    "Sah",
    "Jha",
    "Thakur",
    "Pandey",
    "Verma",
    "Chaudhary",
    "Mandal",
    "Rai",
    "Das",
    "Sinha",
    "Tiwari",
    "Manjhi",
    "Ansari",
    "Khan",
    "Pathak",
    "Ojha",
    "Choudhary",
    "Patel",
    "Nishad",
]


def _world(total: int, rng: random.Random) -> dict[str, Any]:
    company = Company.objects.create(code="bench-search", name="Bench Power")
    state = org.state_create(company=company, code="BH", name="Bihar", by=None)
    clusters = [
        org.cluster_create(state=state, code=f"C{n}", name=f"Cluster {n}", by=None)
        for n in range(4)
    ]
    plants = []
    for n, code in enumerate(PLANTS):
        plant = org.plant_create(
            cluster=clusters[n % 4],
            code=f"{code}{code}",
            name=code,
            capacity_kwp=Decimal("30"),
            by=None,
        )
        feeder = org.feeder_create(plant=plant, code="F1", by=None)
        Pole.objects.bulk_create(
            Pole(feeder=feeder, plant=plant, number=k) for k in range(1, POLES + 1)
        )
        plants.append(plant)
    packages = _packages(company, plants)
    customers = _customers(company, plants, packages, total, rng)
    meters = _meters(company, customers, rng)
    admin = org.staff_create(
        username="bench-admin",
        password=None,
        first_name="Admin",
        designation=Designation.ADMIN,
        scope=company,
        by=None,
    ).user
    csa = org.staff_create(
        username="bench-csa",
        password=None,
        first_name="CSA",
        designation=Designation.CSA,
        scope=plants[0],
        by=None,
    ).user
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "plants": plants,
        "customers": customers,
        "meters": meters,
        "packages": packages,
        "admin": admin,
        "csa": csa,
    }


def _packages(company: Company, plants: list[Plant]) -> list[Package]:
    kind = PackageType.objects.filter(company=None, billing_type="prepaid").first()
    timing = TimingCode.objects.filter(company=None).first()
    assert kind is not None and timing is not None  # noqa: S101 (default codes)
    rows = []
    for plant in plants:
        for watts, amount in ((17, 160), (50, 300), (100, 550), (250, 1200)):
            rows.append(
                Package(
                    company=company,
                    plant=plant,
                    package_type=kind,
                    timing=timing,
                    load_w=watts,
                    billing_type=BillingType.PREPAID,
                    prepaid_amount=Decimal(amount),
                    prepaid_period_days=30,
                    deposit_rule=DepositRule.FIXED,
                    deposit_amount=Decimal(200),
                    package_id=f"{kind.code}({timing.code})/{watts}/{amount}",
                )
            )
    return Package.objects.bulk_create(rows)


def _customers(
    company: Company,
    plants: list[Plant],
    packages: list[Package],
    total: int,
    rng: random.Random,
) -> list[Customer]:
    poles = {
        (p.plant_id, p.number): p
        for p in Pole.objects.filter(plant__in=plants).only("id", "plant_id", "number")
    }
    by_plant = {p.pk: [k for k in packages if k.plant_id == p.pk] for p in plants}
    phones = rng.sample(range(10**8), total)
    rows = []
    for i in range(total):
        plant = plants[i % len(plants)]
        slot = i // len(plants)
        pole_no, conn = 1 + slot // PER_POLE, 1 + slot % PER_POLE
        rows.append(
            Customer(
                company=company,
                plant=plant,
                pole=poles[(plant.pk, pole_no)],
                connection_no=conn,
                customer_id=f"BH{plant.code}{pole_no:03d}{conn:02d}",
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                phone=f"+9198{phones[i]:08d}",
                status=rng.choice(CustomerStatus.values),
                package=rng.choice(by_plant[plant.pk]),
            )
        )
    with transaction.atomic():
        return Customer.objects.bulk_create(rows, batch_size=5_000)


def _meters(
    company: Company, customers: list[Customer], rng: random.Random
) -> dict[int, str]:
    """About 90% of the connections get a meter; customer pk -> serial."""
    metered = [c for c in customers if rng.random() < 0.9]
    meters = [
        Meter(
            company=company,
            plant_id=c.plant_id,
            serial=f"SM{n:07d}",
            kind=MeterKind.SMART,
            location="installed",
            state=MeterState.ASSIGNED,
        )
        for n, c in enumerate(metered)
    ]
    now = timezone.now()
    with transaction.atomic():
        Meter.objects.bulk_create(meters, batch_size=5_000)
        MeterAssignment.objects.bulk_create(
            (
                MeterAssignment(meter=m, customer=c, assigned_at=now, installed_at=now)
                for m, c in zip(meters, metered, strict=True)
            ),
            batch_size=5_000,
        )
    return {c.pk: m.serial for m, c in zip(meters, metered, strict=True)}


def _queries(w: dict[str, Any], n: int, rng: random.Random) -> list[tuple[User, str]]:
    customers: list[Customer] = w["customers"]
    plant0 = w["plants"][0].pk
    local = [c for c in customers if c.plant_id == plant0]
    kinds: list[Callable[[Customer], str]] = [
        lambda c: c.name.split()[0][:3],
        lambda c: c.name.split()[1],
        lambda c: c.name,
        lambda c: c.customer_id,
        lambda c: c.customer_id[:9],
        lambda c: str(c.phone)[3:],
        lambda c: str(c.phone)[3:9],
        lambda c: w["meters"].get(c.pk, c.customer_id),
        lambda c: c.package.package_id,
    ]
    out = []
    for i in range(n):
        user = w["admin"] if i % 2 == 0 else w["csa"]
        subject = rng.choice(customers if user == w["admin"] else local)
        out.append((user, kinds[i % len(kinds)](subject)))
    return out


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _p(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def run(quick: bool) -> list[tuple[str, float, str, float]]:
    rng = random.Random(SEED)
    total = 10_000 if quick else 100_000
    w = _world(total, rng)
    queries = _queries(w, 180 if quick else 450, rng)
    for user, q in queries[:20]:  # warm the caches and the staff lookups
        customers_find(user, q)
    found = [_timed(lambda u=u, q=q: customers_find(u, q)) for u, q in queries]
    naive = [
        _timed(lambda u=u, q=q: list(customer_search(customers_for(u), q)[:50]))
        for u, q in queries
    ]
    misses = sum(1 for u, q in queries[:40] if not customers_find(u, q).customers)
    if misses:
        print(f"# customer_search: {misses} of 40 sample queries found nothing")
    return [
        ("customer_search_p95", _p(found, 95), "ms", _p(naive, 95)),
        ("customer_search_p50", _p(found, 50), "ms", _p(naive, 50)),
    ]
