"""Send the meter commands that are due (docs/metering.md, "Control and
tokens"): retries whose back-off has passed, and sends a stopped worker left
behind. Run it every minute or two from cron beside the task worker; with
``--inline`` it sends them itself, with no worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mcoms.metering import control
from mcoms.metering.models import CommandState, MeterCommand


class Command(BaseCommand):
    help = "Queue (or with --inline send) the meter commands that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Send the due commands here instead of queueing them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["inline"]:
            counts = control.commands_sweep()
            self.stdout.write(
                f"queued {counts.due}, taken back {counts.stale}, "
                f"given up {counts.given_up}"
            )
            return
        counts = control.commands_sweep(queue=False)
        results: dict[str, int] = {}
        for command_id in counts.ids:
            state = control.command_dispatch(command_id=command_id)
            results[state] = results.get(state, 0) + 1
        left = MeterCommand.objects.filter(
            state=CommandState.QUEUED, next_attempt_at__gt=timezone.now()
        ).count()
        summary = ", ".join(f"{k} {v}" for k, v in sorted(results.items())) or "none"
        self.stdout.write(
            f"sent {counts.due} ({summary}), taken back {counts.stale}, "
            f"given up {counts.given_up}, waiting to retry {left}"
        )
