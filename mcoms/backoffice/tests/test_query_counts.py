"""List pages do a constant number of queries however many rows they show."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mcoms.org import services
from tests.builders import World


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(world: World, n: int) -> None:
    """One more cluster with a plant, and one more cluster-level staff member."""
    cluster = services.cluster_create(
        state=world.states["UP"], code=f"NEW{n}", name="x", by=None
    )
    services.plant_create(
        cluster=cluster,
        code=f"NEW{'ABCDE'[n]}",
        name="x",
        capacity_kwp=Decimal("5"),
        by=None,
    )
    services.staff_create(
        username=f"more{n}",
        password=None,
        first_name="M",
        designation="csa",
        scope=cluster,
        by=None,
    )


@pytest.mark.parametrize(
    "url", ["/backoffice/plants/", "/backoffice/staff/", "/backoffice/"]
)
def test_list_pages_do_not_grow_with_rows(
    client: Client, world: World, url: str
) -> None:
    client.force_login(world.user("admin"))
    before = _count(client, url)
    for n in range(5):
        _grow(world, n)
    assert _count(client, url) == before
