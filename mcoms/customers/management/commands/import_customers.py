"""Import packages and customers from CSV files (docs/import.md).

A dry run by default: every row checked, every problem printed, nothing
written. ``--commit`` imports, all or nothing, as the named user (who needs
``customer.import``; the plants are those of their scope).

    manage.py import_customers --user admin --packages p.csv --customers c.csv
    manage.py import_customers --user admin --customers c.csv --commit
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mcoms.core.errors import DomainError
from mcoms.customers import imports
from mcoms.org.models import User


class Command(BaseCommand):
    help = "Check (and with --commit import) a packages and/or a customers CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Who imports (username).")
        parser.add_argument("--packages", type=Path, help="The packages CSV.")
        parser.add_argument("--customers", type=Path, help="The customers CSV.")
        parser.add_argument(
            "--commit", action="store_true", help="Import (default: dry run)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        started = time.perf_counter()
        try:
            files = [
                self._read(kind, options[kind])
                for kind in ("packages", "customers")
                if options[kind] is not None
            ]
            if not files:
                raise CommandError("Give --packages, --customers or both.")
            report = self._run(user, files, commit=options["commit"])
        except PermissionDenied as exc:
            raise CommandError(f"{user.username} may not import: {exc}") from exc
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        seconds = time.perf_counter() - started
        self._print(report, seconds)

    def _read(self, kind: str, path: Path) -> imports.CsvFile:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        return imports.read_upload(kind, path.name, raw)

    def _run(
        self, user: User, files: list[imports.CsvFile], *, commit: bool
    ) -> dict[str, Any]:
        if not commit:
            report = imports.import_check(user=user, files=files).as_json()
            return report | {"dry_run": True}
        batch, _created = imports.import_upload(user=user, files=files)
        if batch.report.get("ok"):
            batch = imports.import_commit(batch=batch, user=user)
        return batch.report | {"dry_run": False}

    def _print(self, report: dict[str, Any], seconds: float) -> None:
        for e in report["errors"]:
            where = f"row {e['row']}" if e["row"] else "the file"
            column = f", {e['column']}" if e["column"] else ""
            self.stdout.write(
                f"{e['file']} {where}{column}: {e['code']} - {e['message']}"
            )
        rows = ", ".join(f"{n} {kind} rows" for kind, n in report["rows"].items())
        if report["errors"]:
            raise CommandError(
                f"{len(report['errors'])} problems in {rows}; nothing was imported."
            )
        if report["dry_run"]:
            self.stdout.write(
                f"Dry run: {rows} are all right ({seconds:.2f} s); nothing was "
                "written. Run again with --commit to import them."
            )
            return
        created = report.get("created", {})
        self.stdout.write(
            f"Imported {created.get('packages', 0)} packages and "
            f"{created.get('customers', 0)} customers in {seconds:.2f} s."
        )
