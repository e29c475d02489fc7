"""Shared fixtures and the CI rules for the whole suite.

* ``world`` builds a company with staff of every designation and outsiders.
* Tests marked ``postgres`` need PostgreSQL (triggers, row locks under real
  concurrency). On SQLite they are deselected, with a line saying so; the CI's
  second pass runs the suite on PostgreSQL, where they run. With CI=true and a
  PostgreSQL DATABASE_URL, an unreachable server fails the run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.builders import World, build_world


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if _on_postgres():
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"{len(dropped)} PostgreSQL-only tests deselected on SQLite; "
                "they run in the PostgreSQL pass (DATABASE_URL=postgres://...)."
            )


def pytest_sessionstart(session: pytest.Session) -> None:
    if not (_on_postgres() and os.environ.get("CI") == "true"):
        return
    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        pytest.exit(f"CI=true and PostgreSQL is unreachable: {exc}", returncode=3)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """PBKDF2 is slow on purpose; tests only need a hasher that works."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: None) -> World:
    return build_world()
