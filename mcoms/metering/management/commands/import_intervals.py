"""Import a CSV file of smart meters' interval readings (``meter,at,kwh``)
through the ingestion path (docs/metering.md, "Readings")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mcoms.core.errors import DomainError
from mcoms.metering.ingest import csv_ingest, digest_of
from mcoms.org.models import Company, User


class Command(BaseCommand):
    help = (
        "Import interval readings from a CSV file (meter,at,kwh). The file's "
        "key (by default its SHA-256) makes a second import of it write nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--company", required=True, help="Company code.")
        parser.add_argument("--key", help="Batch key (default: csv:<sha256>).")
        parser.add_argument("--user", help="Username recorded as the importer.")
        parser.add_argument(
            "--report", action="store_true", help="Print the report as JSON."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        company = Company.objects.filter(code=options["company"]).first()
        if company is None:
            raise CommandError(f"No company {options['company']}.")
        by = None
        if options["user"]:
            by = User.objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"No user {options['user']}.")
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        key = options["key"] or f"csv:{digest_of(data)}"
        try:
            batch, created = csv_ingest(company=company, data=data, key=key, by=by)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        word = "Imported" if created else "Already imported"
        self.stdout.write(
            f"{word} batch {batch.key}: {batch.received} rows, {batch.stored} "
            f"stored, {batch.duplicates} duplicates, {batch.rejected} refused, "
            f"{batch.gaps} missing intervals, {batch.resets} counter resets."
        )
        if options["report"]:
            self.stdout.write(json.dumps(batch.report, indent=1))
