"""Finding customers by name, customer ID, mobile number, meter serial or
package ID, always inside the user's scope."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mcoms.customers import search_index
from mcoms.customers.apps import _name_index
from mcoms.customers.models import Customer
from mcoms.customers.selectors import customers_find
from mcoms.customers.services import customer_create
from mcoms.metering.models import Meter, MeterAssignment
from mcoms.org.models import Pole
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World


def ids(world: World, username: str, q: str, **kw) -> list[str]:
    found = customers_find(world.user(username), q, **kw)
    return [c.customer_id for c in found.customers]


def add(world: World, plant: str, number: int, name: str, phone: str) -> Customer:
    pole = Pole.objects.get(plant=world.plants[plant], number=number)
    return customer_create(pole=pole, name=name, phone=phone, by=None)


@pytest.fixture
def people(world: World) -> dict[str, Customer]:
    return {
        "ram": add(world, "BHKATS", 2, "Ram Kumar Yadav", "+919812345678"),
        "sita": add(world, "BHKATS", 3, "Sita Devi", "+919812399999"),
        "mohan": add(world, "BHSIKA", 2, "Mohan Kumar", "+919855555555"),
        "hindi": add(world, "BHKATS", 2, "राम कुमार", "+919877777777"),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ram", {"ram"}),
        ("kum", {"ram"}),  # any word of the name
        ("ram yad", {"ram"}),  # every word, each a prefix
        ("YADAV RAM", {"ram"}),
        ("devi", {"sita"}),
        ("राम", {"hindi"}),
        ("कुमार", {"hindi"}),
    ],
)
def test_by_the_words_of_the_name(world: World, people, q, expected) -> None:
    found = set(ids(world, "csa", q))
    assert found == {people[k].customer_id for k in expected}


def test_by_customer_id_whole_or_its_start(world: World, people) -> None:
    ram = people["ram"].customer_id  # BHKATS00201
    assert ids(world, "csa", ram.lower()) == [ram]
    assert set(ids(world, "csa", "BHKATS002")) == {ram, people["hindi"].customer_id}
    assert ids(world, "csa", "BHKATS 002 01") == [ram]


@pytest.mark.parametrize(
    "q", ["9812345678", "+91 98123 45678", "098123-45678", "+919812345678"]
)
def test_by_the_whole_mobile_number(world: World, people, q: str) -> None:
    assert ids(world, "csa", q) == [people["ram"].customer_id]


def test_by_the_first_digits_of_the_number(world: World, people) -> None:
    assert set(ids(world, "csa", "981234")) == {people["ram"].customer_id}
    assert set(ids(world, "csa", "98123")) == {
        people["ram"].customer_id,
        people["sita"].customer_id,
    }
    assert ids(world, "csa", "981") == []  # fewer than 4 digits: no phone search


def test_by_the_current_meters_serial(world: World, people) -> None:
    now = timezone.now()
    meter = Meter.objects.create(
        company=world.company,
        plant=world.plants["BHKATS"],
        serial="SM-00042",
        kind="smart",
        location="installed",
        state="assigned",
    )
    old = Meter.objects.create(
        company=world.company,
        plant=world.plants["BHKATS"],
        serial="SM-00007",
        kind="smart",
        location="plant",
        state="available",
    )
    MeterAssignment.objects.create(
        meter=meter, customer=people["sita"], assigned_at=now
    )
    MeterAssignment.objects.create(
        meter=old, customer=people["ram"], assigned_at=now, removed_at=now
    )
    assert ids(world, "csa", "sm-00042") == [people["sita"].customer_id]
    assert ids(world, "csa", "SM-0004") == [people["sita"].customer_id]
    assert ids(world, "csa", "SM-00007") == []  # removed: no longer theirs


def test_by_package_id(world: World, people) -> None:
    package = make(world.plants["BHKATS"], PREPAID)  # A1.1(NN)/17/160
    Customer.objects.filter(pk=people["sita"].pk).update(package=package)
    assert ids(world, "csa", package.package_id) == [people["sita"].customer_id]
    assert ids(world, "csa", "a1.1(nn)") == [people["sita"].customer_id]
    assert ids(world, "sika_csa", package.package_id) == []


@pytest.mark.parametrize(
    "q", ["mohan", "BHSIKA00201", "9855555555", "Customer UPGORA", "Other customer"]
)
def test_never_outside_the_scope(world: World, people, q: str) -> None:
    assert ids(world, "csa", q) == []


def test_wider_scopes_and_the_plant_filter(world: World, people) -> None:
    assert ids(world, "cluster_incharge", "kumar") == [people["ram"].customer_id]
    assert set(ids(world, "admin", "kumar")) == {
        people["ram"].customer_id,
        people["mohan"].customer_id,
    }
    plant = world.plants["BHSIKA"]
    assert ids(world, "admin", "kumar", plant=plant) == [people["mohan"].customer_id]
    assert ids(world, "other_admin", "kumar") == []


def test_at_most_the_limit_says_there_are_more(world: World, people) -> None:
    found = customers_find(world.user("admin"), "customer", limit=2)
    assert len(found.customers) == 2 and found.more
    assert found.customers == sorted(found.customers, key=lambda c: c.customer_id)
    assert not customers_find(world.user("admin"), "customer").more


def test_too_short_or_empty_finds_nothing(world: World, people) -> None:
    assert customers_find(world.user("admin"), "r").customers == []
    assert customers_find(world.user("admin"), "  ").customers == []


def test_a_customer_finds_only_their_own_accounts(world: World, people) -> None:
    user = world.customers["BHKATS"].user
    found = customers_find(user, "customer")
    assert [c.customer_id for c in found.customers] == ["BHKATS00101"]


def test_the_name_index_follows_renames(world: World, people) -> None:
    Customer.objects.filter(pk=people["sita"].pk).update(name="Gita Kumari")
    assert ids(world, "csa", "sita") == []
    assert ids(world, "csa", "gita") == [people["sita"].customer_id]


def test_the_index_comes_back_after_a_table_rebuild(world: World, people) -> None:
    """SQLite drops a table's triggers when it rebuilds the table to alter it;
    the post-migrate hook puts the index back and fills it again."""
    Customer.objects.filter(pk=people["sita"].pk).update(name="Gita Kumari")
    if connection.vendor == "postgresql":  # no index DDL with checks pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    search_index.uninstall(connection)
    _name_index(using="default", app_config=apps.get_app_config("customers"))
    with connection.cursor() as cursor:
        names = set(
            connection.introspection.get_constraints(cursor, "customers_customer")
        )
    names |= set(connection.introspection.table_names(include_views=True))
    assert {search_index.FTS, search_index.PG_INDEX} & names
    assert ids(world, "csa", "gita") == [people["sita"].customer_id]
    Customer.objects.filter(pk=people["sita"].pk).update(name="Rita")
    assert ids(world, "csa", "rita") == [people["sita"].customer_id]


@pytest.mark.parametrize(
    "q", ["ram kum", "BHKATS002", "9812345678", "98123", "SM-0004", "A1.1(NN)/17"]
)
def test_no_query_scans_the_customers(world: World, people, q: str) -> None:
    """Every key starts from an index (docs/decisions/0027): SQLite's plan has no
    SCAN of customers or meters; PostgreSQL, told to avoid sequential scans,
    finds an index for each (a tiny table would otherwise be scanned)."""
    make(world.plants["BHKATS"], PREPAID)
    with CaptureQueriesContext(connection) as ctx:
        customers_find(world.user("cluster_incharge"), q)
    plans = []
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        for query in ctx.captured_queries:
            if query["sql"].startswith("SELECT"):
                cursor.execute(explain + query["sql"])
                plans += [str(row[-1]) for row in cursor.fetchall()]
    assert plans
    scans = [
        p
        for p in plans
        if (p.startswith("SCAN ") and "VIRTUAL TABLE" not in p) or "Seq Scan" in p
    ]
    assert not [p for p in scans if "customers_customer" in p or "meter" in p], plans
