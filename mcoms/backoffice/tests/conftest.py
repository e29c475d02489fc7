from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.builders import World


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The world signs up nine people; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def as_user(world: World) -> Callable[[str], Client]:
    """A client signed in as one of the world's staff (by username)."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(world.user(username))
        return client

    return make
