"""Close the profile changes whose codes expired (decision 0037).

Run it every few minutes from cron, or hand it to the task worker with
``--enqueue`` (docs/customers.md, "Waiting changes that expire")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mcoms.customers.profile_expiry import (
    expire_profile_changes_task,
    profile_changes_expire,
)
from mcoms.org.models import Company


class Command(BaseCommand):
    help = "Mark waiting profile changes whose codes expired as expired."

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
            result = expire_profile_changes_task.enqueue(company_code=code)
            self.stdout.write(f"Queued the profile-change sweep {result.id}.")
            return
        expired = profile_changes_expire(company=company)
        self.stdout.write(f"expired {expired}")
