"""OpenPAYGO tokens for load limiters and PAYG devices (the `openpaygo`
library, OpenPAYGO Token standard).

* A device has a secret key (32 hex digits), a starting code (derived from the
  key unless set) and a token counter: ``Meter.payg_secret``,
  ``payg_starting_code``, ``payg_count`` (the count of the last token made).
* ``token_issue`` makes one token for one payment: under a row lock on the
  meter it reads the counter, makes the token with the next count, stores the
  ``TokenIssue`` and advances the counter, in one transaction. A payment gets
  one token however often it is asked for: unique (meter, payment_ref), and a
  repeat returns the stored token without touching the counter.
* ``token_for_payment`` turns a payment of a pre-paid customer into days of
  supply at their package's rate and issues the token on their load limiter
  (for the payments issue to call).
"""

from __future__ import annotations

import secrets
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from openpaygo import OpenPAYGOTokenEncoder, TokenType

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.services import validated_save
from mcoms.customers.models import Customer
from mcoms.metering.models import Meter, MeterAssignment, MeterKind, TokenIssue

MODES = {
    "add_time": TokenType.ADD_TIME,
    "set_time": TokenType.SET_TIME,
    "disable_payg": TokenType.DISABLE_PAYG,
}
MAX_DAYS = 995  # the largest value a standard OpenPAYGO token carries
PAYG_KINDS = (MeterKind.LOAD_LIMITER, MeterKind.SMART)
HEX = frozenset("0123456789abcdef")


def _lock(meter: Meter) -> Meter:
    return Meter.objects.select_for_update().get(pk=meter.pk)


@transaction.atomic
def meter_payg_setup(
    *,
    meter: Meter,
    secret: str | None = None,
    starting_code: int | None = None,
    by: Any,
) -> Meter:
    """Give a load limiter or PAYG meter its OpenPAYGO key (a new random one
    when ``secret`` is None) and starting code; the counter starts at 0.
    A device that has issued tokens keeps its key (``payg_key_in_use``)."""
    meter = _lock(meter)
    if meter.kind not in PAYG_KINDS:
        raise ValidationFailed(
            "meter_not_payg", f"Meter {meter.serial} takes no tokens.", field="meter"
        )
    secret = (secret or secrets.token_hex(16)).strip().lower()
    if len(secret) != 32 or not set(secret) <= HEX:
        raise ValidationFailed(
            "payg_key_invalid", "The key is 32 hexadecimal digits.", field="secret"
        )
    if starting_code is not None and not 0 <= starting_code <= 999_999_999:
        raise ValidationFailed(
            "payg_starting_code_invalid",
            "The starting code is up to 9 digits.",
            field="starting_code",
        )
    if meter.payg_secret == secret and meter.payg_starting_code == starting_code:
        return meter
    if TokenIssue.objects.filter(meter=meter).exists():
        raise Conflict(
            "payg_key_in_use", f"Meter {meter.serial} has tokens under its key."
        )
    meter.payg_secret, meter.payg_starting_code, meter.payg_count = (
        secret,
        starting_code,
        0,
    )
    return validated_save(meter, by=by, reason="OpenPAYGO key set")


def _days(raw: Any, mode: str) -> int:
    if mode == "disable_payg":
        return 0
    try:
        days = Decimal(str(raw).strip())
    except ArithmeticError:
        days = Decimal(-1)
    if isinstance(raw, float | bool) or not days.is_finite() or days != int(days):
        raise ValidationFailed("token_days_invalid", "Days are whole.", field="days")
    if not (0 if mode == "set_time" else 1) <= days <= MAX_DAYS:
        raise ValidationFailed(
            "token_days_invalid",
            f"A token carries 1 to {MAX_DAYS} days.",
            field="days",
        )
    return int(days)


