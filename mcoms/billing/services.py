"""Billing writes: periods, runs (start, work, resume), adjustments.

A run is started once per period (``billing_run_start``) and worked by
``billing_run_work`` in chunks, each one transaction that locks the run row,
picks the next customers still without a bill for the period, and writes
their journals, bills, lines and numbers. Killed at any point, the committed
chunks stay and the rest is picked up by the next ``billing_run_work``; two
workers on one run take turns on the run lock and never pick the same
customer; the unique constraint on (customer, period) backs it up. The last
chunk marks the run DONE and the after-run hooks follow. Working a DONE run
again checks it and writes nothing.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from mcoms.billing import chunk, hooks, write
from mcoms.billing.locks import plant_locked, run_locked
from mcoms.billing.models import (
    BILLED_SERVICES,
    Adjustment,
    Bill,
    BillingPeriod,
    BillingRun,
    RunStatus,
)
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.money import parse_amount
from mcoms.customers.models import Customer
from mcoms.org.models import Plant

CHUNK = 2000
MAX_PERIOD_DAYS = 92
Progress = Callable[[int, int], None]


# --- periods ----------------------------------------------------------------------
def month_after(day: date) -> date:
    """The same day a month later (the month's last day if it is shorter)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plant_today(plant: Plant) -> date:
    return timezone.now().astimezone(ZoneInfo(plant.timezone)).date()


def _is_day(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _check_dates(start: Any, end: Any) -> tuple[date, date]:
    if not _is_day(start):
        raise ValidationFailed(
            "period_start_invalid", "Give a start date.", field="start"
        )
    end = month_after(start) if end is None else end
    if not _is_day(end):
        raise ValidationFailed("period_end_invalid", "Give an end date.", field="end")
    if end <= start:
        raise ValidationFailed(
            "period_end_before_start",
            "A period ends after it starts.",
            field="end",
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            "period_too_long",
            f"A billing period is at most {MAX_PERIOD_DAYS} days.",
            field="end",
        )
    return start, end


def billing_period_create(
    *,
    plant: Plant,
    start: date,
    end: date | None = None,
    due_days: int = 15,
    by: Any,
) -> BillingPeriod:
    """A period ``[start, end)`` of local dates at ``plant``; ``end`` defaults
    to a month after ``start``. Refused if it overlaps another of the plant's
    periods (the plant row is locked, so two at once cannot both pass)."""
    start, end = _check_dates(start, end)
    if (
        not isinstance(due_days, int)
        or isinstance(due_days, bool)
        or not (0 <= due_days <= 90)
    ):
        raise ValidationFailed(
            "period_due_days_invalid", "Days to pay: 0 to 90.", field="due_days"
        )
    with transaction.atomic():
        plant = plant_locked(plant.pk)
        clash = BillingPeriod.objects.filter(
            plant=plant, start__lt=end, end__gt=start
        ).first()
        if clash is not None:
            raise Conflict(
                "period_overlaps",
                f"{plant.key} already has a period {clash.start:%d/%m/%Y}–"
                f"{clash.last_day:%d/%m/%Y} overlapping these dates.",
                field="start",
            )
        return BillingPeriod.objects.create(
            company_id=plant.company_id,
            plant=plant,
            start=start,
            end=end,
            due_days=due_days,
            created_by=by if getattr(by, "pk", None) else None,
        )


# --- runs -------------------------------------------------------------------------
def _refuse_early(period: BillingPeriod) -> None:
    if plant_today(period.plant) < period.end:
        raise Conflict(
            "period_not_ended",
            f"The period ends on {period.last_day:%d/%m/%Y}; bill it after that day.",
        )
    unfinished = BillingRun.objects.filter(
        period__plant_id=period.plant_id,
        period__start__lt=period.start,
        status=RunStatus.STARTED,
    ).first()
    if unfinished is not None:
        raise Conflict(
            "earlier_run_unfinished",
            f"Finish the run of {unfinished.period.label} first.",
        )


def billing_run_start(
    *, period: BillingPeriod, by: Any, enqueue: bool = False
) -> BillingRun:
    """The period's run: made and STARTED the first time; a STARTED run
    (killed, or still working) is resumed; a DONE run is returned as it is,
    writing nothing. ``enqueue``: hand the work to the task worker after
    commit."""
    existing = BillingRun.objects.filter(period=period).first()
    if existing is not None and existing.status == RunStatus.DONE:
        return existing
    _refuse_early(period)
    with transaction.atomic():
        run = _run_made_or_locked(period, by)
        if enqueue and run.status == RunStatus.STARTED:
            transaction.on_commit(lambda: _enqueue(run.pk))
        return run


def _run_made_or_locked(period: BillingPeriod, by: Any) -> BillingRun:
    now = timezone.now()
    try:
        with transaction.atomic():
            return BillingRun.objects.create(
                period=period,
                started_at=now,
                touched_at=now,
                started_by=by if getattr(by, "pk", None) else None,
                total=chunk.billable(period).count(),
            )
    except IntegrityError:
        run = run_locked(BillingRun.objects.get(period=period).pk)
    if run.status == RunStatus.STARTED:
        run.attempts += 1
        run.touched_at, run.error = now, ""
        run.done = Bill.objects.filter(period=period).count()
        run.total = run.done + chunk.unbilled(period).count()
        run.save(update_fields=["attempts", "touched_at", "error", "done", "total"])
    return run


def _enqueue(run_pk: int) -> None:
    from mcoms.billing.tasks import billing_run_task

    billing_run_task.enqueue(run_pk)


@dataclass(frozen=True)
class WorkResult:
    run: BillingRun
    billed: int  # bills this call wrote
    missing: int  # a DONE run: billable customers found without a bill


def billing_run_work(
    *, run: BillingRun, chunk_size: int = CHUNK, progress: Progress | None = None
) -> WorkResult:
    """Bill the run's customers chunk by chunk until none is left, then mark
    the run DONE and call the after-run hooks. A DONE run is only checked."""
    if BillingRun.objects.get(pk=run.pk).status == RunStatus.DONE:
        return WorkResult(run, 0, chunk.unbilled(run.period).count())
    ctx = chunk.Context.load(run)
    billed = 0
    while True:
        try:
            n, finished = _one_chunk(ctx, chunk_size)
        except Exception as exc:
            _record_error(run, exc)
            raise
        billed += n
        if progress is not None:
            progress(ctx.run.done, ctx.run.total)
        if finished:
            break
    hooks.after_run(ctx.run)
    return WorkResult(ctx.run, billed, 0)


def _one_chunk(ctx: chunk.Context, size: int) -> tuple[int, bool]:
    """Bill the next chunk in one transaction: (customers billed, run done)."""
    with transaction.atomic():
        run = run_locked(ctx.run.pk)
        ctx.run = run
        if run.status == RunStatus.DONE:
            return 0, True
        rows = chunk.next_rows(ctx.period, size)
        now = timezone.now()
        if not rows:
            run.status, run.finished_at, run.touched_at = RunStatus.DONE, now, now
            run.done = Bill.objects.filter(period=ctx.period).count()
            run.total = max(run.total, run.done)
            run.save(
                update_fields=["status", "finished_at", "touched_at", "done", "total"]
            )
            return 0, True
        drafts = chunk.compose(ctx, rows)
        write.write(ctx, rows, drafts)
        run.done += len(rows)
        run.total = max(run.total, run.done)
        run.touched_at = now
        run.save(update_fields=["done", "total", "touched_at"])
        return len(rows), False


def _record_error(run: BillingRun, exc: Exception) -> None:
    text = f"{type(exc).__name__}: {exc}"[:500]
    BillingRun.objects.filter(pk=run.pk, status=RunStatus.STARTED).update(error=text)


# --- adjustments ------------------------------------------------------------------
def _signed_amount(raw: Any) -> Decimal:
    """An amount as typed, with an optional minus sign for a credit."""
    if isinstance(raw, float):
        raise ValidationFailed(
            "amount_not_decimal", "Amounts must be sent as strings.", field="amount"
        )
    text = str(raw).strip()
    negative = text.startswith("-")
    magnitude = parse_amount(text[1:] if negative else text, field="amount")
    return -magnitude if negative else magnitude


def adjustment_add(
    *,
    customer: Customer,
    service: str,
    amount: Any,
    description: str,
    idempotency_key: str,
    by: Any,
) -> tuple[Adjustment, bool]:
    """A charge (positive) or credit (negative) for the customer's next bill.
    Idempotent per key: a retry returns the first adjustment and False."""
    services = {code for code, _label in BILLED_SERVICES}
    if service not in services:
        raise ValidationFailed(
            "service_invalid",
            f"Service is one of {', '.join(sorted(services))}.",
            field="service",
        )
    value = _signed_amount(amount)
    description = (description or "").strip()
    if not description or len(description) > 200:
        raise ValidationFailed(
            "description_invalid",
            "Describe it in 1-200 characters.",
            field="description",
        )
    key = (idempotency_key or "").strip()
    if not key or len(key) > 120:
        raise ValidationFailed(
            "idempotency_key_invalid", "An idempotency key of 1-120 characters."
        )
    fields = {"customer": customer, "service": service, "amount": value}
    try:
        with transaction.atomic():
            return Adjustment.objects.create(
                company_id=customer.company_id,
                description=description,
                idempotency_key=key,
                created_by=by if getattr(by, "pk", None) else None,
                **fields,
            ), True
    except IntegrityError:
        first = Adjustment.objects.get(
            company_id=customer.company_id, idempotency_key=key
        )
    if (first.customer_id, first.service, first.amount) != (
        customer.pk,
        service,
        value,
    ):
        raise Conflict(
            "idempotency_key_reused", "This key was used for another adjustment."
        ) from None
    return first, False
