"""Builds the deterministic demo company used by ``make demo`` and the benchmarks.

Same ``seed`` and ``customers`` -> the same company, staff, customer IDs, names
and phone numbers. Small objects go through the services (so they are validated
and audited); customers are written in bulk (with their history rows) so that a
100,000-customer company builds in seconds.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from mcoms.core import ids
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.demo.acquisition import build_acquisition
from mcoms.demo.billing import build_billing
from mcoms.demo.cash import build_cash
from mcoms.demo.control import build_control
from mcoms.demo.packages import build_packages
from mcoms.demo.readings import build_readings
from mcoms.demo.workflow import build_requests
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Service
from mcoms.org import services as org
from mcoms.org.models import (
    Cluster,
    Company,
    Designation,
    Plant,
    Pole,
    Staff,
    State,
    User,
)

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (printed for the demo on purpose)
CONNECTIONS_PER_POLE = 8
LEDGER_HISTORY_CUSTOMERS = 1000  # the first N customers get charges and payments
ACTIVATION_CHARGES = [Decimal("150.00"), Decimal("200.00"), Decimal("250.00")]
POLES_PER_FEEDER = 40

STATES = [("BH", "Bihar"), ("UP", "Uttar Pradesh")]
CLUSTERS = {"BH": ["NORTH", "SOUTH"], "UP": ["EAST"]}
PLANT_NAMES = [
    "KATS Katsari",
    "MADH Madhopur",
    "SIKA Sikandarpur",
    "BELA Belaganj",
    "RAMP Rampur",
    "GORA Gorakhpur",
    "BAST Basti",
    "DEOR Deoria",
]
FIRST = [
    "Ram",
    "Sita",
    "Mohan",
    "Geeta",
    "Suresh",
    "Anita",
    "Rajesh",
    "Sunita",
    "Amit",
    "Pooja",
    "Vijay",
    "Kiran",
    "Manoj",
    "Rekha",
    "Dinesh",
    "Savitri",
]
LAST = [
    "Kumar",
    "Devi",
    "Singh",
    "Yadav",
    "Prasad",
    "Paswan",
    "Mahto",
    "Sharma",
    "Gupta",
    "Ram",
    "Mishra",
    "Thakur",
]


@dataclass
class Demo:
    company: Company
    staff: dict[str, Staff] = field(default_factory=dict)
    plants: list[Plant] = field(default_factory=list)
    customers: int = 0


def _plant_codes(count: int) -> list[tuple[str, str]]:
    """Plant code and name, extending the named list with AA.. codes if needed."""
    pairs = [tuple(p.split(" ", 1)) for p in PLANT_NAMES]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    n = 0
    while len(pairs) < count:
        code = "P" + letters[n // 676 % 26] + letters[n // 26 % 26] + letters[n % 26]
        pairs.append((code, f"Plant {code}"))
        n += 1
    return [(c, nm) for c, nm in pairs[:count]]  # type: ignore[misc]


def _staff(
    demo: Demo,
    username: str,
    first: str,
    designation: str,
    scope: Company | State | Cluster | Plant,
    phone: str,
    pw_hash: str,
) -> None:
    staff = org.staff_create(
        username=username,
        password=None,
        first_name=first,
        designation=designation,
        scope=scope,
        phone=phone,
        by=None,
    )
    User.objects.filter(pk=staff.user_id).update(password=pw_hash)
    demo.staff[username] = staff


@transaction.atomic
def build_demo(*, customers: int, seed: int) -> Demo:
    rng = random.Random(seed)
    company = Company.objects.create(
        code="tara-demo",
        name="Tara Urja (demo)",
        helpline="1800-123-4567",
        language="hi",
    )
    demo = Demo(company=company)
    pw_hash = make_password(DEMO_PASSWORD)
    phone_n = iter(range(1, 10**6))
    _staff(
        demo,
        "admin",
        "Asha",
        Designation.ADMIN,
        company,
        f"+9190000{next(phone_n):05d}",
        pw_hash,
    )
    _staff(
        demo,
        "ho.manager",
        "Harish",
        Designation.HO_MANAGER,
        company,
        f"+9190000{next(phone_n):05d}",
        pw_hash,
    )
    per_plant_cap = 999 * CONNECTIONS_PER_POLE // 2
    plant_count = max(6, math.ceil(customers / per_plant_cap))
    codes = iter(_plant_codes(plant_count))
    cluster_list: list[Cluster] = []
    for s_code, s_name in STATES:
        state = org.state_create(company=company, code=s_code, name=s_name, by=None)
        _staff(
            demo,
            f"si.{s_code.lower()}",
            "Sanjay",
            Designation.STATE_INCHARGE,
            state,
            f"+9190000{next(phone_n):05d}",
            pw_hash,
        )
        for c_code in CLUSTERS[s_code]:
            cluster = org.cluster_create(
                state=state, code=c_code, name=c_code.title(), by=None
            )
            cluster_list.append(cluster)
            _staff(
                demo,
                f"ci.{s_code.lower()}-{c_code.lower()}",
                "Chandan",
                Designation.CLUSTER_INCHARGE,
                cluster,
                f"+9190000{next(phone_n):05d}",
                pw_hash,
            )
    for i in range(plant_count):
        cluster = cluster_list[i % len(cluster_list)]
        code, name = next(codes)
        plant = org.plant_create(
            cluster=cluster,
            code=code,
            name=name,
            village=name,
            capacity_kwp=Decimal(rng.choice(["20.00", "30.00", "40.00", "60.00"])),
            by=None,
        )
        demo.plants.append(plant)
        key = plant.key.lower()
        for prefix, first, designation in [
            ("csa", "Kavita", Designation.CSA),
            ("tech", "Ramesh", Designation.TECHNICIAN),
            ("op", "Om", Designation.OPERATOR),
        ]:
            _staff(
                demo,
                f"{prefix}.{key}",
                first,
                designation,
                plant,
                f"+9190000{next(phone_n):05d}",
                pw_hash,
            )
    _build_customers(demo, customers=customers, rng=rng)
    _post_history(demo, rng=rng)
    build_acquisition(demo)
    build_requests(demo)
    build_packages(demo)
    build_readings(demo, seed=seed)
    build_billing(demo, seed=seed)
    build_control(demo, seed=seed)
    build_cash(demo, seed=seed)
    return demo


def _post_history(demo: Demo, *, rng: random.Random) -> None:
    """Activation charges for the first customers, and the cash their plant's
    CSA collected (in full, in part or not yet): balanced journals like real ones."""
    specs: list[ledger.JournalSpec] = []
    company = demo.company
    customers = (
        Customer.objects.filter(company=company)
        .select_related("plant__state")
        .order_by("pk")[:LEDGER_HISTORY_CUSTOMERS]
    )
    for customer in customers:
        plant = customer.plant
        receivable = ledger.account_for_customer(
            company=company,
            customer_id=customer.customer_id,
            plant=plant,
            service=Service.ACTIVATION,
        )
        revenue = ledger.account_for_plant_revenue(
            plant=plant, service=Service.ACTIVATION
        )
        charge = rng.choice(ACTIVATION_CHARGES)
        specs.append(
            ledger.JournalSpec(
                f"demo:act:{customer.customer_id}",
                [(receivable, charge), (revenue, -charge)],
                "activation_charge",
                "Activation charge (demo)",
            )
        )
        paid = rng.choice([charge, charge, charge, charge / 2, Decimal("0.00")])
        if paid:
            cash = ledger.account_for_staff_cash(
                company=company, username=f"csa.{plant.key.lower()}", plant=plant
            )
            specs.append(
                ledger.JournalSpec(
                    f"demo:cash:{customer.customer_id}",
                    [(cash, paid), (receivable, -paid)],
                    "cash_collection",
                    "Cash collected (demo)",
                )
            )
    ledger.journal_post_many(company=company, journals=specs)


def _network(plant: Plant, poles: int) -> list[Pole]:
    feeders = [
        org.feeder_create(
            plant=plant, code=f"F{n + 1}", name=f"Feeder {n + 1}", by=None
        )
        for n in range(max(1, math.ceil(poles / POLES_PER_FEEDER)))
    ]
    objs = [
        Pole(feeder=feeders[(n - 1) // POLES_PER_FEEDER], plant=plant, number=n)
        for n in range(1, poles + 1)
    ]
    bulk_create_with_history(objs, Pole, batch_size=2000)
    return list(Pole.objects.filter(plant=plant).order_by("number"))


def _build_customers(demo: Demo, *, customers: int, rng: random.Random) -> None:
    plants = demo.plants
    share = [
        customers // len(plants) + (1 if i < customers % len(plants) else 0)
        for i in range(len(plants))
    ]
    users: list[User] = []
    rows: list[Customer] = []
    serial = 0
    for plant, count in zip(plants, share, strict=True):
        poles = _network(plant, max(3, math.ceil(count / CONNECTIONS_PER_POLE)))
        for n in range(count):
            serial += 1
            pole = poles[n // CONNECTIONS_PER_POLE]
            conn = n % CONNECTIONS_PER_POLE + 1
            phone = f"+9197{serial:08d}"
            status = rng.choices(
                [CustomerStatus.ACTIVE, CustomerStatus.INACTIVE, CustomerStatus.BANNED],
                weights=[88, 8, 4],
            )[0]
            user = User(
                username=f"c{phone}",
                kind=User.Kind.CUSTOMER,
                phone=phone,
                language=rng.choice(["hi", "hi", "en"]),
                password="!",
            )
            users.append(user)
            rows.append(
                Customer(
                    company=demo.company,
                    plant=plant,
                    pole=pole,
                    connection_no=conn,
                    customer_id=ids.customer_id(
                        state=plant.state.code,
                        plant=plant.code,
                        pole=pole.number,
                        connection=conn,
                    ),
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    phone=phone,
                    language=user.language,
                    status=status,
                    status_reason=""
                    if status == CustomerStatus.ACTIVE
                    else "non-payment",
                )
            )
    created = User.objects.bulk_create(users, batch_size=2000)
    if not all(u.pk for u in created):  # SQLite < 3.35 returns no ids
        by_phone = dict(User.objects.filter(kind="customer").values_list("phone", "pk"))
        for row in rows:
            row.user_id = by_phone[str(row.phone)]
    else:
        for row, user in zip(rows, created, strict=True):
            row.user = user
    bulk_create_with_history(rows, Customer, batch_size=2000)
    demo.customers = len(rows)
