"""Customer status (seed 2.2.3, manual 3.5.6): de-activation and re-activation
through the approval chain, and the scheduled credit-limit flag.

* The two request kinds (registered in ``workflow_kinds.py``) validate on
  raise and change the customer on execute, with the acting user in the
  customer's history and an SMS to the customer after commit.
* ``customers_flag_over_credit_limit`` marks active customers whose outstanding
  (the balances of their receivable accounts) exceeds their package's credit
  limit "to de-activate", and clears the mark once they are back within it.
  It runs from cron (``manage.py flag_credit_limits``) or as the task
  ``flag_credit_limits_task`` on the worker (docs/workflow.md).
* The reads of the flags (lists and counts per plant) are here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from simple_history.utils import bulk_update_with_history

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.money import quantize
from mcoms.core.services import validated_save
from mcoms.customers.models import Customer, CustomerStatus, StatusReason
from mcoms.customers.selectors import customers_for
from mcoms.ledger.models import Account, AccountKind, HolderType, Service
from mcoms.notifications.models import Channel
from mcoms.notifications.services import message_queue
from mcoms.org.access import plants_for, require
from mcoms.org.models import Company, Plant, User
from mcoms.org.permissions import Action
from mcoms.workflow.kinds import RaiseInput
from mcoms.workflow.models import Request

DEACTIVATION = "deactivation"
REACTIVATION = "reactivation"
INACTIVE_STATES = (CustomerStatus.INACTIVE, CustomerStatus.BANNED)


# --- raising: what a request may ask -----------------------------------------------
def _reason(payload: dict[str, Any]) -> str:
    reason = payload.get("reason")
    if reason not in StatusReason.values:
        raise ValidationFailed(
            "status_reason_unknown",
            f"Choose a reason: {', '.join(StatusReason.values)}.",
            field="reason",
        )
    return str(reason)


def _refuse_unknown(payload: dict[str, Any], known: set[str]) -> None:
    unknown = sorted(set(payload) - known)
    if unknown:
        raise ValidationFailed(
            "payload_field_unknown",
            f"Unknown detail {unknown[0]!r:.40}.",
            field=unknown[0],
        )


def _subject(data: RaiseInput) -> Customer:
    if not isinstance(data.subject, Customer):
        raise ValidationFailed(
            "request_customer_missing", "Name the customer.", field="customer"
        )
    return data.subject


def deactivation_validate(data: RaiseInput) -> dict[str, Any]:
    """Only an active customer; ``reason`` from StatusReason; ``ban`` (bool)."""
    _refuse_unknown(data.payload, {"reason", "ban"})
    reason = _reason(data.payload)
    ban = data.payload.get("ban", False)
    if not isinstance(ban, bool):
        raise ValidationFailed("ban_invalid", "Ban is true or false.", field="ban")
    customer = _subject(data)
    if customer.status != CustomerStatus.ACTIVE:
        raise Conflict(
            "customer_not_active",
            f"Customer {customer.customer_id} is not active.",
            field="customer",
        )
    return {"reason": reason, "ban": ban}


def reactivation_validate(data: RaiseInput) -> dict[str, Any]:
    """Only an inactive or banned customer; ``reason`` from StatusReason."""
    _refuse_unknown(data.payload, {"reason"})
    reason = _reason(data.payload)
    customer = _subject(data)
    if customer.status not in INACTIVE_STATES:
        raise Conflict(
            "customer_not_inactive",
            f"Customer {customer.customer_id} is not inactive or banned.",
            field="customer",
        )
    return {"reason": reason}


def status_describe(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The details of a status request as people read them."""
    lines = []
    if payload.get("reason") in StatusReason.values:
        lines.append((str(_("Reason")), str(StatusReason(payload["reason"]).label)))
    if "ban" in payload:
        lines.append((str(_("Ban")), str(_("Yes") if payload["ban"] else _("No"))))
    return lines


def status_exclusive_key(data: RaiseInput) -> str:
    """One open status request (either kind) per customer at a time."""
    return f"customer-status:{_subject(data).pk}"


