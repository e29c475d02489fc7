"""Stages 1 to 6 of the pipeline (survey to account), rejection and reopening.

Every service is one transaction: lock the prospect, judge the step (its turn,
its input), change the prospect, write the stage event, queue the messages.
Bad input raises a ``DomainError`` with a stable code and changes nothing.
Permissions are the interfaces' (see ``selectors.action_for_stage``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from mcoms.acquisition import notify
from mcoms.acquisition.models import (
    Channel,
    EventKind,
    IdType,
    Prospect,
    ProspectStatus,
    Stage,
)
from mcoms.acquisition.services import _base, checks
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.money import KWH, quantize
from mcoms.customers.models import Customer, CustomerStatus, Segment, StatusReason
from mcoms.customers.services import customer_create
from mcoms.metering import services as metering
from mcoms.notifications.phones import phone_normalise
from mcoms.org.models import Language, Plant, Pole
from mcoms.packages import ids as package_ids
from mcoms.packages import tariff
from mcoms.packages.models import BillingType, DepositRule, Package


# --- stage 1: catchment survey ------------------------------------------------------
def prospect_create(
    *,
    plant: Plant,
    name: str,
    phone: str,
    pole: Pole | None,
    distance_m: Any,
    segment: str = Segment.HOUSEHOLD,
    language: str = Language.HINDI,
    address: str = "",
    appliances: Any = None,
    hours_per_day: Any = None,
    anticipated_load_w: Any = None,
    distance_override: str = "",
    idempotency_key: str = "",
    by: Any,
) -> tuple[Prospect, bool]:
    """Stage 1: a prospect found in the catchment survey, near a pole of the
    plant (at most 30 m unless ``distance_override`` says why). Returns the
    prospect and whether it is new (a retry with the same key: the first)."""
    key = _base.check_key(idempotency_key)
    pole = checks.pole_at_plant(plant, pole)
    metres, override = checks.distance(distance_m, distance_override)
    energy = checks.needs(appliances, hours_per_day, anticipated_load_w)
    prospect = _new(
        plant,
        name=name,
        phone=phone,
        segment=segment,
        language=language,
        address=address,
        key=key,
        by=by,
    )
    prospect.pole, prospect.distance_m, prospect.distance_override = (
        pole,
        metres,
        override,
    )
    for field, value in energy.items():
        setattr(prospect, field, value)
    prospect.stage = Stage.SURVEY
    with transaction.atomic():
        found = _base.existing(plant.company_id, key)
        if found is not None:
            return found, False
        prospect, created = _insert(prospect, key, by=by)
        if created:
            _base.record(prospect, Stage.SURVEY, EventKind.DONE, by=by)
            notify.tell_team(prospect, task=Stage.MARKETING, by=by)
        return prospect, created


def _new(
    plant: Plant,
    *,
    name: str,
    phone: str,
    segment: str,
    language: str,
    address: str,
    key: str,
    by: Any,
) -> Prospect:
    """An unsaved prospect with the checked contact details."""
    return Prospect(
        company_id=plant.company_id,
        plant=plant,
        name=checks.name(name),
        phone=phone_normalise(phone=phone),
        segment=checks.segment(segment),
        language=checks.language(language),
        address=" ".join(str(address or "").split())[:200],
        created_by=by,
        idempotency_key=key,
    )


def _insert(prospect: Prospect, key: str, *, by: Any) -> tuple[Prospect, bool]:
    """Number the prospect at its plant and insert it."""
    prospect.number = _base.next_number(prospect.plant)
    prospect.ref = _base.ref_for(prospect.plant, prospect.number)
    return _base.insert_once(prospect, key, by=by)


@transaction.atomic
def prospect_survey_record(
    *,
    prospect: Prospect,
    pole: Pole | None,
    distance_m: Any,
    segment: str | None = None,
    appliances: Any = None,
    hours_per_day: Any = None,
    anticipated_load_w: Any = None,
    distance_override: str = "",
    idempotency_key: str = "",
    by: Any,
) -> Prospect:
    """Complete a survey that was skipped (a request from the customer app, an
    instant consumer): the pole, the distance and the energy needs. Once the
    account exists, the pole is that of the customer ID and cannot change."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.SURVEY, EventKind.COMPLETED_LATER):
        return prospect
    later = _base.begin(prospect, Stage.SURVEY)
    pole = checks.pole_at_plant(prospect.plant, pole)
    customer = prospect.customer
    if customer is not None and pole.pk != prospect.pole_id:
        raise ValidationFailed(
            "pole_locked",
            f"{prospect.ref} has customer ID {customer.customer_id}; "
            "its pole cannot change.",
            field="pole",
        )
    metres, override = checks.distance(distance_m, distance_override)
    energy = checks.needs(appliances, hours_per_day, anticipated_load_w)
    prospect.pole, prospect.distance_m, prospect.distance_override = (
        pole,
        metres,
        override,
    )
    for field, value in energy.items():
        setattr(prospect, field, value)
    if segment is not None:
        prospect.segment = checks.segment(segment)
    _base.complete(prospect, Stage.SURVEY, later=later, by=by, key=key)
    return _base.save(prospect, by=by, reason="survey")


