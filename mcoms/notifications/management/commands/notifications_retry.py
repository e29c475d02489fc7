from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mcoms.notifications.tasks import messages_retry


class Command(BaseCommand):
    help = "Queue again stuck (sending) and failed messages that have tries left."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stale-minutes", type=int, default=10)
        parser.add_argument("--max-attempts", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        from datetime import timedelta

        count = messages_retry(
            stale_after=timedelta(minutes=options["stale_minutes"]),
            max_attempts=options["max_attempts"],
        )
        self.stdout.write(f"{count} message(s) queued again.")
