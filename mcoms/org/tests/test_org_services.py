from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.core.errors import ValidationFailed
from mcoms.org import services
from mcoms.org.models import Cluster, Feeder, Plant, Pole, ScopeLevel, State
from tests.builders import World


def test_it_refuses_a_malformed_state_code(world: World) -> None:
    before = State.objects.count()
    for bad in ["B", "BHR", "bh", "B1"]:
        with pytest.raises(ValidationFailed) as err:
            services.state_create(company=world.company, code=bad, name="X", by=None)
        assert err.value.field == "code"
    assert State.objects.count() == before


def test_it_refuses_a_duplicate_code_within_the_parent(world: World) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.state_create(company=world.company, code="BH", name="Again", by=None)
    assert err.value.code == "duplicate"
    with pytest.raises(ValidationFailed):
        services.plant_create(
            cluster=world.clusters["BH-SOUTH"],
            code="KATS",
            name="Dup",
            capacity_kwp=Decimal("5"),
            by=None,
        )
    # The same code under another parent is fine.
    plant = services.plant_create(
        cluster=world.clusters["UP-EAST"],
        code="KATS",
        name="Other state",
        capacity_kwp=Decimal("5"),
        by=None,
    )
    assert plant.key == "UPKATS"


def test_plant_codes_are_four_letters_and_capacity_positive(world: World) -> None:
    cluster = world.clusters["BH-NORTH"]
    before = Plant.objects.count()
    for code, kwp in [("KAT", "5"), ("KAT1", "5"), ("ABCD", "0")]:
        with pytest.raises(ValidationFailed):
            services.plant_create(
                cluster=cluster, code=code, name="x", capacity_kwp=Decimal(kwp), by=None
            )
    with pytest.raises(ValidationFailed) as err:
        services.plant_create(
            cluster=cluster,
            code="ABCD",
            name="x",
            capacity_kwp=Decimal("5"),
            timezone="Mars/Base",
            by=None,
        )
    assert err.value.code == "timezone_unknown"
    assert Plant.objects.count() == before


def test_a_plant_takes_its_state_and_company_from_its_cluster(world: World) -> None:
    plant = world.plants["BHSIKA"]
    assert plant.state == world.states["BH"]
    assert plant.company == world.company
    with pytest.raises(ValidationFailed) as err:
        services.plant_update(plant=plant, cluster=world.clusters["UP-EAST"], by=None)
    assert err.value.code == "cluster_other_state"


def test_pole_numbers_are_unique_per_plant_and_in_range(world: World) -> None:
    feeder = Feeder.objects.get(plant=world.plants["BHKATS"], code="F2")
    with pytest.raises(ValidationFailed):
        services.pole_create(feeder=feeder, number=1, by=None)  # on F1 already
    with pytest.raises(ValidationFailed):
        services.pole_create(feeder=feeder, number=1000, by=None)
    pole = services.pole_create(feeder=feeder, number=42, by=None)
    assert pole.plant == world.plants["BHKATS"]
    assert Pole.objects.filter(plant=pole.plant, number=42).count() == 1


def test_edits_keep_their_history_with_the_user(world: World) -> None:
    admin = world.user("admin")
    cluster = world.clusters["BH-NORTH"]
    services.cluster_update(cluster=cluster, name="North Bihar", by=admin)
    latest = Cluster.history.filter(id=cluster.pk).latest("history_date")
    assert latest.name == "North Bihar"
    assert latest.history_user == admin
    assert latest.prev_record is not None
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("name", "North", "North Bihar")
    ]


def test_staff_scope_follows_the_node(world: World) -> None:
    staff = world.staff["csa"]
    services.staff_update(staff=staff, scope=world.clusters["BH-SOUTH"], by=None)
    staff.refresh_from_db()
    assert staff.scope_level == ScopeLevel.CLUSTER
    assert staff.plant is None
    assert staff.state == world.states["BH"]
    with pytest.raises(ValidationFailed):
        services.staff_update(staff=staff, scope=world.other_company, by=None)
    with pytest.raises(ValidationFailed):
        services.staff_update(staff=staff, designation="king", by=None)


def test_nobody_grants_above_their_own_designation_or_scope(world: World) -> None:
    ho = world.user("ho_manager")
    with pytest.raises(ValidationFailed) as err:
        services.staff_create(
            username="boss",
            password="a-long-pass-99",
            first_name="B",
            designation="admin",
            scope=world.company,
            by=ho,
        )
    assert err.value.code == "designation_above_own"
    state_in = world.user("state_incharge")
    with pytest.raises(ValidationFailed) as err:
        services.staff_create(
            username="up.csa",
            password="a-long-pass-99",
            first_name="U",
            designation="csa",
            scope=world.plants["UPGORA"],
            by=state_in,
        )
    assert err.value.code == "scope_outside_own"
    with pytest.raises(ValidationFailed) as err:
        services.staff_update(staff=world.staff["admin"], first_name="X", by=ho)
    assert err.value.code == "designation_above_own"
    made = services.staff_create(
        username="bh.csa",
        password="a-long-pass-99",
        first_name="C",
        designation="csa",
        scope=world.plants["BHSIKA"],
        by=state_in,
    )
    assert made.plant == world.plants["BHSIKA"]


def test_nobody_changes_their_own_designation(world: World) -> None:
    me = world.staff["state_incharge"]
    with pytest.raises(ValidationFailed) as err:
        services.staff_update(staff=me, designation="csa", by=me.user)
    assert err.value.code == "own_record"


def test_a_weak_password_is_refused_and_nothing_is_written(world: World) -> None:
    from mcoms.org.models import User

    before = User.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.staff_create(
            username="weak",
            password="12345",
            first_name="W",
            designation="csa",
            scope=world.plants["BHKATS"],
            by=world.user("admin"),
        )
    assert err.value.code == "password_weak"
    assert User.objects.count() == before


def test_head_office_cannot_demote_an_admin(world: World) -> None:
    admin = world.staff["admin"]
    with pytest.raises(ValidationFailed) as err:
        services.staff_update(
            staff=admin, designation="csa", by=world.user("ho_manager")
        )
    assert err.value.code == "designation_above_own"
    admin.refresh_from_db()
    assert admin.designation == "admin"


def test_moving_a_plant_moves_its_staff_scope_with_it(world: World) -> None:
    from mcoms.org.access import staff_list_for

    services.plant_update(
        plant=world.plants["BHKATS"], cluster=world.clusters["BH-SOUTH"], by=None
    )
    world.staff["csa"].refresh_from_db()
    assert world.staff["csa"].cluster == world.clusters["BH-SOUTH"]
    north = world.user("cluster_incharge")
    assert "csa" not in {s.user.username for s in staff_list_for(north)}
    south = services.staff_create(
        username="ci.south",
        password=None,
        first_name="S",
        designation="cluster_incharge",
        scope=world.clusters["BH-SOUTH"],
        by=None,
    )
    assert "csa" in {s.user.username for s in staff_list_for(south.user)}
