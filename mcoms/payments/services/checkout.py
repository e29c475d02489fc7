"""Card and UPI on a gateway's hosted page: MCOMS asks the gateway for a
payment link for the amount, sends the payer to the gateway's page and waits
for the gateway's signed callback (``payment_from_callback``) or the payer's
signed return (``payment_from_return``); card data never reaches MCOMS.

The gateway is called before anything is written (its answer, the page's
address, is what the session stores); a retry with the same
``Idempotency-Key`` returns the first session without calling it again. A
lost race leaves an unused link at the gateway, which expires there.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.models import Customer
from mcoms.payments.amounts import payment_amount
from mcoms.payments.models import Channel, CheckoutSession
from mcoms.payments.providers import checkout_provider_for
from mcoms.payments.providers.base import ProviderUnavailable
from mcoms.payments.services.payments import _key, _service

HOSTED_CHANNELS = (Channel.CARD, Channel.UPI, Channel.WALLET)


def _earlier(
    company_id: int, key: str, customer: Customer, amount: Any
) -> CheckoutSession | None:
    if not key:
        return None
    found = CheckoutSession.objects.filter(
        company_id=company_id, idempotency_key=key
    ).first()
    if found is not None and (
        found.customer_id != customer.pk or found.amount != amount
    ):
        raise Conflict(
            "idempotency_key_reused",
            _("This key was already used for another payment."),
        )
    return found


def checkout_session_create(
    *,
    customer: Customer,
    amount: object,
    channel: str,
    site_url: str,
    by: Any = None,
    service: str = "",
    idempotency_key: str = "",
) -> tuple[CheckoutSession, bool]:
    """A session on the gateway's hosted page for ``amount``. The gateway sends
    the payer back to our return page under ``site_url`` (scheme and host)."""
    company = customer.company
    value = payment_amount(amount, currency=company.currency)
    if channel not in HOSTED_CHANNELS:
        raise ValidationFailed(
            "channel_invalid", _("Card, UPI or wallet."), field="channel"
        )
    service = _service(service)
    key = _key(idempotency_key)
    earlier = _earlier(company.pk, key, customer, value)
    if earlier is not None:
        return earlier, False
    gateway = checkout_provider_for(company, channel)
    if gateway is None:
        raise ValidationFailed(
            "provider_unavailable",
            _("No payment gateway takes this channel."),
            field="channel",
        )
    uid = uuid.uuid4()
    try:
        checkout = gateway.checkout_create(
            reference=uid.hex,
            amount=value,
            currency=company.currency,
            channel=channel,
            customer_id=customer.customer_id,
            customer_name=customer.name,
            service=service,
            callback_url=site_url.rstrip("/")
            + reverse("payments:return", args=[gateway.name, company.code]),
        )
    except ProviderUnavailable as exc:
        raise Conflict("provider_unavailable", str(exc)) from exc
    try:
        with transaction.atomic():
            session = CheckoutSession.objects.create(
                uid=uid,
                company=company,
                plant_id=customer.plant_id,
                customer=customer,
                amount=value,
                currency=company.currency,
                channel=channel,
                service=service,
                provider=gateway.name,
                order_ref=checkout.order_ref,
                checkout_url=checkout.checkout_url,
                created_by=by if getattr(by, "pk", None) else None,
                idempotency_key=key,
            )
    except IntegrityError:
        earlier = _earlier(company.pk, key, customer, value)
        if earlier is None:
            raise
        return earlier, False
    return session, True
