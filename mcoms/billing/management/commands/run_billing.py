"""Start (or resume) the billing run of a plant's period and work it here with
a progress bar; or queue it for the task worker with ``--enqueue``.

    manage.py run_billing --plant BHKATS --start 2026-03-01 [--create]
    manage.py run_billing --period 12

Killed at any point, the same command resumes the run; on a finished run it
checks that every billable customer has a bill and writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from mcoms.billing.models import BillingPeriod, RunStatus
from mcoms.billing.services import (
    CHUNK,
    billing_period_create,
    billing_run_start,
    billing_run_work,
)
from mcoms.core.errors import DomainError
from mcoms.org.models import Plant


class Command(BaseCommand):
    help = "Run billing for one plant's period, resumably, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", type=int, help="The period's id.")
        parser.add_argument("--plant", help="Plant key, e.g. BHKATS.")
        parser.add_argument("--company", help="Company code (if keys clash).")
        parser.add_argument("--start", help="The period's first day, YYYY-MM-DD.")
        parser.add_argument(
            "--create", action="store_true", help="Create the period (a month)."
        )
        parser.add_argument("--chunk", type=int, default=CHUNK)
        parser.add_argument("--enqueue", action="store_true")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["chunk"] < 1:
            raise CommandError("--chunk must be 1 or more.")
        try:
            period = self._period(options)
            run = billing_run_start(period=period, by=None, enqueue=options["enqueue"])
            if options["enqueue"]:
                self.stdout.write(f"Queued the run of period {period.pk}.")
                return
            was_done = run.status == RunStatus.DONE
            result = self._work(run, options)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        run = result.run
        if was_done:
            self.stdout.write(
                f"Run of period {period.pk} was already done: {run.done} bills; "
                f"{result.missing} billable customers without a bill; nothing written."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Run of period {period.pk} {run.status}: {run.done}/{run.total} "
                f"billed ({result.billed} now)."
            )
        )

    def _work(self, run: Any, options: dict[str, Any]) -> Any:
        if options["quiet"]:
            return billing_run_work(run=run, chunk_size=options["chunk"])
        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task("billing", total=run.total or None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return billing_run_work(
                run=run, chunk_size=options["chunk"], progress=progress
            )

    def _period(self, options: dict[str, Any]) -> BillingPeriod:
        if options["period"]:
            period = BillingPeriod.objects.filter(pk=options["period"]).first()
            if period is None:
                raise CommandError(f"No period {options['period']}.")
            return period
        if not options["plant"] or not options["start"]:
            raise CommandError("Give --period, or --plant and --start.")
        plant = self._plant(options["plant"], options["company"])
        try:
            start = date.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError("--start is YYYY-MM-DD.") from exc
        period = BillingPeriod.objects.filter(plant=plant, start=start).first()
        if period is not None:
            return period
        if not options["create"]:
            raise CommandError(f"{plant.key} has no period from {start}; add --create.")
        return billing_period_create(plant=plant, start=start, by=None)

    def _plant(self, key: str, company: str | None) -> Plant:
        key = key.upper()
        plants = Plant.objects.filter(state__code=key[:2], code=key[2:])
        if company:
            plants = plants.filter(company__code=company)
        found = list(plants.select_related("state")[:2])
        if not found:
            raise CommandError(f"No plant {key}.")
        if len(found) > 1:
            raise CommandError(f"Several companies have {key}; give --company.")
        return found[0]
