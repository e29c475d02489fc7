"""Bank deposits and the cash-in-hand limit (docs/collection.md).

* ``bank_deposit_register``: an agent banks part of their cash in hand, with a
  photo or PDF of the deposit slip. One journal: debit deposits in transit,
  credit the agent's cash. More than the cash in hand is refused, and nothing
  is written (no row, no file, no journal).
* ``bank_deposit_verify``: head office saw the money on the bank statement:
  debit the bank with the amount received, credit transit with the amount
  registered; a difference goes back to the agent's cash in hand (a shortfall
  is cash they still hold; an excess lowers it).
* ``bank_deposit_reject``: the deposit never arrived: the registration's
  journal is reversed, the cash is in the agent's hands again.
* ``cash_limit_set``: the limit on cash in hand, the company's or a plant's.

Every write is one transaction and replays safely: a deposit by its client
key (unique per company), a verification or rejection by the deposit.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mcoms.acquisition.services.kyc import sniff
from mcoms.cash import accounts, notify
from mcoms.cash.models import BankDeposit, CashLimit, DepositStatus
from mcoms.core.errors import Conflict, Forbidden, ValidationFailed
from mcoms.ledger import services as ledger
from mcoms.ledger.locks import lock_accounts
from mcoms.org.models import Company, Plant, User
from mcoms.payments.amounts import payment_amount


# --- checks -------------------------------------------------------------------------
def _client_key(raw: str) -> str:
    key = (raw or "").strip()
    if not key or len(key) > 120:
        raise ValidationFailed(
            "idempotency_key_invalid",
            _("The form's key is missing; reload the page."),
            field="client_key",
        )
    return key


def _text(raw: str, *, field: str, limit: int, required: bool) -> str:
    value = " ".join((raw or "").split())
    if required and not value:
        raise ValidationFailed(f"{field}_missing", _("This is required."), field=field)
    if len(value) > limit:
        raise ValidationFailed(
            f"{field}_too_long",
            _("At most %(n)s characters.") % {"n": limit},
            field=field,
        )
    return value


def _deposited_on(value: Any) -> date:
    if not isinstance(value, date):
        raise ValidationFailed(
            "deposited_on_invalid",
            _("Enter the date of the deposit."),
            field="deposited_on",
        )
    if value > timezone.localdate():
        raise ValidationFailed(
            "deposited_on_future",
            _("The deposit date cannot be in the future."),
            field="deposited_on",
        )
    return value


def slip_check(slip: File | None) -> tuple[str, int, str]:
    """The slip's type (JPEG, PNG, WebP or PDF by its own bytes), size and
    SHA-256 (the KYC upload's checks), or ``slip_file_type`` /
    ``slip_file_too_large`` / ``slip_missing``."""
    if slip is None:
        raise ValidationFailed(
            "slip_missing", _("Add a photo of the deposit slip."), field="slip"
        )
    try:
        return sniff(slip)
    except ValidationFailed as exc:
        if exc.code == "kyc_file_too_large":
            raise ValidationFailed(
                "slip_file_too_large",
                _("The slip file is too large (at most 5 MB)."),
                field="slip",
            ) from exc
        raise ValidationFailed(
            "slip_file_type",
            _("Send a JPEG, PNG or WebP photo or a PDF of the slip."),
            field="slip",
        ) from exc


def _refuse_over_cash(amount: Decimal, cash: Decimal) -> ValidationFailed:
    return ValidationFailed(
        "deposit_exceeds_cash",
        _("You hold %(cash)s in cash; a deposit cannot be more than that.")
        % {"cash": cash},
        field="amount",
    )


# --- deposits -----------------------------------------------------------------------
def _replay(found: BankDeposit, agent: User, amount: Decimal, plant: Plant) -> Any:
    if (found.agent_id, found.amount, found.plant_id) != (agent.pk, amount, plant.pk):
        raise Conflict(
            "idempotency_key_reused",
            _("This key was already used for another deposit."),
        )
    return found, False


def bank_deposit_register(
    *,
    agent: User,
    plant: Plant,
    amount: object,
    deposited_on: Any,
    bank: str,
    reference: str = "",
    slip: File | None,
    client_key: str,
) -> tuple[BankDeposit, bool]:
    """Register a deposit of the agent's cash; returns it and whether it is
    new (False: a retry with the same key returned the first). The caller has
    checked ``cash.deposit`` and the plant's scope."""
    company = plant.company
    key = _client_key(client_key)
    value = payment_amount(amount, currency=company.currency)
    found = BankDeposit.objects.filter(company=company, client_key=key).first()
    if found is not None:
        return _replay(found, agent, value, plant)
    day = _deposited_on(deposited_on)
    bank = _text(bank, field="bank", limit=80, required=True)
    reference = _text(reference, field="reference", limit=40, required=False)
    slip_type, size, sha256 = slip_check(slip)
    assert slip is not None  # noqa: S101 (slip_check refused None)
    try:
        with transaction.atomic():
            return _register(
                agent, plant, value, day, bank, reference, slip, key,
                (slip_type, size, sha256),
            )  # fmt: skip
    except IntegrityError:
        found = BankDeposit.objects.filter(company=company, client_key=key).first()
        if found is None:
            raise
        return _replay(found, agent, value, plant)


def _register(
    agent: User,
    plant: Plant,
    amount: Decimal,
    day: date,
    bank: str,
    reference: str,
    slip: File,
    key: str,
    file_facts: tuple[str, int, str],
) -> tuple[BankDeposit, bool]:
    company = plant.company
    cash = accounts.cash_account_of(company, agent.get_username())
    if cash is None:
        raise _refuse_over_cash(amount, Decimal("0.00"))
    transit = accounts.transit_account_of(company)
    locked = lock_accounts([cash.pk] + ([transit.pk] if transit else []))
    found = BankDeposit.objects.filter(company=company, client_key=key).first()
    if found is not None:
        return _replay(found, agent, amount, plant)
    if amount > locked[cash.pk].balance:
        raise _refuse_over_cash(amount, locked[cash.pk].balance)
    transit = transit or accounts.transit_account(company)
    uid = uuid.uuid4()
    journal = ledger.journal_post(
        company=company,
        idempotency_key=f"deposit:{uid}",
        lines=[(transit, amount), (cash, -amount)],
        kind="bank_deposit",
        memo=f"Bank deposit by {agent.get_username()} at {plant.key}, {bank}"[:255],
        posted_by=agent,
    )
    slip_type, size, sha256 = file_facts
    deposit = BankDeposit(
        uid=uid,
        company=company,
        plant=plant,
        agent=agent,
        amount=amount,
        currency=company.currency,
        deposited_on=day,
        bank=bank,
        reference=reference,
        slip_type=slip_type,
        slip_size=size,
        slip_sha256=sha256,
        registered_at=journal.posted_at,
        client_key=key,
        journal=journal,
    )
    deposit.slip.save("upload", slip, save=False)
    try:
        with transaction.atomic():
            deposit.save()
    except BaseException:  # the row is not kept: neither is the file
        deposit.slip.delete(save=False)
        raise
    return deposit, True


def _lock(deposit: BankDeposit) -> BankDeposit:
    return (
        BankDeposit.objects.select_for_update(of=("self",))
        .select_related("company", "plant__state", "agent", "journal")
        .get(pk=deposit.pk)
    )


def _not_own(deposit: BankDeposit, by: User) -> None:
    if deposit.agent_id == by.pk:
        raise Forbidden(
            "deposit_own", _("Someone else must verify or reject your own deposit.")
        )


def _settled(deposit: BankDeposit) -> Conflict:
    return Conflict(
        "deposit_already_settled",
        _("This deposit was already verified or rejected."),
    )


def bank_deposit_verify(
    *, deposit: BankDeposit, received_amount: object, by: User, note: str = ""
) -> tuple[BankDeposit, bool]:
    """Head office found the deposit on the bank statement (``received``
    may differ from the amount registered: an anomaly on the review)."""
    _not_own(deposit, by)
    received = payment_amount(
        received_amount, currency=deposit.currency, field="received_amount"
    )
    note = _text(note, field="note", limit=200, required=False)
    with transaction.atomic():
        deposit = _lock(deposit)
        if deposit.status == DepositStatus.VERIFIED:
            if deposit.received_amount == received:
                return deposit, False
            raise _settled(deposit)
        if deposit.status != DepositStatus.REGISTERED:
            raise _settled(deposit)
        company = deposit.company
        cash = accounts.cash_account_of(company, deposit.agent.get_username())
        assert cash is not None  # noqa: S101 (the registration credited it)
        lines = [
            (ledger.account_for_company_bank(company=company), received),
            (accounts.transit_account(company), -deposit.amount),
        ]
        if received != deposit.amount:
            lines.append((cash, deposit.amount - received))
        journal = ledger.journal_post(
            company=company,
            idempotency_key=f"deposit:{deposit.uid}:verify",
            lines=lines,
            kind="bank_deposit_verified",
            memo=f"Deposit {deposit.uid} received: {received}",
            posted_by=by,
        )
        _settle(deposit, DepositStatus.VERIFIED, by, note, journal, received)
        notify.tell_deposit_settled(deposit)
    return deposit, True


def bank_deposit_reject(
    *, deposit: BankDeposit, reason: str, by: User
) -> tuple[BankDeposit, bool]:
    """The deposit is not on the bank statement (or the slip is false): the
    registration's journal is reversed and the cash is the agent's again."""
    _not_own(deposit, by)
    reason = _text(reason, field="reason", limit=200, required=True)
    with transaction.atomic():
        deposit = _lock(deposit)
        if deposit.status == DepositStatus.REJECTED:
            return deposit, False
        if deposit.status != DepositStatus.REGISTERED:
            raise _settled(deposit)
        journal = ledger.journal_reverse(
            journal=deposit.journal,
            idempotency_key=f"deposit:{deposit.uid}:reject",
            posted_by=by,
            memo=f"Deposit {deposit.uid} rejected: {reason}"[:255],
        )
        _settle(deposit, DepositStatus.REJECTED, by, reason, journal, None)
        notify.tell_deposit_settled(deposit)
    return deposit, True


def _settle(
    deposit: BankDeposit,
    status: str,
    by: User,
    note: str,
    journal: Any,
    received: Decimal | None,
) -> None:
    deposit.status = status
    deposit.received_amount = received
    deposit.settled_by = by
    deposit.settled_at = journal.posted_at
    deposit.settle_note = note
    deposit.settle_journal = journal
    deposit.save(
        update_fields=[
            "status",
            "received_amount",
            "settled_by",
            "settled_at",
            "settle_note",
            "settle_journal",
        ]
    )


# --- the limit ----------------------------------------------------------------------
def cash_limit_set(
    *, company: Company, plant: Plant | None, amount: object, by: User
) -> CashLimit | None:
    """Set the limit on cash in hand (a plant's overrides the company's);
    an empty amount removes it. The caller checked ``cash.limit_edit``."""
    if plant is not None and plant.company_id != company.pk:
        raise ValidationFailed("plant_other_company", "Plant of another company.")
    with transaction.atomic():
        current = (
            CashLimit.objects.select_for_update()
            .filter(company=company, plant=plant)
            .first()
        )
        if amount is None or (isinstance(amount, str) and not amount.strip()):
            if current is not None:
                current.delete()
            return None
        value = payment_amount(amount, currency=company.currency, field="amount")
        if current is None:
            current = CashLimit(company=company, plant=plant)
        current.amount = value
        current.changed_by = by
        current.changed_at = timezone.now()
        current.save()
        return current
