"""The billing run on the task worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from mcoms.billing.models import BillingRun
from mcoms.billing.services import billing_run_work


@task()
def billing_run_task(run_id: int) -> dict[str, int]:
    """Work the run to the end (resuming where a killed worker stopped)."""
    run = BillingRun.objects.select_related("period__plant").get(pk=run_id)
    result = billing_run_work(run=run)
    return {"billed": result.billed, "done": result.run.done, "total": result.run.total}
