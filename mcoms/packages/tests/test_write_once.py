from __future__ import annotations

import pytest

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.packages.models import Package, WriteAction, WriteKey
from mcoms.packages.services import (
    package_create,
    package_withdraw,
    packages_write_once,
)
from mcoms.packages.tests.factories import PREPAID
from tests.builders import World


def _create(world: World, key: str) -> tuple[Package, bool]:
    plant = world.plants["BHKATS"]
    return packages_write_once(
        company=world.company,
        key=key,
        action=WriteAction.PACKAGE_CREATE,
        by=world.user("admin"),
        write=lambda: package_create(plant=plant, by=world.user("admin"), **PREPAID),
    )


def test_a_retry_returns_the_first_result_and_writes_nothing(world: World) -> None:
    first, created = _create(world, "k-1")
    again, created_again = _create(world, "k-1")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Package.objects.count() == 1
    assert WriteKey.objects.get().package == first


def test_the_same_key_in_another_company_is_another_write(world: World) -> None:
    _create(world, "k-1")
    assert not WriteKey.objects.filter(company=world.other_company).exists()


def test_a_key_used_for_another_action_is_refused(world: World) -> None:
    package, _ = _create(world, "k-1")
    with pytest.raises(Conflict) as err:
        packages_write_once(
            company=world.company,
            key="k-1",
            action=WriteAction.PACKAGE_WITHDRAW,
            by=None,
            write=lambda: package_withdraw(package=package, by=None),
        )
    assert err.value.code == "idempotency_key_reused"
    assert Package.objects.get(pk=package.pk).active


@pytest.mark.parametrize("key", ["", "  ", "x" * 121])
def test_a_bad_key_is_refused(world: World, key: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        _create(world, key)
    assert err.value.code == "idempotency_key_invalid"
    assert Package.objects.count() == 0


def test_a_refused_write_leaves_no_key(world: World) -> None:
    plant = world.plants["BHKATS"]
    with pytest.raises(ValidationFailed):
        packages_write_once(
            company=world.company,
            key="k-2",
            action=WriteAction.PACKAGE_CREATE,
            by=None,
            write=lambda: package_create(
                plant=plant, by=None, **PREPAID | {"load_w": 0}
            ),
        )
    assert not WriteKey.objects.exists()
    # the key is still free for the corrected input
    package, created = _create(world, "k-2")
    assert created and package.pk
