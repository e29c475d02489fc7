from __future__ import annotations

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.packages.models import Package
from mcoms.packages.services import package_revise
from mcoms.packages.tests.factories import METERED, PREPAID, make
from tests.builders import World


def test_a_revision_is_a_new_version_and_the_old_row_is_unchanged(
    world: World,
) -> None:
    old = make(world.plants["BHKATS"], PREPAID)
    before = model_to_dict(Package.objects.get(pk=old.pk))
    new = package_revise(package=old, by=None, prepaid_amount="180")
    assert (new.pk != old.pk, new.version, new.supersedes) == (True, 2, old)
    assert new.package_id == "A1.1(NN)/17/180"
    assert new.active
    after = model_to_dict(Package.objects.get(pk=old.pk))
    assert after == before | {"active": False}


def test_revision_keeps_the_terms_that_are_not_changed(world: World) -> None:
    old = make(world.plants["BHKATS"], METERED)
    new = package_revise(package=old, by=None, rate_per_kwh="9")
    assert new.rate_per_kwh == Decimal("9")
    assert (new.slabs, new.fixed_monthly, new.deposit_multiple) == (
        old.slabs,
        old.fixed_monthly,
        old.deposit_multiple,
    )
    assert new.package_id == old.package_id


def test_only_the_newest_version_is_offered(world: World) -> None:
    v1 = make(world.plants["BHKATS"], PREPAID)
    v2 = package_revise(package=v1, by=None, load_w=20)
    v3 = package_revise(package=v2, by=None, load_w=25)
    offered = Package.objects.filter(plant=world.plants["BHKATS"], active=True)
    assert list(offered) == [v3]
    assert v3.version == 3


def test_the_billing_type_may_change_when_the_old_rates_are_cleared(
    world: World,
) -> None:
    old = make(world.plants["BHKATS"], PREPAID)
    new = package_revise(
        package=old,
        by=None,
        type_code="C1.1",
        prepaid_amount=None,
        prepaid_period_days=None,
        monthly_amount="200",
    )
    assert (new.billing_type, new.package_id) == (
        "postpaid_unmetered",
        "C1.1(NN)/17/200",
    )


def test_it_refuses_to_revise_a_superseded_version_and_writes_nothing(
    world: World,
) -> None:
    old = make(world.plants["BHKATS"], PREPAID)
    package_revise(package=old, by=None, load_w=20)
    count = Package.objects.count()
    with pytest.raises(Conflict) as err:
        package_revise(package=old, by=None, load_w=30)
    assert err.value.code == "package_superseded"
    assert Package.objects.count() == count


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"load_w": 0}, "package_load_invalid"),
        ({"prepaid_amount": None}, "package_rate_missing"),
        ({"plant": None}, "field_not_editable"),
        ({"version": 7}, "field_not_editable"),
        ({}, "package_unchanged"),
        ({"load_w": 17}, "package_unchanged"),
    ],
)
def test_it_refuses_a_bad_revision_and_writes_nothing(
    world: World, changes: dict[str, object], code: str
) -> None:
    old = make(world.plants["BHKATS"], PREPAID)
    before = model_to_dict(Package.objects.get(pk=old.pk))
    with pytest.raises(ValidationFailed) as err:
        package_revise(package=old, by=None, **changes)
    assert err.value.code == code
    assert Package.objects.count() == 1
    assert model_to_dict(Package.objects.get(pk=old.pk)) == before


def test_it_refuses_a_revision_onto_another_offered_package(world: World) -> None:
    plant = world.plants["BHKATS"]
    make(plant, PREPAID, load_w=20)
    old = make(plant, PREPAID)
    with pytest.raises(ValidationFailed) as err:
        package_revise(package=old, by=None, load_w=20)
    assert err.value.code == "package_duplicate"
    assert Package.objects.get(pk=old.pk).active
    assert Package.objects.count() == 2


def test_customers_on_a_revised_package_keep_the_old_version(world: World) -> None:
    """The issue's rule: a package that customers use never changes in place."""
    from mcoms.customers.models import Customer

    old = make(world.plants["BHKATS"], PREPAID)
    customer = world.customers["BHKATS"]
    Customer.objects.filter(pk=customer.pk).update(package=old)
    before = model_to_dict(Package.objects.get(pk=old.pk))
    new = package_revise(package=old, by=None, prepaid_amount="200")
    assert Customer.objects.get(pk=customer.pk).package_id == old.pk
    assert model_to_dict(Package.objects.get(pk=old.pk)) == before | {"active": False}
    assert new.prepaid_amount == Decimal("200.00")


def test_an_unused_package_is_versioned_too(world: World) -> None:
    """docs/decisions/0020: every edit versions, used or not."""
    old = make(world.plants["BHKATS"], PREPAID)
    new = package_revise(package=old, by=None, load_w=25)
    assert Package.objects.count() == 2
    assert (new.version, new.supersedes_id) == (2, old.pk)


def test_revising_a_withdrawn_package_keeps_it_withdrawn(world: World) -> None:
    from mcoms.packages.services import package_withdraw

    old = make(world.plants["BHKATS"], PREPAID)
    package_withdraw(package=old, by=None)
    new = package_revise(package=old, by=None, load_w=25)
    assert (new.active, new.version) == (False, 2)
    assert not Package.objects.get(pk=old.pk).active
