from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from mcoms.packages.selectors import package_offered_at, packages_for
from mcoms.packages.services import package_revise
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World


@pytest.fixture
def offered(world: World) -> World:
    for key in ("BHKATS", "BHSIKA", "UPGORA"):
        make(world.plants[key], PREPAID)
    return world


def test_each_user_reads_the_packages_of_their_scope(offered: World) -> None:
    def plants(name: str) -> set[str]:
        return {p.plant.key for p in packages_for(offered.user(name))}

    assert plants("csa") == {"BHKATS"}
    assert plants("cluster_incharge") == {"BHKATS"}
    assert plants("state_incharge") == {"BHKATS", "BHSIKA"}
    assert plants("ho_manager") == {"BHKATS", "BHSIKA", "UPGORA"}
    assert plants("sika_csa") == {"BHSIKA"}
    assert plants("other_admin") == set()


def test_a_non_staff_user_is_refused(offered: World) -> None:
    with pytest.raises(PermissionDenied):
        packages_for(AnonymousUser())


def test_only_the_current_versions_are_offered(world: World) -> None:
    plant = world.plants["BHKATS"]
    old = make(plant, PREPAID)
    new = package_revise(package=old, by=None, load_w=20)
    assert list(package_offered_at(plant)) == [new]
    assert set(packages_for(world.user("csa"))) == {old, new}
    assert list(packages_for(world.user("csa"), offered_only=True)) == [new]
