"""Generate smart meters' 15-minute readings with the simulator and feed them
through the ingestion path (docs/metering.md, "Readings")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mcoms.metering.feed import simulator_feed
from mcoms.org.models import Plant


class Command(BaseCommand):
    help = (
        "Simulate the installed smart meters' interval readings of the last "
        "--days days at the given plants (all of the company's by default) "
        "and ingest them, one batch per plant."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", default="tara-demo", help="Company code.")
        parser.add_argument("--plant", action="append", default=[], help="Plant key.")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--end", help="ISO 8601 end (default: now).")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] <= 0:
            raise CommandError("--days must be 1 or more.")
        end = timezone.now()
        if options["end"]:
            try:
                end = datetime.fromisoformat(options["end"])
            except ValueError as exc:
                raise CommandError(f"--end: {exc}") from exc
            if end.tzinfo is None:
                raise CommandError("--end needs a UTC offset.")
        plants = Plant.objects.filter(company__code=options["company"])
        if options["plant"]:
            keys = [k.upper() for k in options["plant"]]
            plants = plants.filter(pk__in=[p.pk for p in plants if p.key in keys])
        if not plants.exists():
            raise CommandError("No such plants.")
        start = end - timedelta(days=options["days"])
        for plant in plants.order_by("state__code", "code"):
            batch, created = simulator_feed(
                plant=plant, start=start, end=end, seed=options["seed"]
            )
            word = "stored" if created else "already delivered"
            self.stdout.write(
                f"{plant.key}: {batch.received} readings {word}: {batch.stored} new, "
                f"{batch.duplicates} duplicates, {batch.rejected} refused, "
                f"{batch.gaps} missing intervals, {batch.resets} resets."
            )
