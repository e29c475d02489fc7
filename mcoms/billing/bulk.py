"""Plain ``executemany`` inserts for the rows of a billing chunk.

A run writes a bill, a line or two and maybe accounts per customer; building
a model instance and compiling its SQL for each one costs more than the
insert itself (docs/billing.md, "Speed"). The rows are checked and composed
before they get here; these helpers only adapt dates, times and JSON for the
database and insert them in batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models

BATCH = 2000


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """INSERT ``rows`` (values in ``fields`` order, already adapted)."""
    qn = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(qn(str(meta.get_field(f).column)) for f in fields)  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(fields))
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks}){tail}"  # noqa: S608
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def db_datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def db_json(model: type[models.Model], field: str, value: Any) -> Any:
    return model._meta.get_field(field).get_db_prep_save(value, connection)  # type: ignore[union-attr]
