"""Payments: cash taken by a field agent, electronic payments recorded from a
provider, reversals and refunds. Each is one transaction and one balanced
journal:

* cash: debit the agent's cash in hand, credit the customer's receivable of
  each service the payment goes to (``allocation``);
* UPI, M-Pesa, card, wallet: debit the provider's clearing account instead.

A retry writes nothing: the field app's client-made UUID, the API's
``Idempotency-Key`` and the provider's transaction id are unique per company
(provider) in the database; the same key with another customer, amount,
channel or service is refused (``idempotency_key_reused``). The customer's
receivables and the debited account are locked (pk order) before the
existence check and the allocation, so racing writers of one customer queue
up and each sees the balances the previous one left.

After commit, ``supply_review`` re-checks the customer's credit limit: a
payment that brings a flagged customer within it clears the flag and switches
their supply back on (a payment of a customer who is not flagged cannot change
the flag or the supply: it only lowers what they owe); a reversal or refund,
which raises it, always re-checks, and may flag them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mcoms.acquisition.services.connection import deposit_receivable
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.models import Customer
from mcoms.ledger import services as ledger
from mcoms.ledger.locks import lock_accounts
from mcoms.ledger.models import Account, AccountKind, HolderType, Service
from mcoms.org.access import staff_for
from mcoms.org.models import ScopeLevel, User
from mcoms.payments.allocation import ADVANCE_SERVICE, allocate
from mcoms.payments.amounts import payment_amount
from mcoms.payments.hooks import run_payment_created
from mcoms.payments.models import (
    PAYABLE_SERVICES,
    Channel,
    Payment,
    PaymentAllocation,
    PaymentReversal,
    PaymentStatus,
    ReversalKind,
)

log = logging.getLogger(__name__)
SERVICES = {code for code, _label in PAYABLE_SERVICES}
ELECTRONIC = {Channel.UPI, Channel.MPESA, Channel.CARD, Channel.WALLET}


@dataclass(frozen=True)
class Recorded:
    payment: Payment
    created: bool  # False: a retry returned the payment written before


@dataclass(frozen=True)
class _Keys:
    client_key: str = ""
    idempotency_key: str = ""
    provider: str = ""
    provider_ref: str = ""

    def q(self) -> Q:
        q = Q(pk__in=[])
        if self.client_key:
            q |= Q(client_key=self.client_key)
        if self.idempotency_key:
            q |= Q(idempotency_key=self.idempotency_key)
        if self.provider_ref:
            q |= Q(provider=self.provider, provider_ref=self.provider_ref)
        return q


# --- checks -------------------------------------------------------------------------
def _service(raw: str) -> str:
    code = (raw or "").strip().upper()
    if code and code not in SERVICES:
        raise ValidationFailed(
            "service_invalid", _("Choose a service from the list."), field="service"
        )
    return code


def _client_key(raw: str) -> str:
    if not raw:
        return ""
    try:
        return str(uuid.UUID(str(raw).strip()))
    except ValueError as exc:
        raise ValidationFailed(
            "client_key_invalid",
            _("The form's id is not a UUID; reload the page."),
            field="client_key",
        ) from exc


def _key(raw: str) -> str:
    key = (raw or "").strip()
    if len(key) > 120:
        raise ValidationFailed(
            "idempotency_key_invalid", "An idempotency key has 1-120 characters."
        )
    return key


def _replay(
    payment: Payment, customer: Customer, amount: Decimal, channel: str, service: str
) -> Recorded:
    same = (
        payment.customer_id == customer.pk
        and payment.amount == amount
        and payment.channel == channel
        and payment.service == service
    )
    if not same:
        raise Conflict(
            "idempotency_key_reused",
            _("This key was already used for another payment."),
        )
    return Recorded(payment, created=False)


# --- accounts -----------------------------------------------------------------------
def receivable_for(customer: Customer, service: str) -> Account:
    """The customer's receivable (an asset) for a service; for the deposit, what
    they owe towards it (not the deposit the company holds)."""
    if service == Service.DEPOSIT:
        return deposit_receivable(customer)
    return ledger.account_for_customer(
        company=customer.company,
        customer_id=customer.customer_id,
        plant=customer.plant,
        service=service,
    )


def _receivables(customer: Customer, service: str) -> list[Account]:
    accounts = list(
        Account.objects.filter(
            company_id=customer.company_id,
            holder_type=HolderType.CUSTOMER,
            holder_ref=customer.customer_id,
            kind=AccountKind.ASSET,
        )
    )
    wanted = service or ADVANCE_SERVICE
    if wanted not in {a.service for a in accounts}:
        accounts.append(receivable_for(customer, wanted))
    return accounts


def cash_account_for(user: User, customer: Customer) -> Account:
    """The collector's cash in hand (``STF:<username>:CASH``); its plant is the
    collector's plant, or the customer's for staff above plant level."""
    staff = staff_for(user)
    plant = customer.plant
    if staff is not None and staff.scope_level == ScopeLevel.PLANT and staff.plant:
        plant = staff.plant
    return ledger.account_for_staff_cash(
        company=customer.company, username=user.get_username(), plant=plant
    )


def _find(company_id: int, keys: _Keys) -> Payment | None:
    """The payment an earlier call with one of these keys wrote."""
    found = Payment.objects.filter(keys.q(), company_id=company_id).first()
    if found is None and keys.provider_ref:  # provider ids are global
        found = Payment.objects.filter(
            provider=keys.provider, provider_ref=keys.provider_ref
        ).first()
    return found


# --- writing ------------------------------------------------------------------------
def _after_commit(customer: Customer, by: Any) -> Callable[[], None]:
    def review() -> None:
        from mcoms.metering.supply import supply_review

        supply_review(customers=[customer], by=by)

    return review


def _write(
    *,
    customer: Customer,
    amount: Decimal,
    channel: str,
    service: str,
    debit: Account,
    keys: _Keys,
    by: Any,
    payer: str,
    note: str,
) -> Recorded:
    receivables = _receivables(customer, service)
    locked = lock_accounts([a.pk for a in receivables] + [debit.pk])
    earlier = _find(customer.company_id, keys)
    if earlier is not None:
        return _replay(earlier, customer, amount, channel, service)
    fresh = [locked[a.pk] for a in receivables]
    parts = allocate(amount, named=service, accounts=fresh)
    by_service = {a.service: a for a in fresh}
    uid = uuid.uuid4()
    journal = ledger.journal_post(
        company=customer.company,
        idempotency_key=f"payment:{uid}",
        lines=[(debit, amount)]
        + [(by_service[s], -part) for s, part in sorted(parts.items())],
        kind="cash_collection" if channel == Channel.CASH else "payment",
        memo=f"Payment {customer.customer_id} ({channel})",
        posted_by=by,
    )
    payment = Payment.objects.create(
        uid=uid,
        company_id=customer.company_id,
        plant_id=customer.plant_id,
        customer=customer,
        amount=amount,
        currency=customer.company.currency,
        channel=channel,
        service=service,
        provider=keys.provider,
        provider_ref=keys.provider_ref,
        payer=payer[:120],
        note=note[:200],
        collected_by=by if channel == Channel.CASH else None,
        client_key=keys.client_key,
        idempotency_key=keys.idempotency_key,
        journal=journal,
        created_at=journal.posted_at,
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(payment=payment, service=s, amount=part)
        for s, part in sorted(parts.items())
    )
    run_payment_created(payment)
    # A payment only lowers what is owed: only a customer flagged over the
    # credit limit (supply maybe cut) can change state (docs/decisions/0080).
    if Customer.objects.filter(pk=customer.pk, flagged_at__isnull=False).exists():
        transaction.on_commit(_after_commit(customer, by), robust=True)
    return Recorded(payment, created=True)


def _record(*, customer: Customer, keys: _Keys, **kw: Any) -> Recorded:
    """Write once; a racing writer that won a key is returned instead."""
    try:
        with transaction.atomic():
            return _write(customer=customer, keys=keys, **kw)
    except IntegrityError:
        earlier = _find(customer.company_id, keys)
        if earlier is None:
            raise
        return _replay(earlier, customer, kw["amount"], kw["channel"], kw["service"])


def payment_take_cash(
    *,
    customer: Customer,
    amount: object,
    by: User,
    service: str = "",
    client_key: str = "",
    idempotency_key: str = "",
    note: str = "",
) -> Recorded:
    """Cash a field agent took from a customer ("Add Transaction"). The caller
    has checked the agent may (``get_customer_for_payment``: 403 / 404)."""
    value = payment_amount(amount, currency=customer.company.currency)
    keys = _Keys(
        client_key=_client_key(client_key), idempotency_key=_key(idempotency_key)
    )
    return _record(
        customer=customer,
        keys=keys,
        amount=value,
        channel=Channel.CASH,
        service=_service(service),
        debit=cash_account_for(by, customer),
        by=by,
        payer="",
        note=note,
    )


def payment_record(
    *,
    customer: Customer,
    amount: object,
    channel: str,
    provider: str,
    provider_ref: str,
    service: str = "",
    by: User | None = None,
    payer: str = "",
    note: str = "",
    idempotency_key: str = "",
) -> Recorded:
    """An electronic payment (UPI, M-Pesa, card, wallet) a provider confirmed:
    debit the provider's clearing account. Keyed by the provider's id."""
    if channel not in ELECTRONIC:
        raise ValidationFailed("channel_invalid", "Not an electronic channel.")
    if not provider or not provider_ref:
        raise ValidationFailed(
            "provider_ref_missing", "An electronic payment needs its provider's id."
        )
    value = payment_amount(amount, currency=customer.company.currency)
    return _record(
        customer=customer,
        keys=_Keys(
            idempotency_key=_key(idempotency_key),
            provider=provider,
            provider_ref=provider_ref[:100],
        ),
        amount=value,
        channel=channel,
        service=_service(service),
        debit=ledger.account_for_provider_clearing(
            company=customer.company, provider=provider
        ),
        by=by,
        payer=payer,
        note=note,
    )


# --- undoing ------------------------------------------------------------------------
def _undo(
    *, payment: Payment, kind: str, reason: str, by: User, idempotency_key: str
) -> tuple[PaymentReversal, bool]:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("reason_missing", _("Give the reason."), field="reason")
    key = _key(idempotency_key) or f"{kind}:{payment.uid}"
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        done = PaymentReversal.objects.filter(payment=payment).first()
        if done is not None:
            if done.idempotency_key == key and done.kind == kind:
                return done, False
            raise Conflict(
                "payment_already_reversed",
                _("This payment is already reversed or refunded."),
            )
        journal, _created = ledger.journal_reverse_once(
            journal=payment.journal,
            idempotency_key=f"payment:{payment.uid}:undo",
            posted_by=by,
            memo=f"{kind.title()} of payment {payment.uid}: {reason}"[:255],
        )
        reversal = PaymentReversal.objects.create(
            payment=payment,
            kind=kind,
            reason=reason[:200],
            by=by,
            at=timezone.now(),
            journal=journal,
            idempotency_key=key,
        )
        payment.status = (
            PaymentStatus.REFUNDED
            if kind == ReversalKind.REFUND
            else PaymentStatus.REVERSED
        )
        payment.save(update_fields=["status"])
        transaction.on_commit(_after_commit(payment.customer, by), robust=True)
    return reversal, True


def payment_reverse(
    *, payment: Payment, reason: str, by: User, idempotency_key: str = ""
) -> tuple[PaymentReversal, bool]:
    """Undo a payment recorded by mistake: the mirror journal puts the debt back
    and takes the money off the cash in hand or clearing account."""
    return _undo(
        payment=payment,
        kind=ReversalKind.REVERSAL,
        reason=reason,
        by=by,
        idempotency_key=idempotency_key,
    )


def payment_refund(
    *, payment: Payment, reason: str, by: User, idempotency_key: str = ""
) -> tuple[PaymentReversal, bool]:
    """Give a payment back to the payer (the same mirror journal; the money
    leaves from where it came: the agent's cash, the provider's clearing)."""
    return _undo(
        payment=payment,
        kind=ReversalKind.REFUND,
        reason=reason,
        by=by,
        idempotency_key=idempotency_key,
    )
