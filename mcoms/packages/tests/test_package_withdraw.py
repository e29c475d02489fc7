from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.models import Customer
from mcoms.packages.models import Package
from mcoms.packages.services import (
    package_create,
    package_offer,
    package_revise,
    package_withdraw,
)
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World


def _use(package: Package, world: World, key: str = "BHKATS") -> Customer:
    customer = world.customers[key]
    Customer.objects.filter(pk=customer.pk).update(package=package)
    return customer


def test_a_withdrawn_package_leaves_the_offer_and_its_customers_keep_it(
    world: World,
) -> None:
    package = make(world.plants["BHKATS"], PREPAID)
    customer = _use(package, world)
    out = package_withdraw(package=package, by=world.user("ho_manager"))
    assert not out.active
    assert Customer.objects.get(pk=customer.pk).package_id == package.pk
    record = Package.objects.get(pk=package.pk).history.first()
    assert (record.history_change_reason, record.history_user) == (
        "withdrawn",
        world.user("ho_manager"),
    )


def test_withdrawing_twice_changes_nothing_the_second_time(world: World) -> None:
    package = make(world.plants["BHKATS"], PREPAID)
    package_withdraw(package=package, by=None)
    records = Package.objects.get(pk=package.pk).history.count()
    package_withdraw(package=package, by=None)
    assert Package.objects.get(pk=package.pk).history.count() == records


def test_a_withdrawn_package_is_offered_again(world: World) -> None:
    package = make(world.plants["BHKATS"], PREPAID)
    package_withdraw(package=package, by=None)
    assert package_offer(package=package, by=None).active
    assert Package.objects.get(pk=package.pk).active


def test_it_refuses_to_offer_an_id_already_offered_and_writes_nothing(
    world: World,
) -> None:
    plant = world.plants["BHKATS"]
    old = make(plant, PREPAID)
    package_withdraw(package=old, by=None)
    make(plant, PREPAID)  # the same ID again, as a new package
    with pytest.raises(ValidationFailed) as err:
        package_offer(package=old, by=None)
    assert err.value.code == "package_duplicate"
    assert not Package.objects.get(pk=old.pk).active


@pytest.mark.parametrize("act", [package_withdraw, package_offer])
def test_only_the_newest_version_is_withdrawn_or_offered(world: World, act) -> None:
    old = make(world.plants["BHKATS"], PREPAID)
    package_revise(package=old, by=None, load_w=20)
    before = model_to_dict(Package.objects.get(pk=old.pk))
    with pytest.raises(Conflict) as err:
        act(package=old, by=None)
    assert err.value.code == "package_superseded"
    assert model_to_dict(Package.objects.get(pk=old.pk)) == before


def test_a_package_may_be_created_withdrawn(world: World) -> None:
    plant = world.plants["BHKATS"]
    make(plant, PREPAID)
    second = package_create(plant=plant, by=None, offered=False, **PREPAID)
    assert (second.active, second.version) == (False, 2)


def test_a_new_package_with_a_used_id_gets_the_next_version(world: World) -> None:
    """Plant + package ID + version names one package for good, even when an
    ID comes back after a withdrawal or a revision."""
    plant = world.plants["BHKATS"]
    first = make(plant, PREPAID)
    second = package_revise(package=first, by=None, prepaid_amount="180")  # v2
    package_withdraw(package=second, by=None)
    again = make(plant, PREPAID)  # /160 again: v1 is taken
    assert (again.package_id, again.version) == ("A1.1(NN)/17/160", 2)
    third = make(plant, PREPAID, load_w=20)
    moved = package_revise(package=third, by=None, load_w=17, prepaid_amount="180")
    assert (moved.package_id, moved.version) == ("A1.1(NN)/17/180", 3)
    keys = Package.objects.values_list("plant", "package_id", "version")
    assert len(set(keys)) == Package.objects.count()
