from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.builders import World


@pytest.fixture
def as_user(world: World) -> Callable[[str], Client]:
    """A client signed in as one of the world's staff (by username)."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(world.user(username))
        return client

    return make
