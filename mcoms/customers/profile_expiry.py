"""The sweep of profile changes whose codes died (decision 0037).

A staff member's edit, or a customer's new number, waits for codes that live
``OTP_TTL_MINUTES`` (``customers/profile.py``). A change nobody confirmed
stays "pending" in the table until someone opens it, makes a new change for
the customer or runs this sweep, which closes every waiting change past its
time as expired, exactly as opening it would. Run it from cron
(``manage.py expire_profile_changes``) or as the task
``expire_profile_changes_task`` on the worker.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from mcoms.customers.models import ProfileChange, ProfileChangeState
from mcoms.org.models import Company

NOTE = "The codes expired."


@transaction.atomic
def profile_changes_expire(
    *, company: Company | None = None, now: datetime | None = None
) -> int:
    """Close every waiting change whose codes died by ``now`` as expired;
    returns how many. One UPDATE guarded by the state: a change confirmed
    or cancelled meanwhile is left as it is, and running it twice changes
    nothing the second time."""
    now = now or timezone.now()
    qs = ProfileChange.objects.filter(
        state=ProfileChangeState.PENDING, expires_at__lte=now
    )
    if company is not None:
        qs = qs.filter(company=company)
    return qs.update(state=ProfileChangeState.EXPIRED, closed_at=now, note=NOTE)


@task()
def expire_profile_changes_task(company_code: str | None = None) -> dict[str, int]:
    """The sweep on the task worker (``manage.py db_worker``)."""
    company = Company.objects.get(code=company_code) if company_code else None
    return {"expired": profile_changes_expire(company=company)}
