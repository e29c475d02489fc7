"""Stages 7 and 8: the meter or load limiter from the plant's stock, the
connection steps of manual 3.5.5 (At Pole -> House wire -> Service Wire ->
Review), the installation, and the activation with its charges on the ledger.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from mcoms.acquisition import notify
from mcoms.acquisition.models import (
    CONNECTION_STEPS,
    ConnectionStep,
    EventKind,
    Prospect,
    ProspectStatus,
    Stage,
)
from mcoms.acquisition.services import _base
from mcoms.acquisition.services.pipeline import _release_meter
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.ledger import services as ledger
from mcoms.ledger.models import AccountKind, HolderType, Journal, Service
from mcoms.metering import services as metering
from mcoms.metering.models import Meter
from mcoms.metering.selectors import kinds_for_billing_type

# The steps recorded one by one; Review comes with the installation.
PHYSICAL_STEPS = CONNECTION_STEPS[:3]


def _expect_account(prospect: Prospect, what: str) -> None:
    """Steps of stage 7 need the account (stage 6) and no meter installed yet."""
    _base.begin(prospect, Stage.METER)
    if prospect.customer is None:
        raise Conflict(
            "stage_wrong_order", f"{prospect.ref} needs its account before {what}."
        )


@transaction.atomic
def prospect_meter_assign(
    *, prospect: Prospect, meter: Meter, idempotency_key: str = "", by: Any
) -> Prospect:
    """Stage 7, first half: pick a meter (metered packages) or a load limiter
    (pre-paid and unmetered ones) from the plant's stock and assign it to the
    connection; a meter picked before and not installed goes back to stock.
    The technical team is told to install it."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.METER, EventKind.METER_ASSIGNED):
        return prospect
    _expect_account(prospect, "a meter")
    assert prospect.package is not None  # noqa: S101 - stage 5 is done
    kinds = kinds_for_billing_type(prospect.package.billing_type)
    if meter.kind not in kinds:
        raise ValidationFailed(
            "meter_kind_mismatch",
            f"Package {prospect.package.package_id} needs a "
            f"{' or '.join(sorted(k.replace('_', ' ') for k in kinds))}, "
            f"not a {meter.get_kind_display().lower()}.",
            field="meter",
        )
    if (
        prospect.meter_assignment is not None
        and prospect.meter_assignment.meter_id == meter.pk
    ):
        return prospect
    _release_meter(prospect, by=by, reason=f"{prospect.ref}: another meter picked")
    customer = prospect.customer
    assert customer is not None  # noqa: S101 - checked above
    assignment = metering.meter_assign(meter=meter, customer=customer, by=by)
    prospect.meter_assignment = assignment
    _base.record(
        prospect,
        Stage.METER,
        EventKind.METER_ASSIGNED,
        by=by,
        data={"meter": meter.serial, "kind": meter.kind},
        key=key,
    )
    _base.save(prospect, by=by, reason=f"meter {meter.serial}")
    notify.tell_team(prospect, task=Stage.METER, by=by)
    return prospect


@transaction.atomic
def prospect_connection_step(
    *,
    prospect: Prospect,
    step: str,
    note: str = "",
    idempotency_key: str = "",
    by: Any,
) -> Prospect:
    """Record the next physical step: At Pole, then House wire, then Service
    Wire. (Review follows the meter installation.)"""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.METER, EventKind.STEP):
        return prospect
    _expect_account(prospect, "the connection work")
    if step not in ConnectionStep.values:
        raise ValidationFailed(
            "connection_step_unknown", f"Unknown step {step!r:.30}.", field="step"
        )
    current = prospect.connection_step
    done = CONNECTION_STEPS.index(current) + 1 if current else 0
    expected = CONNECTION_STEPS[done] if done < len(PHYSICAL_STEPS) else None
    if step != expected:
        raise Conflict(
            "connection_step_wrong_order",
            f"{prospect.ref}: "
            + (
                f"{ConnectionStep(expected).label} comes next."
                if expected
                else "Review follows the meter installation."
            ),
            field="step",
        )
    prospect.connection_step = step
    _base.record(
        prospect, Stage.METER, EventKind.STEP, step=step, by=by, note=note, key=key
    )
    return _base.save(prospect, by=by, reason=f"connection {step}")


