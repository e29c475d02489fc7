"""The word index of customer names, kept by the database itself.

Finding customers by any word of their name ("kumar" finds "Ram Kumar") must
not scan the table (docs/customers.md). The index lives in the database so that
every way of writing a customer (the services, bulk imports, a raw UPDATE)
keeps it current:

* SQLite: an FTS5 table over ``customers_customer.name`` (external content,
  rowid = customer id) fed by three triggers, with prefix indexes for 2 and 3
  characters.
* PostgreSQL: a GIN index on ``to_tsvector('simple', name)``; queries use the
  same expression with a prefix ``tsquery``.

``install`` is idempotent. It runs in the migration and again after every
``migrate`` (``apps.py``): SQLite rebuilds a table to alter it, which drops its
triggers, so they are put back and the index rebuilt when they were missing.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# Table and index names are fixed; the SQL below is literal (no user input).
FTS = "customers_customer_fts"
PG_INDEX = "customers_customer_name_words"
CREATE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS customers_customer_fts USING fts5(name, "
    "content='customers_customer', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
)
TRIGGERS = {
    "customers_customer_fts_ai": """
CREATE TRIGGER IF NOT EXISTS customers_customer_fts_ai
AFTER INSERT ON customers_customer BEGIN
  INSERT INTO customers_customer_fts(rowid, name) VALUES (new.id, new.name);
END""",
    "customers_customer_fts_ad": """
CREATE TRIGGER IF NOT EXISTS customers_customer_fts_ad
AFTER DELETE ON customers_customer BEGIN
  INSERT INTO customers_customer_fts(customers_customer_fts, rowid, name)
  VALUES ('delete', old.id, old.name);
END""",
    "customers_customer_fts_au": """
CREATE TRIGGER IF NOT EXISTS customers_customer_fts_au
AFTER UPDATE OF name ON customers_customer BEGIN
  INSERT INTO customers_customer_fts(customers_customer_fts, rowid, name)
  VALUES ('delete', old.id, old.name);
  INSERT INTO customers_customer_fts(rowid, name) VALUES (new.id, new.name);
END""",
}
DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS customers_customer_fts_ai",
    "DROP TRIGGER IF EXISTS customers_customer_fts_ad",
    "DROP TRIGGER IF EXISTS customers_customer_fts_au",
]
REBUILD = (
    "INSERT INTO customers_customer_fts(customers_customer_fts) VALUES ('rebuild')"
)
CREATE_PG = (
    "CREATE INDEX IF NOT EXISTS customers_customer_name_words ON customers_customer "
    "USING gin (to_tsvector('simple'::regconfig, name))"
)
SQLITE_MATCH = (
    "SELECT rowid FROM customers_customer_fts WHERE customers_customer_fts MATCH %s "
    "LIMIT %s"
)
PG_MATCH = (
    "SELECT id FROM customers_customer WHERE to_tsvector('simple'::regconfig, name) "
    "@@ to_tsquery('simple'::regconfig, %s) LIMIT %s"
)
MAX_WORDS = 4


def install(connection: Any) -> bool:
    """Create what is missing; True when something was (re)built."""
    if connection.vendor == "sqlite":
        return _install_sqlite(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(CREATE_PG)
        return False
    return False


def _install_sqlite(connection: Any) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND name LIKE %s",
            [f"{FTS}%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if FTS in present and set(TRIGGERS) <= present:
            return False
        cursor.execute(CREATE_FTS)
        for sql in TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute(REBUILD)
    return True


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in DROP_TRIGGERS:
                cursor.execute(sql)
            cursor.execute("DROP TABLE IF EXISTS customers_customer_fts")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS customers_customer_name_words")


def words(text: str) -> list[str]:
    """The words of a query, lower-cased, at most four. A word is a run of
    letters, marks and digits (a Devanagari vowel sign is a mark, not a gap)."""
    cleaned = "".join(
        ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text.lower()
    )
    return cleaned.split()[:MAX_WORDS]


def name_match_sql(
    connection: Any, text: str, limit: int
) -> tuple[str, list[Any]] | None:
    """SQL selecting the ids of (at most ``limit``) customers whose name has a
    word starting with each word of ``text``, or None when it has no word."""
    found = words(text)
    if not found:
        return None
    if connection.vendor == "sqlite":
        query = " ".join(f'"{w}"*' for w in found)
        return SQLITE_MATCH, [query, limit]
    if connection.vendor == "postgresql":
        query = " & ".join(f"'{w}':*" for w in found)
        return PG_MATCH, [query, limit]
    return None
