from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mcoms.customers.models import Customer
from mcoms.demo.builder import DEMO_PASSWORD
from mcoms.org.models import Designation, Staff


class Command(BaseCommand):
    help = "Print one demo login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            f"Demo logins (password for every staff login: {DEMO_PASSWORD})"
        )
        staff = Staff.objects.filter(company__code="tara-demo").select_related("user")
        for designation in Designation:
            member = staff.filter(designation=designation).order_by("pk").first()
            if member is None:
                continue
            app = (
                "/backoffice/"
                if designation
                in (
                    Designation.CLUSTER_INCHARGE,
                    Designation.STATE_INCHARGE,
                    Designation.HO_MANAGER,
                    Designation.ADMIN,
                )
                else "/field/"
            )
            self.stdout.write(
                f"  {designation.label:<24} {member.user.username:<18} {app}"
            )
        customer = (
            Customer.objects.filter(company__code="tara-demo").order_by("pk").first()
        )
        if customer is not None:
            self.stdout.write(
                f"  {'Customer':<24} {customer.phone!s:<18} /selfcare/ "
                "(the OTP appears in the worker's console)"
            )
