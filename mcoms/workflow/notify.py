"""Who is told what after each step of a request (manual 3.14: "MCOMS
automatically notifies different personnel when their input, approval, or
action is needed").

Staff are told in the app (channel ``inapp``: the field app's bell and inbox),
in their own language. The messages are written to the outbox in the
transaction of the step, so a step that rolls back tells nobody, and they are
delivered after commit (``notifications.services.message_queue``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation

from mcoms.notifications.models import Channel
from mcoms.notifications.services import message_queue
from mcoms.org.models import User
from mcoms.org.permissions import Action
from mcoms.workflow.kinds import kind_label
from mcoms.workflow.models import Request, RequestState, StepAction
from mcoms.workflow.selectors import next_actors


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _context(req: Request, by: User, note: str) -> dict[str, Any]:
    subject = req.subject
    return {
        "number": req.number,
        "plant": req.plant.key,
        "customer": f"{subject.customer_id} {subject.name}" if subject else "",
        "actor": _name(by),
        "assignee": _name(req.assigned_to),
        "note": note,
    }


def _send(users: Iterable[User], template: str, context: dict[str, Any]) -> None:
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        with translation.override(user.language or "en"):
            kind = kind_label(context["kind_code"])
        message_queue(
            channel=Channel.INAPP,
            template=template,
            user=user,
            context={**context, "kind": kind},
        )


def _others(users: Iterable[User | None], by: User) -> list[User]:
    return [u for u in users if u is not None and u.pk != by.pk]


def request_notify(
    req: Request,
    *,
    action: str,
    by: User,
    note: str = "",
    previous_assignee: User | None = None,
) -> None:
    """Queue the messages due after ``action`` (a ``StepAction``) on ``req``."""
    context = _context(req, by, note) | {"kind_code": req.kind}
    plant = req.plant
    if action in (StepAction.RAISE, StepAction.APPROVE):
        if req.state == RequestState.REQUEST:
            approvers = next_actors(plant, Action.REQUEST_APPROVE, exclude=by)
            _send(approvers, "request_to_approve", context)
        else:
            assigners = next_actors(plant, Action.REQUEST_ASSIGN, exclude=by)
            _send(assigners, "request_to_assign", context)
    elif action in (StepAction.ASSIGN, StepAction.REASSIGN):
        _send(_others([req.assigned_to], by), "request_assigned", context)
        _send(_others([previous_assignee], by), "request_unassigned", context)
    elif action == StepAction.EXECUTE:
        reviewers = next_actors(plant, Action.REQUEST_REVIEW, exclude=by)
        _send(reviewers, "request_to_review", context)
    elif action == StepAction.REOPEN:
        _send(_others([req.assigned_to], by), "request_reopened", context)
    elif action == StepAction.REJECT:
        people = _others([req.raised_by, req.assigned_to], by)
        _send(people, "request_rejected", context)
    elif action == StepAction.COMPLETE:
        people = _others([req.raised_by, req.executed_by], by)
        _send(people, "request_completed", context)
