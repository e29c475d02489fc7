"""Fixtures for the API tests: fresh throttle counters and
clients signed in as any user of the ``world``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from mcoms.org.models import User


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(db: None) -> Callable[[str], APIClient]:
    """An API client authenticated with a real token of the named user."""
    from rest_framework.authtoken.models import Token

    def make(username: str) -> APIClient:
        user = User.objects.get(username=username)
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
