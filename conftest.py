"""Shared fixtures: ``world`` builds a company with every designation and outsiders."""

from __future__ import annotations

import pytest

from tests.builders import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()
