"""A cursor for the bulk statements of the ingestion and the roll-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def bound_cursor() -> Iterator[Any]:
    """On PostgreSQL a psycopg cursor that binds on the server (arrays go in
    binary, dumped in C rather than quoted into the statement in Python), on
    the same connection and transaction as Django's; elsewhere Django's."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor
