"""Provider callbacks: stored raw first, then verified, parsed and applied.

1. ``payment_from_callback`` stores the ``ProviderEvent`` (body bytes, headers,
   address) in its own transaction, so it is kept whatever happens next.
2. The adapter verifies it; a callback that does not verify is kept as
   ``refused`` and nothing else is written.
3. It is parsed and matched: the checkout session it names (amount and
   currency must equal the session's), else the customer ID it carries; the
   currency must be the company's and the amount a valid one. A mismatch makes
   the event a ``conflict`` for a person to settle; no payment is written.
4. Otherwise the payment is recorded, keyed by (provider, provider's id): a
   replay (any number, at once or one after another) finds the payment and is
   stored as ``processed`` with it; one payment in all.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from mcoms.core.errors import Conflict, DomainError, ValidationFailed
from mcoms.customers.models import Customer
from mcoms.org.models import Company
from mcoms.payments.amounts import payment_amount
from mcoms.payments.models import (
    CheckoutSession,
    EventState,
    Payment,
    ProviderEvent,
    SessionState,
    Settlement,
)
from mcoms.payments.providers import provider_for
from mcoms.payments.providers.base import (
    IGNORE,
    PAY,
    Inbound,
    Malformed,
    Parsed,
    PaymentProvider,
    Refused,
)
from mcoms.payments.services.payments import SERVICES, payment_record

log = logging.getLogger(__name__)
KEPT_HEADERS = 40


class _Mismatch(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _store(inbound: Inbound) -> ProviderEvent:
    headers = dict(list(inbound.headers.items())[:KEPT_HEADERS])
    with transaction.atomic():
        return ProviderEvent.objects.create(
            company=inbound.company,
            provider=inbound.provider[:20],
            kind=inbound.kind[:20],
            remote_addr=inbound.remote_addr or None,
            headers={"headers": headers, "query": inbound.query},
            body=inbound.body,
        )


def _close(event: ProviderEvent, state: str, code: str = "", error: str = "") -> None:
    event.state = state
    event.error_code = code[:60]
    event.error = error[:255]
    event.processed_at = timezone.now()
    event.save(
        update_fields=[
            "state",
            "error_code",
            "error",
            "processed_at",
            "signature_ok",
            "event_ref",
            "amount",
            "currency",
            "reference",
            "channel",
            "payment",
        ]
    )


def _keep_parsed(event: ProviderEvent, parsed: Parsed) -> None:
    event.event_ref = parsed.event_ref
    event.amount = parsed.amount
    event.currency = parsed.currency
    event.reference = parsed.reference or parsed.session_ref
    event.channel = parsed.channel


# --- matching -----------------------------------------------------------------------
def _session(company: Company, parsed: Parsed) -> CheckoutSession | None:
    if not parsed.session_ref:
        return None
    qs = CheckoutSession.objects.select_related("customer__plant", "customer__company")
    found = qs.filter(
        company=company, uid__in=_uuid_or_none(parsed.session_ref)
    ).first()
    if found is None:
        found = qs.filter(company=company, order_ref=parsed.session_ref).first()
    if found is None:
        raise _Mismatch("reference_unknown", "No checkout session with that reference.")
    return found


def _uuid_or_none(text: str) -> list[str]:
    try:
        return [str(uuid.UUID(text))]
    except ValueError:
        return []


def _checked(
    company: Company, parsed: Parsed
) -> tuple[Customer, Parsed, CheckoutSession | None]:
    """The customer a payment is for, and the parsed callback completed from the
    session; a ``_Mismatch`` when amount, currency or reference do not match."""
    session = _session(company, parsed)
    if session is not None:
        if parsed.amount is None:  # a return: the session's own amount
            parsed = replace(parsed, amount=session.amount, currency=session.currency)
        if parsed.amount != session.amount:
            raise _Mismatch(
                "amount_mismatch",
                f"Paid {parsed.amount}, the session asked {session.amount}.",
            )
        if parsed.currency != session.currency:
            raise _Mismatch("currency_mismatch", f"Paid in {parsed.currency}.")
        if parsed.reference and parsed.reference != session.customer.customer_id:
            raise _Mismatch(
                "reference_mismatch", "The customer differs from the session's."
            )
        parsed = replace(
            parsed, service=session.service, channel=parsed.channel or session.channel
        )
        return session.customer, parsed, session
    if parsed.currency != company.currency:
        raise _Mismatch(
            "currency_mismatch",
            f"Paid in {parsed.currency}, the company keeps {company.currency}.",
        )
    customer = (
        Customer.objects.select_related("plant", "company")
        .filter(company=company, customer_id=parsed.reference)
        .first()
        if parsed.reference
        else None
    )
    if customer is None:
        raise _Mismatch("reference_unknown", f"No customer {parsed.reference!r}.")
    try:
        payment_amount(str(parsed.amount), currency=company.currency)
    except ValidationFailed as exc:
        raise _Mismatch("amount_invalid", exc.message) from exc
    if parsed.service not in SERVICES:
        parsed = replace(parsed, service="")
    return customer, parsed, None


def _apply(event: ProviderEvent, provider: PaymentProvider, parsed: Parsed) -> None:
    company = event.company
    assert company is not None  # noqa: S101 (a provider needs a company)
    earlier = Payment.objects.filter(
        provider=provider.name, provider_ref=parsed.event_ref
    ).first()
    if earlier is not None:  # a replay: the payment is there already
        event.payment = earlier
        _close(event, EventState.PROCESSED, "replay")
        return
    try:
        customer, parsed, session = _checked(company, parsed)
        if parsed.amount is not None:
            payment_amount(str(parsed.amount), currency=company.currency)
    except _Mismatch as exc:
        _close(event, EventState.CONFLICT, exc.code, str(exc))
        return
    except ValidationFailed as exc:
        _close(event, EventState.CONFLICT, "amount_invalid", exc.message)
        return
    _keep_parsed(event, parsed)
    event.reference = parsed.reference or customer.customer_id
    with transaction.atomic():
        recorded = payment_record(
            customer=customer,
            amount=str(parsed.amount),
            channel=parsed.channel,
            provider=provider.name,
            provider_ref=parsed.event_ref,
            service=parsed.service,
            payer=parsed.payer,
            note=parsed.note,
        )
        if session is not None:
            CheckoutSession.objects.filter(pk=session.pk, payment__isnull=True).update(
                state=SessionState.PAID, payment=recorded.payment
            )
        event.payment = recorded.payment
        _close(event, EventState.PROCESSED, "" if recorded.created else "replay")


def _validate(event: ProviderEvent, parsed: Parsed) -> None:
    """M-Pesa's question before the payment: is the account and amount good?"""
    company = event.company
    assert company is not None  # noqa: S101
    try:
        _checked(company, replace(parsed, action=PAY))
    except _Mismatch as exc:
        _close(event, EventState.REFUSED, exc.code, str(exc))
        return
    _close(event, EventState.PROCESSED)