# --- executing: the change of status ------------------------------------------------
def _lock_customer(pk: int) -> Customer:
    return (
        Customer.objects.select_for_update(of=("self",))
        .select_related("company")
        .get(pk=pk)
    )


def _set_status(
    customer: Customer, *, status: str, reason: str, by: User, note: str
) -> None:
    customer.status = status
    customer.status_reason = reason
    customer.status_changed_at = timezone.now()
    if status != CustomerStatus.ACTIVE:
        customer.flagged_at = None  # the flag has done its work
        customer.flagged_outstanding = None
    validated_save(customer, by=by, reason=note)


def _change(req: Request, by: User, *, allowed_from: Iterable[str], to: str) -> dict:
    """Move the request's customer to ``to``. A second run (after a reviewer
    sent the request back) finds the change made and changes nothing."""
    assert req.subject_id is not None  # noqa: S101 (the kinds need a subject)
    customer = _lock_customer(req.subject_id)
    if req.result.get("status") == customer.status == to:
        return dict(req.result)
    if customer.status not in allowed_from:
        raise Conflict(
            "customer_status_changed",
            f"Customer {customer.customer_id} is {customer.status} now.",
        )
    result = {
        "previous_status": customer.status,
        "previous_reason": customer.status_reason,
        "status": to,
    }
    reason = req.payload["reason"] if to != CustomerStatus.ACTIVE else ""
    _set_status(
        customer, status=to, reason=reason, by=by, note=f"{req.number} {req.kind}"
    )
    status_sms_queue(customer=customer, reason=req.payload["reason"])
    return result


def deactivation_perform(req: Request, by: User) -> dict[str, Any]:
    to = CustomerStatus.BANNED if req.payload.get("ban") else CustomerStatus.INACTIVE
    return _change(req, by, allowed_from=(CustomerStatus.ACTIVE,), to=to)


def reactivation_perform(req: Request, by: User) -> dict[str, Any]:
    return _change(req, by, allowed_from=INACTIVE_STATES, to=CustomerStatus.ACTIVE)


def status_revert(req: Request, by: User) -> None:
    """An executed request rejected for good: the customer gets back the status
    they had, unless someone has changed it since (then it is left alone)."""
    assert req.subject_id is not None  # noqa: S101
    customer = _lock_customer(req.subject_id)
    if customer.status != req.result.get("status"):
        return
    _set_status(
        customer,
        status=req.result["previous_status"],
        reason=req.result.get("previous_reason", ""),
        by=by,
        note=f"{req.number} rejected: status restored",
    )
    status_sms_queue(customer=customer, reason=req.payload["reason"])


def status_sms_queue(*, customer: Customer, reason: str) -> None:
    """Tell the customer their connection's new status (sent after commit)."""
    template = (
        "customer_reactivated"
        if customer.status == CustomerStatus.ACTIVE
        else "customer_deactivated"
    )
    with translation.override(customer.language):
        reason_text = str(StatusReason(reason).label)
    message_queue(
        channel=Channel.SMS,
        template=template,
        phone=str(customer.phone),
        language=customer.language,
        context={
            "name": customer.name,
            "customer_id": customer.customer_id,
            "reason": reason_text,
            "banned": customer.status == CustomerStatus.BANNED,
            "company": customer.company.name,
            "helpline": customer.company.helpline,
        },
    )


# --- the credit-limit flag ----------------------------------------------------------
@dataclass(frozen=True)
class FlagCounts:
    checked: int  # active customers with a package
    over: int  # of those, over their credit limit now
    flagged: int  # newly flagged by this run
    updated: int  # still flagged, outstanding changed
    cleared: int  # flag removed (back within the limit, inactive, no package)


def outstanding_by_customer(
    company: Company | None = None,
    customers: QuerySet[Customer] | None = None,
) -> dict[tuple[int, str], Decimal]:
    """(company id, customer ID) -> the sum of the customer's receivable balances
    (every service but the deposit), in one aggregate query. The balances are
    the ledger's cached sums, which ``ledger_check`` proves against the entries.
    ``customers`` narrows it to those customers."""
    accounts = Account.objects.filter(
        holder_type=HolderType.CUSTOMER, kind=AccountKind.ASSET
    ).exclude(service=Service.DEPOSIT)
    if company is not None:
        accounts = accounts.filter(company=company)
    if customers is not None:
        accounts = accounts.filter(holder_ref__in=customers.values("customer_id"))
    rows = (
        accounts.order_by()
        .values("company_id", "holder_ref")
        .annotate(total=Sum("balance"))
    )
    return {
        (r["company_id"], r["holder_ref"]): quantize(Decimal(r["total"])) for r in rows
    }


