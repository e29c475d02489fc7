from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mcoms.demo.builder import build_demo
from mcoms.org.models import Company


class Command(BaseCommand):
    help = "Build the deterministic demo company: org, staff and customers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the demo company already exists.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 0:
            raise CommandError("--customers must be 0 or more.")
        if Company.objects.filter(code="tara-demo").exists():
            if options["if_empty"]:
                self.stdout.write("Demo company already present; nothing to do.")
                return
            raise CommandError(
                "The demo company exists already (use a fresh database)."
            )
        demo = build_demo(customers=options["customers"], seed=options["seed"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo company {demo.company.name}: {len(demo.plants)} plants, "
                f"{len(demo.staff)} staff, {demo.customers} customers."
            )
        )
