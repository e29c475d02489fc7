"""Plain builders for tests: a company with staff of every designation and outsiders.

Layout (``World``)::

    company "tara"
      BH Bihar
        BH-NORTH: plants KATS (feeders F1, F2; poles 1..3), MADH
        BH-SOUTH: plant SIKA
      UP Uttar Pradesh
        UP-EAST: plant GORA
    company "other": state BH, cluster BH-ONE, plant KATS (same codes, other company)

Staff of "tara" (username = designation): operator, technician and csa at
BHKATS; cluster_incharge at BH-NORTH; state_incharge at BH; ho_manager and admin
at the company. Outsiders: ``sika_csa`` (CSA at BHSIKA, same company) and
``other_admin`` (admin of the other company).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
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
from mcoms.packages.defaults import default_codes_ensure

PASSWORD = "test-pass-1234"
CUSTOMER_PHONE = "+919800000001"  # the BHKATS customer's number


def customer_user(world: World, key: str = "BHKATS") -> User:
    """The sign-in user of a world customer's number (linked at creation)."""
    user = world.customers[key].user
    assert user is not None
    return user


def latest_code(phone: str = CUSTOMER_PHONE) -> str:
    """The 6-digit code of the last SMS to ``phone``, read from the outbox (the
    text is masked only once a worker has sent it, which tests do not run)."""
    from mcoms.notifications.models import Message

    body = Message.objects.filter(phone=phone).latest("created_at", "pk").body
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


@dataclass
class World:
    company: Company
    other_company: Company
    states: dict[str, State] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    plants: dict[str, Plant] = field(default_factory=dict)
    poles: dict[str, Pole] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return self.staff[name].user


def build_plant(cluster: Cluster, code: str, *, poles: int = 3) -> Plant:
    plant = org.plant_create(
        cluster=cluster,
        code=code,
        name=code.title(),
        capacity_kwp=Decimal("30.00"),
        by=None,
    )
    feeder = org.feeder_create(plant=plant, code="F1", name="Feeder 1", by=None)
    org.feeder_create(plant=plant, code="F2", name="Feeder 2", by=None)
    for n in range(1, poles + 1):
        org.pole_create(feeder=feeder, number=n, by=None)
    return plant


def build_world() -> World:
    # A transactional test before this one may have flushed the migration's rows.
    default_codes_ensure()
    company = Company.objects.create(
        code="tara", name="Tara Urja Demo", helpline="1800"
    )
    other = Company.objects.create(code="other", name="Other Power")
    w = World(company=company, other_company=other)
    w.states["BH"] = org.state_create(company=company, code="BH", name="Bihar", by=None)
    w.states["UP"] = org.state_create(
        company=company, code="UP", name="Uttar Pradesh", by=None
    )
    for key, state, code in [
        ("BH-NORTH", "BH", "NORTH"),
        ("BH-SOUTH", "BH", "SOUTH"),
        ("UP-EAST", "UP", "EAST"),
    ]:
        w.clusters[key] = org.cluster_create(
            state=w.states[state], code=code, name=code.title(), by=None
        )
    for key, cluster in [
        ("BHKATS", "BH-NORTH"),
        ("BHMADH", "BH-NORTH"),
        ("BHSIKA", "BH-SOUTH"),
        ("UPGORA", "UP-EAST"),
    ]:
        w.plants[key] = build_plant(w.clusters[cluster], key[2:])
    o_state = org.state_create(company=other, code="BH", name="Bihar", by=None)
    o_cluster = org.cluster_create(state=o_state, code="ONE", name="One", by=None)
    o_plant = build_plant(o_cluster, "KATS")
    scopes: dict[str, object] = {
        Designation.OPERATOR: w.plants["BHKATS"],
        Designation.TECHNICIAN: w.plants["BHKATS"],
        Designation.CSA: w.plants["BHKATS"],
        Designation.CLUSTER_INCHARGE: w.clusters["BH-NORTH"],
        Designation.STATE_INCHARGE: w.states["BH"],
        Designation.HO_MANAGER: company,
        Designation.ADMIN: company,
    }
    for designation, scope in scopes.items():
        w.staff[str(designation)] = org.staff_create(
            username=str(designation),
            password=PASSWORD,
            first_name=str(designation),
            designation=designation,
            scope=scope,
            phone="+919810000001",
            by=None,  # type: ignore[arg-type]
        )
    w.staff["sika_csa"] = org.staff_create(
        username="sika_csa",
        password=PASSWORD,
        first_name="Sika",
        designation="csa",
        scope=w.plants["BHSIKA"],
        by=None,
    )
    w.staff["other_admin"] = org.staff_create(
        username="other_admin",
        password=PASSWORD,
        first_name="Other",
        designation="admin",
        scope=other,
        by=None,
    )
    for key, phone in [
        ("BHKATS", "+919800000001"),
        ("BHSIKA", "+919800000002"),
        ("UPGORA", "+919800000003"),
    ]:
        pole = Pole.objects.get(plant=w.plants[key], number=1)
        w.customers[key] = customer_create(
            pole=pole, name=f"Customer {key}", phone=phone, by=None
        )
    pole = Pole.objects.get(plant=o_plant, number=1)
    w.customers["other"] = customer_create(
        pole=pole, name="Other customer", phone="+919800000009", by=None
    )
    return w
