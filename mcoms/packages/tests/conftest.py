"""Fixtures for the package tests: API clients, a small catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from mcoms.customers.models import Customer
from mcoms.org.models import Plant
from mcoms.packages.models import Package
from mcoms.packages.tests.factories import METERED, PREPAID, UNMETERED, make
from tests.builders import World


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(world: World) -> Callable[[str], APIClient]:
    """An API client signed in as a user of the world (by username)."""

    def make_client(name: str) -> APIClient:
        client = APIClient()
        user = (
            world.customers["BHKATS"].user if name == "customer" else world.user(name)
        )
        client.force_authenticate(user)
        return client

    return make_client


@dataclass
class Catalogue:
    world: World
    kats_prepaid: Package
    kats_metered: Package
    kats_unmetered: Package
    sika: Package
    gora: Package
    other: Package


@pytest.fixture
def catalogue(world: World) -> Catalogue:
    """Three packages at BHKATS (one in use), one each at BHSIKA and UPGORA,
    and one at the other company's plant of the same key."""
    kats = world.plants["BHKATS"]
    prepaid = make(kats, PREPAID)
    Customer.objects.filter(pk=world.customers["BHKATS"].pk).update(package=prepaid)
    return Catalogue(
        world=world,
        kats_prepaid=prepaid,
        kats_metered=make(kats, METERED),
        kats_unmetered=make(kats, UNMETERED),
        sika=make(world.plants["BHSIKA"], PREPAID, load_w=30),
        gora=make(world.plants["UPGORA"], PREPAID, load_w=40),
        other=make(Plant.objects.get(company=world.other_company), PREPAID),
    )