# --- stage 2: marketing ---------------------------------------------------------------
@transaction.atomic
def prospect_marketing_record(
    *,
    prospect: Prospect,
    method: str,
    contacted_on: date | None = None,
    note: str = "",
    idempotency_key: str = "",
    by: Any,
) -> Prospect:
    """Stage 2: a marketing contact (door-to-door, group discussion, leaflet,
    word of mouth). May be recorded again while it is the last stage done."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.MARKETING, "*"):
        return prospect
    later = _base.begin(prospect, Stage.MARKETING, redo=True)
    prospect.marketing_method = checks.marketing_method(method)
    prospect.marketing_on = contacted_on or timezone.localdate()
    if prospect.marketing_on > timezone.localdate():
        raise ValidationFailed(
            "date_in_future", "The contact date is in the future.", field="contacted_on"
        )
    prospect.marketing_note = note.strip()[:300]
    _base.complete(
        prospect,
        Stage.MARKETING,
        later=later,
        by=by,
        note=prospect.marketing_note,
        data={"method": method, "on": prospect.marketing_on.isoformat()},
        key=key,
    )
    if not later:
        notify.tell_team(prospect, task=Stage.ACQUISITION, by=by)
    return _base.save(prospect, by=by, reason="marketing")


# --- stage 3: acquisition (in person; requests: services.requests) --------------------
@transaction.atomic
def prospect_acquire(
    *, prospect: Prospect, note: str = "", idempotency_key: str = "", by: Any
) -> Prospect:
    """Stage 3, in person: the field agent signed the customer up on a visit."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.ACQUISITION, EventKind.DONE):
        return prospect
    _base.begin(prospect, Stage.ACQUISITION)
    prospect.channel = Channel.IN_PERSON
    _base.complete(prospect, Stage.ACQUISITION, later=False, by=by, note=note, key=key)
    notify.tell_team(prospect, task=Stage.KYC, by=by)
    return _base.save(prospect, by=by, reason="acquired in person")


# --- stage 4: KYC (documents: services.kyc) -------------------------------------------
@transaction.atomic
def prospect_kyc_complete(
    *,
    prospect: Prospect,
    id_type: str,
    id_number: str,
    commitments_acknowledged: bool,
    idempotency_key: str = "",
    by: Any,
) -> Prospect:
    """Stage 4: the ID type and number, with at least one ID proof uploaded
    before, and the customer's acknowledgement of the supplier's commitments
    (recorded with the time and who took it)."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.KYC, "*"):
        return prospect
    later = _base.begin(prospect, Stage.KYC, redo=True)
    number = checks.id_number(id_type, id_number)
    if not prospect.documents.filter(kind="id_proof").exists():
        raise ValidationFailed(
            "kyc_document_missing",
            "Upload a photo or scan of the ID proof first.",
            field="file",
        )
    if commitments_acknowledged is not True:
        raise ValidationFailed(
            "kyc_commitments_not_acknowledged",
            "The customer must acknowledge the supplier's commitments.",
            field="commitments_acknowledged",
        )
    prospect.id_type, prospect.id_number = id_type, number
    if prospect.commitments_ack_at is None:
        prospect.commitments_ack_at, prospect.commitments_ack_by = timezone.now(), by
    data = {"id_type": id_type, "id_number": _shown(id_type, number)}
    _base.complete(prospect, Stage.KYC, later=later, by=by, data=data, key=key)
    if not later:
        notify.tell_team(prospect, task=Stage.PACKAGE, by=by)
    return _base.save(prospect, by=by, reason="KYC")


def _shown(id_type: str, number: str) -> str:
    return number if id_type == IdType.AADHAAR else f"...{number[-4:]}"


# --- stage 5: package -----------------------------------------------------------------
@transaction.atomic
def prospect_package_assign(
    *, prospect: Prospect, package: Package, idempotency_key: str = "", by: Any
) -> Prospect:
    """Stage 5: a package offered at the prospect's plant; the deposit and the
    activation charge are computed, kept and sent to the customer by SMS. The
    package may be changed while no account exists."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.PACKAGE, EventKind.DONE):
        return prospect
    _base.begin(prospect, Stage.PACKAGE, redo=True)
    package = checks.package_offered(prospect.plant, package)
    _price(prospect, package)
    data = {
        "package": package.package_id,
        "version": package.version,
        "deposit": str(prospect.deposit_amount),
        "activation": str(prospect.activation_amount),
    }
    _base.complete(prospect, Stage.PACKAGE, later=False, by=by, data=data, key=key)
    _base.save(prospect, by=by, reason=f"package {package.package_id}")
    notify.tell_customer(prospect, "acq_package")
    notify.tell_team(prospect, task=Stage.ACCOUNT, by=by)
    return prospect


