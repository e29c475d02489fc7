"""Flag active customers over their credit limit "to de-activate" (seed 2.2.3).

Run it once a day from cron, or hand it to the task worker with ``--enqueue``
(docs/workflow.md, "Scheduling the credit-limit check")."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mcoms.customers.status import (
    customers_flag_over_credit_limit,
    flag_credit_limits_task,
)
from mcoms.org.models import Company


class Command(BaseCommand):
    help = "Flag customers whose outstanding exceeds their package's credit limit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Only this company (its code).")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the job for the task worker instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["company"]
        company = None
        if code:
            company = Company.objects.filter(code=code).first()
            if company is None:
                raise CommandError(f"No company {code!r}.")
        if options["enqueue"]:
            result = flag_credit_limits_task.enqueue(company_code=code)
            self.stdout.write(f"Queued credit-limit check {result.id}.")
            return
        counts = asdict(customers_flag_over_credit_limit(company=company))
        self.stdout.write(", ".join(f"{k} {v}" for k, v in counts.items()))
