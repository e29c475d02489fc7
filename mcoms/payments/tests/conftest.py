"""API clients for the payments tests (the same as tests/api's)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from mcoms.org.models import User


@pytest.fixture
def client_for(db: None) -> Callable[[str], APIClient]:
    """An API client authenticated with a real token of the named user."""
    from rest_framework.authtoken.models import Token

    cache.clear()  # throttle counters

    def make(username: str) -> APIClient:
        user = User.objects.get(username=username)
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
