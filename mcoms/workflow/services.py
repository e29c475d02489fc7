"""Writes of the approval chain: raise, approve, assign, reject, execute,
complete (manual 3.5.6; docs/workflow.md has the state diagram).

Every transition, in one transaction:

1. checks the actor's designation (``Forbidden``, 403) for the permission
   action of the step (``request.approve`` ...);
2. locks the request row and re-reads it; a request of a plant outside the
   actor's scope is ``NotFound`` (404);
3. a retry with the idempotency key of a step already taken returns the
   request unchanged;
4. refuses a step that the current state does not allow (``Conflict``
   ``request_wrong_state``, 409);
5. changes the request, writes a ``RequestStep`` and queues the messages to
   the next actor(s), delivered after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from mcoms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mcoms.org.access import node_in_scope, staff_for
from mcoms.org.models import Plant, Staff, User
from mcoms.org.permissions import Action, allowed
from mcoms.workflow.kinds import RaiseInput, RequestKind, get_kind
from mcoms.workflow.locks import lock_request
from mcoms.workflow.models import (
    Request,
    RequestSequence,
    RequestState,
    RequestStep,
    StepAction,
)
from mcoms.workflow.notify import request_notify
from mcoms.workflow.selectors import REJECTERS

S = RequestState
TEXT_MAX = 1000
REASON_MAX = 255


# --- checks -------------------------------------------------------------------------
def _staff(by: User) -> Staff:
    staff = staff_for(by)
    if staff is None:
        raise Forbidden("designation_not_allowed", "Only staff handle requests.")
    return staff


def _require(by: User, action: Action) -> Staff:
    staff = _staff(by)
    if not allowed(staff.designation, action):
        raise Forbidden(
            "designation_not_allowed",
            f"Your designation does not allow {action.value}.",
        )
    return staff


def _key(raw: str | None, *, required: bool) -> str | None:
    key = (raw or "").strip()
    if not key:
        if required:
            raise ValidationFailed(
                "idempotency_key_missing", "An idempotency key is needed."
            )
        return None
    if len(key) > 120:
        raise ValidationFailed(
            "idempotency_key_invalid", "An idempotency key has 1-120 characters."
        )
    return key


def _text(raw: str | None, field: str, limit: int = TEXT_MAX) -> str:
    text = (raw or "").strip()
    if len(text) > limit:
        raise ValidationFailed(
            f"{field}_too_long", f"At most {limit} characters.", field=field
        )
    return text


def _in_scope(staff: Staff, plant: Plant) -> bool:
    return plant.company_id == staff.company_id and node_in_scope(staff, plant)


def _begin(req: Request, staff: Staff) -> Request:
    """Lock and re-read the request; 404 when it lies outside the scope."""
    locked = lock_request(req.pk)
    if not _in_scope(staff, locked.plant):
        raise NotFound("request_not_found", f"No request {locked.number} in scope.")
    return locked


def _expect(req: Request, states: tuple[str, ...], verb: str) -> None:
    if req.state not in states:
        raise Conflict(
            "request_wrong_state",
            f"Request {req.number} is {req.state}; it cannot be {verb} now.",
        )


def _replayed(req: Request, key: str | None, actions: tuple[str, ...]) -> bool:
    """A step with this key was already taken on this request: a retry."""
    if key is None:
        return False
    step = req.steps.filter(idempotency_key=key).first()
    if step is None:
        return False
    if step.action not in actions:
        raise Conflict(
            "idempotency_key_reused",
            f"Key {key!r:.40} was already used for another step.",
        )
    return True


def _move(
    req: Request,
    *,
    to: str,
    action: str,
    by: User,
    note: str = "",
    key: str | None = None,
    assignee: User | None = None,
) -> RequestStep:
    """Change the state and record the step (same transaction)."""
    step = RequestStep.objects.create(
        request=req,
        at=timezone.now(),
        by=by,
        action=action,
        from_state=req.state,
        to_state=to,
        note=note,
        assignee=assignee,
        idempotency_key=key,
    )
    req.state = to
    if to in (S.COMPLETED, S.REJECTED):
        req.exclusive_key = None
        req.closed_by, req.closed_at = by, step.at
    req.save()
    return step


# --- raise --------------------------------------------------------------------------
@transaction.atomic
def request_raise(
    *,
    kind: str,
    plant: Plant,
    subject: Any = None,
    comments: str = "",
    payload: dict[str, Any] | None = None,
    idempotency_key: str,
    by: User,
) -> tuple[Request, bool]:
    """Raise a request; returns it and whether this call created it (False: a
    retry with the same key returned the first request).

    A retry racing the first call waits on the same locks (the subject's row,
    the plant's number) and then finds the first request by its key."""
    staff = _require(by, Action.REQUEST_RAISE)
    spec = get_kind(kind)
    key = _key(idempotency_key, required=True)
    assert key is not None  # noqa: S101 (required above)
    if (first := _raised(staff.company_id, key, spec, plant, subject)) is not None:
        return first, False
    if not _in_scope(staff, plant):
        raise NotFound("plant_not_found", f"No plant {plant.key} in your scope.")
    subject = _check_subject(spec, plant, subject)  # locked
    if (first := _raised(staff.company_id, key, spec, plant, subject)) is not None:
        return first, False
    data = RaiseInput(
        plant=plant,
        subject=subject,
        payload=dict(payload or {}),
        comments=_text(comments, "comments"),
        by=by,
    )
    cleaned = spec.validate(data)
    exclusive = spec.exclusive_key(data) if spec.exclusive_key else None
    _refuse_open(staff.company_id, exclusive)
    try:
        with transaction.atomic():
            req = _insert(spec, data, cleaned, key, exclusive)
    except IntegrityError:
        # The same key raised at another plant, or the exclusive key taken,
        # by a transaction that committed while this one ran.
        first = _raised(staff.company_id, key, spec, plant, subject)
        if first is not None:
            return first, False
        _refuse_open(staff.company_id, exclusive)
        raise
    _after_raise(req, spec, by)
    return req, True


def _raised(
    company_id: int, key: str, spec: RequestKind, plant: Plant, subject: Any
) -> Request | None:
    """The request raised before with this key (checked to be the same one)."""
    existing = Request.objects.filter(company_id=company_id, idempotency_key=key)
    first = existing.first()
    if first is None:
        return None
    same = (
        first.kind == spec.code
        and first.plant_id == plant.pk
        and first.subject_id == (subject.pk if subject is not None else None)
    )
    if not same:
        raise Conflict(
            "idempotency_key_reused",
            f"Key {key!r:.40} was used for another request.",
        )
    return first


def _check_subject(spec: RequestKind, plant: Plant, subject: Any) -> Any:
    """The subject, locked and freshly read (the kind validates its state)."""
    if subject is None:
        if spec.needs_subject:
            raise ValidationFailed(
                "request_customer_missing",
                "This kind of request needs a customer.",
                field="customer",
            )
        return None
    if not spec.needs_subject:
        raise ValidationFailed(
            "request_customer_unexpected",
            "This kind of request is not about a customer.",
            field="customer",
        )
    if subject.plant_id != plant.pk:
        raise ValidationFailed(
            "customer_other_plant",
            f"Customer {subject.customer_id} is not connected at {plant.key}.",
            field="customer",
        )
    manager = type(subject)._default_manager
    return manager.select_for_update(of=("self",)).get(pk=subject.pk)


def _refuse_open(company_id: int, exclusive: str | None) -> None:
    if exclusive is None:
        return
    open_req = Request.objects.filter(
        company_id=company_id, exclusive_key=exclusive
    ).first()
    if open_req is not None:
        raise Conflict(
            "request_already_open",
            f"Request {open_req.number} for this is still open.",
        )


def _next_seq(plant: Plant) -> int:
    """The plant's next request number, its counter row locked until commit."""
    counters = RequestSequence.objects.select_for_update()
    counter = counters.filter(plant=plant).first()
    if counter is None:
        last = Request.objects.filter(plant=plant).aggregate(m=Max("seq"))["m"]
        try:
            with transaction.atomic():
                RequestSequence.objects.create(plant=plant, last=last or 0)
        except IntegrityError:
            pass  # created by a concurrent raise: lock theirs
        counter = counters.get(plant=plant)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _insert(
    spec: RequestKind,
    data: RaiseInput,
    payload: dict[str, Any],
    key: str,
    exclusive: str | None,
) -> Request:
    plant = data.plant
    seq = _next_seq(plant)
    return Request.objects.create(
        company_id=plant.company_id,
        plant=plant,
        seq=seq,
        number=f"{plant.key}-{seq:05d}",
        kind=spec.code,
        subject=data.subject,
        comments=data.comments,
        payload=payload,
        state=S.REQUEST,
        raised_by=data.by,
        raised_at=timezone.now(),
        idempotency_key=key,
        exclusive_key=exclusive,
    )


def _after_raise(req: Request, spec: RequestKind, by: User) -> None:
    _record(req, StepAction.RAISE, by, req.comments)
    if not spec.needs_approval:
        _move(req, to=S.APPROVED, action=StepAction.APPROVE, by=by)
        req.approved_by, req.approved_at = by, req.raised_at
        req.save(update_fields=["approved_by", "approved_at"])
    request_notify(req, action=StepAction.RAISE, by=by, note=req.comments)


def _record(req: Request, action: str, by: User, note: str) -> None:
    RequestStep.objects.create(
        request=req,
        at=req.raised_at,
        by=by,
        action=action,
        from_state="",
        to_state=req.state,
        note=note,
        idempotency_key=req.idempotency_key,
    )


# --- approve, assign ----------------------------------------------------------------
@transaction.atomic
def request_approve(
    *, request: Request, by: User, note: str = "", idempotency_key: str | None = None
) -> Request:
    """Request -> Approved (the State In-charge approves)."""
    staff = _require(by, Action.REQUEST_APPROVE)
    key = _key(idempotency_key, required=False)
    note = _text(note, "note")
    req = _begin(request, staff)
    if _replayed(req, key, (StepAction.APPROVE,)):
        return req
    _expect(req, (S.REQUEST,), "approved")
    step = _move(
        req, to=S.APPROVED, action=StepAction.APPROVE, by=by, note=note, key=key
    )
    req.approved_by, req.approved_at = by, step.at
    req.save(update_fields=["approved_by", "approved_at"])
    request_notify(req, action=StepAction.APPROVE, by=by, note=note)
    return req


def _check_assignee(req: Request, assignee: User) -> None:
    staff = staff_for(assignee)
    if staff is None or staff.company_id != req.company_id:
        raise ValidationFailed(
            "assignee_unknown", "No such member of staff.", field="assignee"
        )
    if not allowed(staff.designation, Action.REQUEST_EXECUTE):
        raise ValidationFailed(
            "assignee_cannot_execute",
            f"A {staff.get_designation_display()} does not execute requests.",
            field="assignee",
        )
    if not node_in_scope(staff, req.plant):
        raise ValidationFailed(
            "assignee_out_of_scope",
            f"{assignee.username} does not work at {req.plant.key}.",
            field="assignee",
        )


@transaction.atomic
def request_assign(
    *,
    request: Request,
    assignee: User,
    by: User,
    note: str = "",
    idempotency_key: str | None = None,
) -> Request:
    """Approved -> In Process (register and assign), or re-assign while In
    Process (the Cluster In-charge)."""
    staff = _require(by, Action.REQUEST_ASSIGN)
    key = _key(idempotency_key, required=False)
    note = _text(note, "note")
    req = _begin(request, staff)
    if _replayed(req, key, (StepAction.ASSIGN, StepAction.REASSIGN)):
        return req
    _expect(req, (S.APPROVED, S.IN_PROCESS), "assigned")
    _check_assignee(req, assignee)
    previous = req.assigned_to
    if previous is not None and previous.pk == assignee.pk:
        raise Conflict(
            "request_already_assigned",
            f"Request {req.number} is already assigned to {assignee.username}.",
        )
    action = StepAction.REASSIGN if req.state == S.IN_PROCESS else StepAction.ASSIGN
    step = _move(
        req,
        to=S.IN_PROCESS,
        action=action,
        by=by,
        note=note,
        key=key,
        assignee=assignee,
    )
    req.assigned_to, req.assigned_by, req.assigned_at = assignee, by, step.at
    req.save(update_fields=["assigned_to", "assigned_by", "assigned_at"])
    request_notify(req, action=action, by=by, note=note, previous_assignee=previous)
    return req


# --- reject -------------------------------------------------------------------------
@transaction.atomic
def request_reject(
    *,
    request: Request,
    reason: str,
    by: User,
    idempotency_key: str | None = None,
) -> Request:
    """Reject with a reason: closes the request (Rejected), except at Review,
    where it goes back to In Process for the assignee to redo (manual 3.6.2:
    "Reject re-opens it and notifies the relevant personnel")."""
    staff = _staff(by)
    if not any(
        allowed(staff.designation, a) for acts in REJECTERS.values() for a in acts
    ):
        raise Forbidden("designation_not_allowed", "Your designation cannot reject.")
    key = _key(idempotency_key, required=False)
    reason = _text(reason, "reason", REASON_MAX)
    req = _begin(request, staff)
    if _replayed(req, key, (StepAction.REJECT, StepAction.REOPEN)):
        return req
    _expect(req, tuple(REJECTERS), "rejected")
    if not any(allowed(staff.designation, a) for a in REJECTERS[req.state]):
        raise Forbidden(
            "designation_not_allowed",
            f"Your designation cannot reject a request in {req.state}.",
        )
    if not reason:
        raise ValidationFailed(
            "reject_reason_missing", "Give the reason for rejecting.", field="reason"
        )
    if req.state == S.REVIEW:
        _move(
            req, to=S.IN_PROCESS, action=StepAction.REOPEN, by=by, note=reason, key=key
        )
        request_notify(req, action=StepAction.REOPEN, by=by, note=reason)
        return req
    if req.executed_at is not None:
        _revert(req, by)
    req.reject_reason = reason
    _move(req, to=S.REJECTED, action=StepAction.REJECT, by=by, note=reason, key=key)
    request_notify(req, action=StepAction.REJECT, by=by, note=reason)
    return req


def _revert(req: Request, by: User) -> None:
    spec = get_kind(req.kind)
    if spec.revert is None:
        raise Conflict(
            "request_already_executed",
            f"Request {req.number} was executed and cannot be undone; complete it.",
        )
    spec.revert(req, by)


# --- execute, complete -------------------------------------------------------------
@transaction.atomic
def request_execute(
    *, request: Request, by: User, note: str = "", idempotency_key: str | None = None
) -> Request:
    """In Process -> Review: the assignee does the work; the kind's handler
    runs in this transaction."""
    staff = _require(by, Action.REQUEST_EXECUTE)
    key = _key(idempotency_key, required=False)
    note = _text(note, "note")
    req = _begin(request, staff)
    if _replayed(req, key, (StepAction.EXECUTE,)):
        return req
    _expect(req, (S.IN_PROCESS,), "executed")
    if req.assigned_to_id != by.pk:
        raise Forbidden(
            "request_not_assignee",
            f"Request {req.number} is assigned to someone else.",
        )
    req.result = get_kind(req.kind).perform(req, by) or {}
    step = _move(req, to=S.REVIEW, action=StepAction.EXECUTE, by=by, note=note, key=key)
    req.executed_by, req.executed_at = by, step.at
    req.save(update_fields=["executed_by", "executed_at"])
    request_notify(req, action=StepAction.EXECUTE, by=by, note=note)
    return req


@transaction.atomic
def request_complete(
    *, request: Request, by: User, note: str = "", idempotency_key: str | None = None
) -> Request:
    """Review -> Completed: a reviewer other than the one who did the work."""
    staff = _require(by, Action.REQUEST_REVIEW)
    key = _key(idempotency_key, required=False)
    note = _text(note, "note")
    req = _begin(request, staff)
    if _replayed(req, key, (StepAction.COMPLETE,)):
        return req
    _expect(req, (S.REVIEW,), "completed")
    if req.executed_by_id == by.pk:
        raise Forbidden(
            "request_review_own_work", "Someone else must review your own work."
        )
    _move(req, to=S.COMPLETED, action=StepAction.COMPLETE, by=by, note=note, key=key)
    request_notify(req, action=StepAction.COMPLETE, by=by, note=note)
    return req


# --- one entry point for interfaces -----------------------------------------------
STEPS = ("approve", "assign", "reject", "execute", "complete")


def request_step(
    *,
    request: Request,
    action: str,
    by: User,
    note: str = "",
    reason: str = "",
    assignee: User | None = None,
    idempotency_key: str | None = None,
) -> Request:
    """Take the step named ``action`` (one of ``STEPS``): what a button or an
    API call names; the step's own service does the work and the checks."""
    key = idempotency_key
    if action == "approve":
        return request_approve(request=request, by=by, note=note, idempotency_key=key)
    if action == "assign":
        if assignee is None:
            raise ValidationFailed(
                "assignee_unknown", "Choose who carries it out.", field="assignee"
            )
        return request_assign(
            request=request, assignee=assignee, by=by, note=note, idempotency_key=key
        )
    if action == "reject":
        return request_reject(
            request=request, reason=reason, by=by, idempotency_key=key
        )
    if action == "execute":
        return request_execute(request=request, by=by, note=note, idempotency_key=key)
    if action == "complete":
        return request_complete(request=request, by=by, note=note, idempotency_key=key)
    raise ValidationFailed("request_step_unknown", f"No step {action!r:.20}.")