def _process(event: ProviderEvent, inbound: Inbound) -> None:
    provider = provider_for(inbound.company, inbound.provider)
    if provider is None:
        _close(
            event, EventState.REFUSED, "provider_unknown", "Provider not configured."
        )
        return
    try:
        provider.verify(inbound)
    except Refused as exc:
        _close(event, EventState.REFUSED, exc.code, exc.message)
        return
    event.signature_ok = True
    try:
        parsed = provider.parse(inbound)
    except Malformed as exc:
        _close(event, EventState.REFUSED, exc.code, exc.message)
        return
    _keep_parsed(event, parsed)
    if parsed.action == IGNORE:
        _close(event, EventState.PROCESSED, "event_ignored", parsed.note)
    elif parsed.action == PAY:
        _apply(event, provider, parsed)
    else:
        _validate(event, parsed)


def payment_from_callback(
    *,
    provider: str,
    company_code: str,
    kind: str,
    body: bytes,
    headers: dict[str, str],
    query: dict[str, str] | None = None,
    remote_addr: str | None = None,
) -> ProviderEvent:
    """Store, verify and apply one provider callback; the event says how it
    ended (``state``, ``error_code``, ``payment``)."""
    company = Company.objects.filter(code=company_code).first()
    inbound = Inbound(provider, company, kind, body, headers, query or {}, remote_addr)
    event = _store(inbound)
    try:
        _process(event, inbound)
    except DomainError as exc:  # e.g. the provider's id reused for another payment
        _close(event, EventState.CONFLICT, exc.code, exc.message)
    return event


