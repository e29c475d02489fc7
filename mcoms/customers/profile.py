"""Profile edits (seed 2.2.6; manual 3.5.2.1 and 4.5; docs/customers.md).

* A customer changes their own contact details in the customer app
  (``SELF_EDITABLE``): at once, except a new mobile number, which waits for the
  code sent to that number.
* A staff member's edit (``customer.edit``, in scope) waits for the customer:
  a code goes to the registered number, and to the new number when the number
  changes. The agent types the codes the customer reads out, or the customer
  enters them in the customer app.
* A change waits at most as long as its codes live (``OTP_TTL_MINUTES``); a new
  request for the same customer replaces the one waiting. A wrong code changes
  nothing and counts against the code's tries (``notifications.otp``).
* The customer's record changes in one transaction, with the requester as the
  history user and the change's number as the reason. A new number moves the
  account to the sign-in identity of that number (``customer_user_for_phone``);
  the customer's other accounts stay with the old number.

``profile_change_confirm`` must be called outside an enclosing transaction,
like ``otp_verify``: a wrong try is counted even though an error is raised.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from mcoms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mcoms.core.services import validated_save
from mcoms.customers.models import (
    PROFILE_FIELDS,
    SELF_EDITABLE,
    Customer,
    ProfileChange,
    ProfileChangeSource,
    ProfileChangeState,
    Segment,
    field_label,
)
from mcoms.customers.services import customer_user_for_phone
from mcoms.notifications.models import Channel, OtpCode, OtpPurpose
from mcoms.notifications.otp import otp_request, otp_verify
from mcoms.notifications.phones import phone_normalise
from mcoms.notifications.services import message_queue
from mcoms.org.access import node_in_scope, staff_for
from mcoms.org.models import Language, User
from mcoms.org.permissions import Action, allowed

S = ProfileChangeState
PURPOSE = OtpPurpose.PROFILE_EDIT
LIMITS = {"name": 120, "address": 200}
CODE_FIELDS = {"registered": "code_registered", "new": "code_new"}


# --- who may act --------------------------------------------------------------------
def _source(customer: Customer, by: User) -> str:
    """The customer themself, or staff allowed to edit customers in scope;
    anyone else: NotFound (outside the scope) or Forbidden (designation)."""
    if by.kind == User.Kind.CUSTOMER:
        if customer.user_id != by.pk:
            raise NotFound("customer_not_found", f"No customer {customer.customer_id}.")
        return ProfileChangeSource.CUSTOMER
    staff = staff_for(by)
    if staff is None or not allowed(staff.designation, Action.CUSTOMER_EDIT):
        raise Forbidden(
            "designation_not_allowed", "Your designation does not edit customers."
        )
    if staff.company_id != customer.company_id or not node_in_scope(
        staff, customer.plant
    ):
        raise NotFound("customer_not_found", f"No customer {customer.customer_id}.")
    return ProfileChangeSource.STAFF


# --- what may change ----------------------------------------------------------------
def _text(field: str, raw: Any) -> str:
    value = " ".join(str(raw or "").split())
    if field == "name" and not value:
        raise ValidationFailed("name_missing", "Give the customer's name.", field=field)
    if len(value) > LIMITS[field]:
        raise ValidationFailed(
            f"{field}_too_long", f"At most {LIMITS[field]} characters.", field=field
        )
    return value


def _value(field: str, raw: Any) -> str:
    if field in LIMITS:
        return _text(field, raw)
    if field == "phone":
        return phone_normalise(phone=str(raw or ""))
    if field == "alt_phone":
        text = str(raw or "").strip()
        if not text:
            return ""
        try:
            return phone_normalise(phone=text)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.code, exc.message, field=field) from exc
    choices = Language.values if field == "language" else Segment.values
    if raw not in choices:
        raise ValidationFailed(
            f"{field}_unknown", f"Choose one of {', '.join(choices)}.", field=field
        )
    return str(raw)


def profile_changes_clean(
    *, customer: Customer, changes: dict[str, Any], source: str
) -> dict[str, list[str]]:
    """``{field: [old, new]}`` for the fields that really change; refuses a
    field the source may not change, a bad value, or no change at all."""
    editable = (
        SELF_EDITABLE if source == ProfileChangeSource.CUSTOMER else PROFILE_FIELDS
    )
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise ValidationFailed(
            "field_not_editable",
            f"Cannot change {', '.join(unknown)} here.",
            field=unknown[0],
        )
    out: dict[str, list[str]] = {}
    for field in editable:
        if field not in changes:
            continue
        new = _value(field, changes[field])
        old = _now(customer, field)
        if new != old:
            out[field] = [old, new]
    phone = out.get("phone", [None, str(customer.phone)])[1]
    alt = out.get("alt_phone", [None, str(customer.alt_phone or "")])[1]
    if alt and alt == phone:
        raise ValidationFailed(
            "alt_phone_same",
            "The alternative number is the mobile number itself.",
            field="alt_phone",
        )
    if not out:
        raise ValidationFailed("profile_unchanged", "Nothing to change.")
    return out


# --- request ------------------------------------------------------------------------
def _key(raw: str | None) -> str:
    key = (raw or "").strip()
    if len(key) > 120:
        raise ValidationFailed(
            "idempotency_key_invalid", "An idempotency key has 1-120 characters."
        )
    return key


def _replayed(customer: Customer, key: str) -> ProfileChange | None:
    if not key:
        return None
    found = ProfileChange.objects.filter(
        company_id=customer.company_id, idempotency_key=key
    ).first()
    if found is not None and found.customer_id != customer.pk:
        raise Conflict(
            "idempotency_key_reused", f"Key {key!r:.40} was used for another customer."
        )
    return found


def _lock_customer(pk: int) -> Customer:
    return (
        Customer.objects.select_for_update(of=("self",))
        .select_related("company", "plant", "user")
        .get(pk=pk)
    )


def _close_waiting(customer: Customer, by: User, now: datetime) -> None:
    """The change still waiting for this customer ends: expired if its codes
    died, else cancelled (replaced by the new one)."""
    for old in ProfileChange.objects.select_for_update().filter(
        customer=customer, state=S.PENDING
    ):
        if old.expires_at <= now:
            _close(old, S.EXPIRED, None, now, "The codes expired.")
        else:
            _close(old, S.CANCELLED, by, now, "Replaced by a newer change.")


def _close(
    change: ProfileChange, state: str, by: User | None, now: datetime, note: str
) -> None:
    change.state, change.closed_by, change.closed_at = state, by, now
    change.note = note[:200]
    change.save(update_fields=["state", "closed_by", "closed_at", "note"])


@transaction.atomic
def profile_change_request(
    *,
    customer: Customer,
    changes: dict[str, Any],
    by: User,
    idempotency_key: str | None = "",
) -> tuple[ProfileChange, bool]:
    """Propose new contact details; ``(change, created)``. A customer's own
    change without a new number is applied at once (state confirmed); any
    other waits for the codes this sends. A retry with the same key returns
    the first change."""
    key = _key(idempotency_key)
    source = _source(customer, by)
    customer = _lock_customer(customer.pk)
    replay = _replayed(customer, key)
    if replay is not None:
        return replay, False
    clean = profile_changes_clean(customer=customer, changes=changes, source=source)
    now = timezone.now()
    _close_waiting(customer, by, now)
    change = ProfileChange(
        company_id=customer.company_id,
        customer=customer,
        source=source,
        requested_by=by,
        changes=clean,
        phone_registered=str(customer.phone),
        phone_new=clean["phone"][1] if "phone" in clean else "",
        created_at=now,
        expires_at=now,
        idempotency_key=key,
    )
    if source == ProfileChangeSource.CUSTOMER and not change.phone_new:
        change.expires_at = now
        _save_new(change)
        return _apply(change, customer, by, now), True
    _send_codes(change, customer, now)
    _save_new(change)
    if source == ProfileChangeSource.STAFF:
        _tell_registered(change, customer, "profile_change_requested")
    return change, True


def _save_new(change: ProfileChange) -> None:
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as exc:  # a twin request with the same key won
        raise Conflict(
            "profile_change_busy", "Another change of this customer was just made."
        ) from exc


def _send_codes(change: ProfileChange, customer: Customer, now: datetime) -> None:
    """A code to the registered number (staff edits) and to the new number,
    for the numbers not yet confirmed; the change lives as long as they do."""
    language, user = customer.language, customer.user
    expiries = []
    if change.needs_registered_code and change.registered_confirmed_at is None:
        otp = otp_request(
            phone=change.phone_registered, purpose=PURPOSE, language=language, user=user
        )
        change.otp_registered, change.registered_confirmed_at = otp, None
        expiries.append(otp.expires_at)
    if change.needs_new_code and change.new_confirmed_at is None:
        otp = otp_request(phone=change.phone_new, purpose=PURPOSE, language=language)
        change.otp_new = otp
        expiries.append(otp.expires_at)
    ttl = timedelta(minutes=int(getattr(settings, "OTP_TTL_MINUTES", 10)))
    change.expires_at = min(expiries) if expiries else now + ttl


def _tell_registered(change: ProfileChange, customer: Customer, template: str) -> None:
    """An SMS to the registered number saying what is (being) changed."""
    with translation.override(customer.language):
        fields = ", ".join(field_label(f) for f in change.fields)
        who = change.requested_by.get_full_name() or change.requested_by.username
    message_queue(
        channel=Channel.SMS,
        template=template,
        phone=str(change.phone_registered),
        language=customer.language,
        context={
            "customer_id": customer.customer_id,
            "fields": fields,
            "by": who,
            "by_customer": change.source == ProfileChangeSource.CUSTOMER,
            "new_phone_end": str(change.phone_new)[-4:],
            "company": customer.company.name,
            "helpline": customer.company.helpline,
        },
    )


# --- confirm, cancel, resend --------------------------------------------------------
def profile_change_confirm(
    *,
    change: ProfileChange,
    by: User,
    code_registered: str = "",
    code_new: str = "",
) -> ProfileChange:
    """Check the codes still needed and apply the change. A code that is
    right is remembered, so after a wrong second code only that one is asked
    again. Confirming a confirmed change again returns it (a retry)."""
    _source(change.customer, by)
    change = ProfileChange.objects.select_related("customer").get(pk=change.pk)
    if change.state == S.CONFIRMED:
        return change
    _expect_pending(change)
    if change.needs_registered_code and change.registered_confirmed_at is None:
        _verify(change, "registered", code_registered)
    if change.needs_new_code and change.new_confirmed_at is None:
        _verify(change, "new", code_new)
    change, refusal = _confirm(change.pk, by)
    if refusal is not None:
        raise refusal
    return change


def _expect_pending(change: ProfileChange) -> None:
    """Conflict unless the change waits; a change whose codes died is closed
    as expired first (committed, so the page shows it)."""
    if change.state == S.PENDING and change.expires_at <= timezone.now():
        with transaction.atomic():
            ProfileChange.objects.filter(pk=change.pk, state=S.PENDING).update(
                state=S.EXPIRED, closed_at=timezone.now(), note="The codes expired."
            )
        change.refresh_from_db()
    if change.state == S.EXPIRED:
        raise Conflict(
            "profile_change_expired",
            "The codes for this change have expired. Make the change again.",
        )
    if change.state != S.PENDING:
        raise Conflict(
            "profile_change_closed",
            f"This change is {ProfileChangeState(change.state).label.lower()}.",
        )


def _verify(change: ProfileChange, which: str, code: str) -> None:
    field = CODE_FIELDS[which]
    phone = change.phone_registered if which == "registered" else change.phone_new
    sent = change.otp_registered_id if which == "registered" else change.otp_new_id
    if not (code or "").strip():
        raise ValidationFailed(
            "otp_required", f"Enter the code sent to {phone}.", field=field
        )
    latest = (
        OtpCode.objects.filter(phone=phone, purpose=PURPOSE)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if sent is None or latest != sent:
        raise ValidationFailed(
            "otp_superseded",
            "A newer code went to this number for another change. Send the "
            "codes again.",
            field=field,
        )
    try:
        otp_verify(phone=str(phone), purpose=PURPOSE, code=code)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.code, exc.message, field=field) from exc
    with transaction.atomic():
        ProfileChange.objects.filter(pk=change.pk, state=S.PENDING).update(
            **{f"{which}_confirmed_at": timezone.now()}
        )
    setattr(change, f"{which}_confirmed_at", timezone.now())


@transaction.atomic
def _confirm(pk: int, by: User) -> tuple[ProfileChange, Conflict | None]:
    """Apply under the locks; a record edited meanwhile closes the change
    (committed) and returns the refusal for the caller to raise."""
    change = ProfileChange.objects.select_for_update().get(pk=pk)
    if change.state == S.CONFIRMED:
        return change, None
    if change.state != S.PENDING:
        return change, Conflict(
            "profile_change_closed", "This change was closed meanwhile."
        )
    customer = _lock_customer(change.customer_id)
    now = timezone.now()
    stale = [f for f, (old, _new) in change.changes.items() if _now(customer, f) != old]
    if stale:
        _close(change, S.CANCELLED, by, now, "The record changed meanwhile.")
        return change, Conflict(
            "profile_changed_meanwhile",
            f"The customer's {stale[0]} changed since this change was asked for. "
            "Make the change again.",
            field=stale[0],
        )
    return _apply(change, customer, by, now), None


def _now(customer: Customer, field: str) -> str:
    return str(getattr(customer, field) or "")


def _apply(
    change: ProfileChange, customer: Customer, by: User, now: datetime
) -> ProfileChange:
    """Write the new values onto the locked customer (one history record, by
    the requester) and close the change as confirmed."""
    for field, (_old, new) in change.changes.items():
        setattr(customer, field, new)
    if change.phone_new:
        customer.user = customer_user_for_phone(
            phone=str(change.phone_new), language=customer.language
        )
    coded = change.needs_registered_code or change.needs_new_code
    reason = f"Profile change {change.pk}"
    validated_save(
        customer,
        by=change.requested_by,
        reason=f"{reason}, confirmed by code ({by.username})" if coded else reason,
    )
    _close(change, S.CONFIRMED, by, now, change.note)
    if change.phone_new:
        _tell_registered(change, customer, "profile_phone_changed")
    return change


@transaction.atomic
def profile_change_cancel(*, change: ProfileChange, by: User) -> ProfileChange:
    """Withdraw a waiting change (the requester, other staff who may edit the
    customer, or the customer declining it). Cancelling twice is harmless."""
    _source(change.customer, by)
    change = ProfileChange.objects.select_for_update().get(pk=change.pk)
    if change.state == S.CANCELLED:
        return change
    if change.state != S.PENDING:
        raise Conflict(
            "profile_change_closed",
            f"This change is {ProfileChangeState(change.state).label.lower()}.",
        )
    who = "the customer" if by.kind == User.Kind.CUSTOMER else by.username
    _close(change, S.CANCELLED, by, timezone.now(), f"Cancelled by {who}.")
    return change


def profile_change_resend(
    *, change: ProfileChange, by: User, idempotency_key: str | None = ""
) -> ProfileChange:
    """New codes for the numbers not yet confirmed (an SMS that never came);
    the change then lives as long as the new codes. A retry with the same key
    sends nothing more."""
    _source(change.customer, by)
    key = _key(idempotency_key)
    change = ProfileChange.objects.select_related("customer").get(pk=change.pk)
    if key and key == change.resend_key:
        return change
    _expect_pending(change)
    with transaction.atomic():
        change = ProfileChange.objects.select_for_update().get(pk=change.pk)
        _expect_pending(change)
        customer = _lock_customer(change.customer_id)
        _send_codes(change, customer, timezone.now())
        change.resend_key = key
        change.save()
    return change
