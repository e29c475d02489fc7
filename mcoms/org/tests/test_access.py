from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mcoms.customers.selectors import customers_for, get_customer_for_user
from mcoms.org import access
from tests.builders import World

# Which plants each user sees (by key): exactly their scope's subtree.
EXPECTED_PLANTS = {
    "operator": {"BHKATS"},
    "technician": {"BHKATS"},
    "csa": {"BHKATS"},
    "cluster_incharge": {"BHKATS", "BHMADH"},
    "state_incharge": {"BHKATS", "BHMADH", "BHSIKA"},
    "ho_manager": {"BHKATS", "BHMADH", "BHSIKA", "UPGORA"},
    "admin": {"BHKATS", "BHMADH", "BHSIKA", "UPGORA"},
    "sika_csa": {"BHSIKA"},
    "other_admin": {"BHKATS"},
}


@pytest.mark.parametrize(("name", "expected"), EXPECTED_PLANTS.items())
def test_each_designation_sees_exactly_its_plants(
    world: World, name: str, expected: set[str]
) -> None:
    user = world.user(name)
    keys = {p.key for p in access.plants_for(user)}
    assert keys == expected
    if name == "other_admin":
        assert {p.company_id for p in access.plants_for(user)} == {
            world.other_company.pk
        }


def test_customers_are_scoped_like_their_plants(world: World) -> None:
    seen = {c.customer_id[:6] for c in customers_for(world.user("cluster_incharge"))}
    assert seen == {"BHKATS"}
    with pytest.raises(Http404):
        get_customer_for_user(world.user("csa"), world.customers["BHSIKA"].customer_id)
    # The other company reuses the same codes: it gets its own customer, never ours.
    theirs = get_customer_for_user(
        world.user("other_admin"), world.customers["BHKATS"].customer_id
    )
    assert theirs == world.customers["other"]


def test_a_customer_sees_only_their_own_accounts(world: World) -> None:
    own = world.customers["BHKATS"]
    assert own.user is not None
    assert list(customers_for(own.user)) == [own]
    with pytest.raises(Http404):
        get_customer_for_user(own.user, world.customers["BHSIKA"].customer_id)
    with pytest.raises(PermissionDenied):
        access.plants_for(own.user)


def test_only_company_wide_staff_act_on_the_company(world: World) -> None:
    edit = access.Action.ORG_EDIT_STRUCTURE
    assert access.get_company_for_user(world.user("admin"), edit) == world.company
    with pytest.raises(PermissionDenied):
        access.get_company_for_user(world.user("state_incharge"), edit)
    node = access.get_scope_node_for_user(
        world.user("state_incharge"), "cluster", "BH-SOUTH", edit
    )
    assert node == world.clusters["BH-SOUTH"]
    with pytest.raises(Http404):
        access.get_scope_node_for_user(
            world.user("state_incharge"), "plant", "UPGORA", edit
        )
    with pytest.raises(Http404):
        access.get_scope_node_for_user(world.user("admin"), "company", "other", edit)