def payment_from_return(
    *, provider: str, company_code: str, query: dict[str, str], remote_addr: str | None
) -> ProviderEvent:
    """The payer's browser back from a hosted page, with the gateway's signed
    parameters: stored and applied like a webhook (the one that comes first
    makes the payment; the other finds it)."""
    return payment_from_callback(
        provider=provider,
        company_code=company_code,
        kind="return",
        body=b"",
        headers={},
        query=query,
        remote_addr=remote_addr,
    )


# --- the conflicts queue ------------------------------------------------------------
def provider_event_settle(
    *,
    event: ProviderEvent,
    action: str,
    by: Any,
    note: str = "",
    customer: Customer | None = None,
    service: str = "",
) -> ProviderEvent:
    """A person settles a conflict: ``apply`` it to a customer (the amount as
    received, in the company's currency) or ``dismiss`` it (the money is sent
    back outside MCOMS, or it was not ours). Every unsettled conflict of the
    same provider transaction is settled with it."""
    note = (note or "").strip()
    if action not in (Settlement.APPLIED, Settlement.DISMISSED, "apply", "dismiss"):
        raise ValidationFailed("action_invalid", "Apply or dismiss.", field="action")
    applying = action in (Settlement.APPLIED, "apply")
    with transaction.atomic():
        event = ProviderEvent.objects.select_for_update().get(pk=event.pk)
        if event.state != EventState.CONFLICT or event.settled_at is not None:
            raise Conflict(
                "event_not_open", "This callback is not waiting to be settled."
            )
        payment = None
        if applying:
            payment = _settle_apply(event, by, customer, service, note)
        elif not note:
            raise ValidationFailed(
                "note_missing", "Say why it is dismissed.", field="note"
            )
        same = ProviderEvent.objects.filter(
            company=event.company,
            provider=event.provider,
            state=EventState.CONFLICT,
            settled_at__isnull=True,
        )
        same = (
            same.filter(event_ref=event.event_ref)
            if event.event_ref
            else same.filter(pk=event.pk)
        )
        same.update(
            settlement=Settlement.APPLIED if applying else Settlement.DISMISSED,
            settled_by=by,
            settled_at=timezone.now(),
            settle_note=note[:200],
            payment=payment,
            state=EventState.PROCESSED if applying else EventState.CONFLICT,
        )
    event.refresh_from_db()
    return event


def _settle_apply(
    event: ProviderEvent, by: Any, customer: Customer | None, service: str, note: str
) -> Payment:
    if customer is None:
        raise ValidationFailed(
            "customer_missing", "Choose the customer.", field="customer"
        )
    if customer.company_id != event.company_id:
        raise ValidationFailed(
            "customer_missing", "Choose the customer.", field="customer"
        )
    if event.currency != customer.company.currency:
        raise ValidationFailed(
            "currency_mismatch",
            f"Paid in {event.currency or '?'}; it can only be dismissed.",
            field="action",
        )
    if not event.event_ref or event.amount is None:
        raise ValidationFailed(
            "event_unreadable",
            "The callback has no amount or id; dismiss it.",
            field="action",
        )
    return payment_record(
        customer=customer,
        amount=str(event.amount),
        channel=event.channel or "wallet",
        provider=event.provider,
        provider_ref=event.event_ref,
        service=service,
        by=by,
        note=(note or f"Settled conflict {event.pk}")[:200],
    ).payment