@transaction.atomic
def customers_flag_over_credit_limit(
    *,
    company: Company | None = None,
    now: datetime | None = None,
    customers: QuerySet[Customer] | None = None,
) -> FlagCounts:
    """Flag active customers over their package's credit limit; clear the flag
    of those back within it (or no longer active, or without a package).
    ``customers`` narrows the check to them (after one payment, one plant's
    billing run)."""
    now = now or timezone.now()
    owed = outstanding_by_customer(company, customers)
    qs = Customer.objects.filter(
        Q(status=CustomerStatus.ACTIVE, package__isnull=False)
        | Q(flagged_at__isnull=False)
    )
    if company is not None:
        qs = qs.filter(company=company)
    if customers is not None:
        qs = qs.filter(pk__in=customers.values("pk"))
    rows = qs.values_list(
        "pk",
        "company_id",
        "customer_id",
        "status",
        "package__credit_limit",
        "flagged_at",
        "flagged_outstanding",
    )
    changes: dict[int, tuple[datetime | None, Decimal | None]] = {}
    counts = dict.fromkeys(("checked", "over", "flagged", "updated", "cleared"), 0)
    for (
        pk,
        company_id,
        cid,
        status,
        limit,
        flagged_at,
        flagged_amount,
    ) in rows.iterator():
        eligible = status == CustomerStatus.ACTIVE and limit is not None
        amount = owed.get((company_id, cid), Decimal("0.00"))
        counts["checked"] += eligible
        if eligible and amount > limit:
            counts["over"] += 1
            if flagged_at is None:
                changes[pk] = (now, amount)
                counts["flagged"] += 1
            elif flagged_amount != amount:
                changes[pk] = (flagged_at, amount)
                counts["updated"] += 1
        elif flagged_at is not None:
            changes[pk] = (None, None)
            counts["cleared"] += 1
    _write_flags(changes)
    return FlagCounts(**counts)


def _write_flags(changes: dict[int, tuple[datetime | None, Decimal | None]]) -> None:
    """Bulk update with one history row per changed customer."""
    ids = sorted(changes)
    for i in range(0, len(ids), 1000):
        objs = list(Customer.objects.filter(pk__in=ids[i : i + 1000]))
        for obj in objs:
            obj.flagged_at, obj.flagged_outstanding = changes[obj.pk]
        bulk_update_with_history(
            objs,
            Customer,
            ["flagged_at", "flagged_outstanding"],
            batch_size=500,
            default_change_reason="credit-limit check",
        )


@task()
def flag_credit_limits_task(company_code: str | None = None) -> dict[str, int]:
    """The flag job on the task worker (``manage.py db_worker``)."""
    company = Company.objects.get(code=company_code) if company_code else None
    return asdict(customers_flag_over_credit_limit(company=company))


# --- reads of the flags -------------------------------------------------------------
def flagged_customers_for(user: Any) -> QuerySet[Customer]:
    """Active customers flagged "to de-activate" in the user's scope, the
    largest outstanding first. Staff only."""
    require(user, Action.CUSTOMER_VIEW)
    return (
        customers_for(user)
        .filter(status=CustomerStatus.ACTIVE, flagged_at__isnull=False)
        .select_related("package")
        .order_by("-flagged_outstanding", "customer_id")
    )


def plants_with_flag_counts(user: Any) -> QuerySet[Plant]:
    """The user's plants with their number of flagged active customers."""
    flagged = Q(
        customers__status=CustomerStatus.ACTIVE, customers__flagged_at__isnull=False
    )
    return plants_for(user, Action.CUSTOMER_VIEW).annotate(
        flagged=Count("customers", filter=flagged),
        active=Count("customers", filter=Q(customers__status=CustomerStatus.ACTIVE)),
    )