@transaction.atomic
def prospect_meter_install(
    *,
    prospect: Prospect,
    initial_reading: Any = "0",
    idempotency_key: str = "",
    by: Any,
) -> Prospect:
    """Stage 7 done: the assigned meter is mounted after the service wire; its
    first reading is kept. The connection goes to Review and the technical
    team and the cluster in-charge are told to confirm it."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.METER, EventKind.DONE):
        return prospect
    _expect_account(prospect, "the installation")
    if prospect.meter_assignment is None:
        raise Conflict(
            "meter_not_assigned",
            f"Pick a meter or load limiter for {prospect.ref} first.",
            field="meter",
        )
    if prospect.connection_step != ConnectionStep.SERVICE_WIRE:
        raise Conflict(
            "connection_step_wrong_order",
            f"{prospect.ref}: record At Pole, House wire and Service Wire first.",
            field="step",
        )
    assignment = metering.meter_install(
        assignment=prospect.meter_assignment, initial_reading=initial_reading, by=by
    )
    prospect.meter_assignment = assignment
    prospect.connection_step = ConnectionStep.REVIEW
    data = {
        "meter": assignment.meter.serial,
        "initial_reading": str(assignment.initial_reading),
    }
    _base.complete(prospect, Stage.METER, later=False, by=by, data=data, key=key)
    _base.record(
        prospect, Stage.METER, EventKind.STEP, step=ConnectionStep.REVIEW, by=by
    )
    _base.save(prospect, by=by, reason="meter installed")
    notify.tell_team(prospect, task=Stage.ACTIVATION, by=by)
    return prospect


@transaction.atomic
def prospect_activate(
    *, prospect: Prospect, idempotency_key: str = "", by: Any
) -> Prospect:
    """Stage 8: the technician confirms the connection. The customer turns
    active (on the plant register, ``activated_at``); the activation charge and
    the security deposit become due on the ledger, each as one balanced
    journal keyed by the prospect, so a retry posts nothing twice."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.ACTIVATION, EventKind.DONE):
        return prospect
    _base.begin(prospect, Stage.ACTIVATION)
    assert prospect.customer is not None  # noqa: S101 - stage 7 is done
    customer = Customer.objects.select_for_update().get(pk=prospect.customer.pk)
    now = timezone.now()
    customer.status, customer.status_reason = CustomerStatus.ACTIVE, ""
    customer.activated_at = customer.status_changed_at = now
    customer._history_user = by  # type: ignore[attr-defined]
    customer._change_reason = f"activated ({prospect.ref})"  # type: ignore[attr-defined]
    customer.save(
        update_fields=["status", "status_reason", "activated_at", "status_changed_at"]
    )
    prospect.customer = customer
    journals = post_charges(prospect, by=by)
    prospect.status, prospect.activated_at = ProspectStatus.ACTIVE, now
    data = {"journals": [j.pk for j in journals]}
    _base.complete(prospect, Stage.ACTIVATION, later=False, by=by, data=data, key=key)
    _base.save(prospect, by=by, reason="activated")
    notify.tell_customer(prospect, "acq_active")
    return prospect


def charge_keys(prospect: Prospect) -> tuple[str, str]:
    """The ledger idempotency keys of a prospect's activation charge and
    security deposit."""
    return f"acq:{prospect.ref}:act", f"acq:{prospect.ref}:dep"


def post_charges(prospect: Prospect, *, by: Any) -> list[Journal]:
    """ACT: debit the customer's ACT receivable, credit the plant's ACT
    revenue. Deposit: debit the customer's deposit receivable, credit the
    customer's deposit liability (decision 0016). A zero amount posts nothing."""
    customer = prospect.customer
    assert customer is not None  # noqa: S101
    plant, company = prospect.plant, prospect.plant.company
    act_key, dep_key = charge_keys(prospect)
    posted = []
    act = prospect.activation_amount or Decimal(0)
    if act > 0:
        receivable = ledger.account_for_customer(
            company=company,
            customer_id=customer.customer_id,
            plant=plant,
            service=Service.ACTIVATION,
        )
        revenue = ledger.account_for_plant_revenue(
            plant=plant, service=Service.ACTIVATION
        )
        journal, _created = ledger.journal_post_once(
            company=company,
            idempotency_key=act_key,
            lines=[(receivable, act), (revenue, -act)],
            kind="activation_charge",
            memo=f"Activation charge, {customer.customer_id} ({prospect.ref})",
            posted_by=by,
        )
        posted.append(journal)
    deposit = prospect.deposit_amount or Decimal(0)
    if deposit > 0:
        journal, _created = ledger.journal_post_once(
            company=company,
            idempotency_key=dep_key,
            lines=[
                (deposit_receivable(customer), deposit),
                (
                    ledger.account_for_customer_deposit(
                        company=company, customer_id=customer.customer_id, plant=plant
                    ),
                    -deposit,
                ),
            ],
            kind="security_deposit_due",
            memo=f"Security deposit due, {customer.customer_id} ({prospect.ref})",
            posted_by=by,
        )
        posted.append(journal)
    return posted


def deposit_receivable(customer: Customer) -> Any:
    """The customer's deposit receivable (asset, service DEP): what they owe
    towards the deposit. ``account_for_customer(service=DEP)`` is the
    liability, so this account is made here, named like the other receivables."""
    return ledger.account_get_or_create(
        company=customer.plant.company,
        code=f"CUS:{customer.customer_id}:AR:{Service.DEPOSIT}",
        name=f"{customer.customer_id} receivable, {Service.DEPOSIT.label}",
        kind=AccountKind.ASSET,
        holder_type=HolderType.CUSTOMER,
        holder_ref=customer.customer_id,
        service=Service.DEPOSIT,
        plant=customer.plant,
    )
