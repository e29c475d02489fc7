from __future__ import annotations

from pathlib import Path

from django.conf import settings

from mcoms.org.permissions import as_markdown


def test_docs_permissions_contains_the_generated_table() -> None:
    doc = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text("utf-8")
    assert as_markdown() in doc, (
        "docs/permissions.md is out of date: paste the output of "
        "mcoms.org.permissions.as_markdown() between the 'generated' markers."
    )