def _price(prospect: Prospect, package: Package) -> None:
    prospect.package = package
    prospect.activation_amount = quantize(package.activation_charge)
    prospect.deposit_amount = deposit_for(prospect, package)


def deposit_for(prospect: Prospect, package: Package) -> Decimal:
    """The package's deposit rule; for N x the anticipated bill of a metered
    package, the bill of the prospect's own surveyed needs (load capped at the
    package's, hours at its timing's) when the survey has them."""
    kwh = anticipated_kwh(prospect, package)
    if (
        package.deposit_rule == DepositRule.MULTIPLE
        and package.billing_type == BillingType.POSTPAID_METERED
        and kwh is not None
    ):
        bill = tariff.anticipated_monthly_bill(package, kwh)
        return quantize((package.deposit_multiple or Decimal(0)) * bill)
    return tariff.deposit_for(package)


def anticipated_kwh(prospect: Prospect, package: Package) -> Decimal | None:
    if prospect.anticipated_load_w is None or prospect.hours_per_day is None:
        return None
    load = min(prospect.anticipated_load_w, package.load_w)
    hours = min(
        Decimal(prospect.hours_per_day), package_ids.hours_per_day(package.timing.slots)
    )
    days = package_ids.DAYS_PER_MONTH
    return quantize(Decimal(load) * hours * days / 1000, KWH)


# --- stage 6: account -----------------------------------------------------------------
@transaction.atomic
def prospect_account_create(
    *, prospect: Prospect, idempotency_key: str = "", by: Any
) -> Prospect:
    """Stage 6: the customer account with its unique customer ID (status
    "awaiting connection"); the customer's sign-in is linked by mobile number.
    ``customer_create`` locks the pole, so two agents creating accounts on one
    pole at the same moment get different connection numbers."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _base.replayed(prospect, key, Stage.ACCOUNT, EventKind.DONE):
        return prospect
    if prospect.customer is not None:
        raise Conflict(
            "connection_has_account",
            f"{prospect.ref} already has customer ID {prospect.customer.customer_id}; "
            "one connection gets one account.",
        )
    _base.begin(prospect, Stage.ACCOUNT)
    _open_account(prospect, by=by, key=key)
    return prospect


def _open_account(prospect: Prospect, *, by: Any, key: str = "") -> Customer:
    pole = checks.pole_at_plant(prospect.plant, prospect.pole)
    package = checks.package_offered(prospect.plant, prospect.package)
    customer = customer_create(
        pole=pole,
        name=prospect.name,
        phone=str(prospect.phone),
        language=prospect.language,
        status=CustomerStatus.NEW,
        address=prospect.address,
        segment=prospect.segment,
        package=package,
        by=by,
    )
    prospect.customer = customer
    data = {"customer_id": customer.customer_id}
    _base.complete(prospect, Stage.ACCOUNT, later=False, by=by, data=data, key=key)
    _base.save(prospect, by=by, reason=f"account {customer.customer_id}")
    notify.tell_customer(prospect, "acq_account")
    notify.tell_team(prospect, task=Stage.METER, by=by)
    return customer


# --- rejection and reopening ----------------------------------------------------------
@transaction.atomic
def prospect_reject(
    *, prospect: Prospect, reason: str, idempotency_key: str = "", by: Any
) -> Prospect:
    """Stop the prospect at the stage it waits for, with a reason. An account
    already made turns inactive (reason "other"); a meter assigned but not yet
    installed goes back to the plant's stock. A rejection can be reopened."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _replayed_any(prospect, key, EventKind.REJECTED):
        return prospect
    if prospect.status != ProspectStatus.OPEN:
        raise Conflict(
            "prospect_not_open",
            f"{prospect.ref} is {prospect.get_status_display().lower()}; "
            "only a prospect in progress can be rejected.",
        )
    reason = _reason(reason)
    at = prospect.next_stage or Stage.ACTIVATION
    _release_meter(prospect, by=by, reason=f"{prospect.ref} rejected")
    if prospect.customer is not None:
        _set_customer_status(prospect.customer, CustomerStatus.INACTIVE, by=by)
    prospect.status, prospect.rejected_stage = ProspectStatus.REJECTED, at
    prospect.rejection_reason = reason
    _base.record(prospect, at, EventKind.REJECTED, by=by, note=reason, key=key)
    return _base.save(prospect, by=by, reason="rejected")