def _payment_ref(raw: str) -> str:
    ref = (raw or "").strip()
    if not ref or len(ref) > 100 or not ref.isprintable() or "/" in ref:
        raise ValidationFailed(
            "payment_ref_invalid",
            "A payment reference is 1 to 100 printable characters, no '/'.",
            field="payment_ref",
        )
    return ref


def _same(issue: TokenIssue, days: int, mode: str) -> TokenIssue:
    if issue.mode != mode or issue.days != days:
        raise Conflict(
            "token_payment_reused",
            "This payment already has a token with other days or mode.",
            field="payment_ref",
        )
    return issue


@transaction.atomic
def token_issue(
    *,
    meter: Meter,
    payment_ref: str,
    days: Any,
    mode: str = "add_time",
    by: Any = None,
) -> tuple[TokenIssue, bool]:
    """The token for ``payment_ref`` on ``meter`` and whether this call made
    it (False: the payment's stored token, the counter untouched)."""
    if mode not in MODES:
        raise ValidationFailed("token_mode_unknown", "Unknown mode.", field="mode")
    ref, value = _payment_ref(payment_ref), _days(days, mode)
    existing = TokenIssue.objects.filter(meter=meter, payment_ref=ref).first()
    if existing is not None:
        return _same(existing, value, mode), False
    meter = _lock(meter)
    existing = TokenIssue.objects.filter(meter=meter, payment_ref=ref).first()
    if existing is not None:  # made by a call that held the lock before us
        return _same(existing, value, mode), False
    if meter.kind not in PAYG_KINDS or not meter.payg_secret:
        raise ValidationFailed(
            "meter_not_payg",
            f"Meter {meter.serial} has no OpenPAYGO key.",
            field="meter",
        )
    count, token = OpenPAYGOTokenEncoder.generate_token(
        secret_key=meter.payg_secret,
        count=meter.payg_count,
        value=value if mode != "disable_payg" else None,
        token_type=MODES[mode],
        starting_code=meter.payg_starting_code,
    )
    issue = TokenIssue(
        meter=meter, payment_ref=ref, count=count, token=token, days=value, mode=mode
    )
    issue.by = by
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError as exc:  # only without the lock: a broken counter
        raise Conflict("token_conflict", "Try again.") from exc
    meter.payg_count = count
    validated_save(meter, by=by, reason=f"token for {ref[:60]}")
    return issue, True


# --- payments -------------------------------------------------------------------------
def payg_meter_for(customer: Customer) -> Meter | None:
    """The installed load limiter (or PAYG meter) of the customer, if any."""
    assignment = (
        MeterAssignment.objects.select_related("meter")
        .filter(
            customer=customer,
            removed_at__isnull=True,
            installed_at__isnull=False,
            meter__kind__in=PAYG_KINDS,
        )
        .exclude(meter__payg_secret="")
        .order_by("-assigned_at")
        .first()
    )
    return assignment.meter if assignment else None


def days_for_amount(*, customer: Customer, amount: Decimal) -> int:
    """Days of supply an amount buys at the customer's pre-paid package:
    ``amount * period days / pre-paid amount``, rounded down, at most 995."""
    package = customer.package
    if package is None or not package.prepaid_amount or not package.prepaid_period_days:
        return 0
    days = (amount * package.prepaid_period_days / package.prepaid_amount).quantize(
        Decimal(1), rounding=ROUND_DOWN
    )
    return int(min(max(days, Decimal(0)), Decimal(MAX_DAYS)))


def token_for_payment(
    *, customer: Customer, payment_ref: str, amount: Decimal, by: Any = None
) -> TokenIssue | None:
    """A payment of a customer with a PAYG device: the token for the days it
    buys (None when the customer has no such device or it buys no whole day).
    Idempotent on the payment reference like ``token_issue``."""
    meter = payg_meter_for(customer)
    if meter is None:
        return None
    days = days_for_amount(customer=customer, amount=amount)
    if days < 1:
        return None
    issue, _created = token_issue(
        meter=meter, payment_ref=payment_ref, days=days, by=by
    )
    return issue