@transaction.atomic
def prospect_reopen(
    *, prospect: Prospect, reason: str, idempotency_key: str = "", by: Any
) -> Prospect:
    """Take a rejected prospect up again where it stopped (decision 0018)."""
    key = _base.check_key(idempotency_key)
    prospect = _base.lock(prospect)
    if _replayed_any(prospect, key, EventKind.REOPENED):
        return prospect
    if prospect.status != ProspectStatus.REJECTED:
        raise Conflict(
            "prospect_not_rejected",
            f"{prospect.ref} is not rejected; nothing to reopen.",
        )
    reason = _reason(reason)
    at = prospect.rejected_stage
    if prospect.customer is not None:
        _set_customer_status(prospect.customer, CustomerStatus.NEW, by=by)
    prospect.status, prospect.rejected_stage = ProspectStatus.OPEN, ""
    prospect.rejection_reason = ""
    _base.record(prospect, at, EventKind.REOPENED, by=by, note=reason, key=key)
    _base.save(prospect, by=by, reason="reopened")
    if prospect.next_stage:
        notify.tell_team(prospect, task=prospect.next_stage, by=by)
    return prospect


def _replayed_any(prospect: Prospect, key: str, kind: str) -> bool:
    if not key:
        return False
    event = prospect.events.filter(idempotency_key=key).first()
    if event is None:
        return False
    if event.kind != kind:
        raise Conflict(
            "idempotency_key_reused",
            f"Key {key!r:.60} was already used for another step of {prospect.ref}.",
        )
    return True


def _reason(raw: str) -> str:
    reason = " ".join(str(raw or "").split())
    if not reason:
        raise ValidationFailed("reason_missing", "Give a reason.", field="reason")
    return reason[:300]


def _release_meter(prospect: Prospect, *, by: Any, reason: str) -> None:
    """Give back an assigned meter that is not installed yet."""
    assignment = prospect.meter_assignment
    if assignment is None or assignment.installed_at is not None:
        return
    metering.meter_unassign(assignment=assignment, by=by, reason=reason)
    _base.record(
        prospect,
        Stage.METER,
        EventKind.METER_RELEASED,
        by=by,
        data={"meter": assignment.meter.serial},
    )
    prospect.meter_assignment = None


def _set_customer_status(customer: Customer, status: str, *, by: Any) -> None:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    customer.status = status
    customer.status_reason = StatusReason.OTHER if status != "new" else ""
    customer.status_changed_at = timezone.now()
    customer._history_user = by  # type: ignore[attr-defined]
    customer._change_reason = "acquisition"  # type: ignore[attr-defined]
    customer.save(update_fields=["status", "status_reason", "status_changed_at"])


# --- edits --------------------------------------------------------------------
EDITABLE = {"name", "phone", "address", "language", "segment"}


@transaction.atomic
def prospect_update(*, prospect: Prospect, by: Any, **changes: Any) -> Prospect:
    """Correct the contact details of a prospect without an account (after
    that, they are the customer's profile)."""
    prospect = _base.lock(prospect)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationFailed(
            "field_not_editable",
            f"Cannot change {', '.join(sorted(unknown))}.",
            field=sorted(unknown)[0],
        )
    if prospect.customer_id is not None or prospect.status != ProspectStatus.OPEN:
        raise Conflict(
            "prospect_locked",
            f"{prospect.ref} has an account or is closed; edit the customer instead.",
        )
    cleaners = {
        "name": checks.name,
        "phone": lambda v: phone_normalise(phone=v),
        "address": lambda v: " ".join(str(v or "").split())[:200],
        "language": checks.language,
        "segment": checks.segment,
    }
    for field, value in changes.items():
        setattr(prospect, field, cleaners[field](value))
    return _base.save(prospect, by=by, reason="edited")
