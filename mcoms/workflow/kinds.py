"""The registry of request kinds: how domain apps plug into the approval chain.

A domain app describes each kind of request it handles with a ``RequestKind``
and registers it from a module named ``workflow_kinds`` (found at start-up by
``WorkflowConfig.ready``)::

    # mcoms/customers/workflow_kinds.py
    from mcoms.workflow.kinds import RequestKind, register

    register(RequestKind(code="deactivation", label=_("De-activation"),
                         validate=..., perform=..., revert=...))

The workflow app then raises, approves, assigns, executes and reviews requests
of that kind without knowing what they do:

* ``validate(RaiseInput) -> payload``: on raise, in the raise transaction;
  refuses bad input by raising ``mcoms.core.errors.DomainError``; returns the
  payload to store (cleaned).
* ``perform(request, by) -> result``: on execute, in the execute transaction,
  after the request row is locked; returns a JSON-able dict kept on the
  request. It may run again after a reviewer sends the request back, so it
  must be idempotent (a second run changes nothing that the first did).
* ``revert(request, by)``: optional; undoes ``perform`` when an executed
  request is rejected for good. A kind without it cannot be rejected once
  executed (it must be completed, or a new request raised to undo it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from mcoms.core.errors import ValidationFailed

if TYPE_CHECKING:
    from mcoms.org.models import Plant, User
    from mcoms.workflow.models import Request

KIND_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class RaiseInput:
    """What a kind's ``validate`` gets when someone raises a request."""

    plant: Plant
    subject: Any | None
    payload: dict[str, Any]
    comments: str
    by: User


Validate = Callable[[RaiseInput], dict[str, Any]]
Perform = Callable[["Request", "User"], dict[str, Any]]
Revert = Callable[["Request", "User"], None]
ExclusiveKey = Callable[[RaiseInput], str | None]
Describe = Callable[[dict[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True)
class RequestKind:
    code: str
    label: str | Promise
    validate: Validate
    perform: Perform
    revert: Revert | None = None
    # The request is about one customer (the subject); refused without one.
    needs_subject: bool = True
    # False: raising puts the request straight into Approved (e.g. service
    # requests and meter release, which have no approval step).
    needs_approval: bool = True
    # At most one open request per key (e.g. per customer); None: no limit.
    exclusive_key: ExclusiveKey | None = None
    # The payload as (label, value) lines for people to read on screens.
    describe: Describe | None = None


_registry: dict[str, RequestKind] = {}


def register(kind: RequestKind) -> RequestKind:
    """Add a kind; registering another kind under a taken code is a mistake."""
    if not KIND_CODE.match(kind.code):
        raise ImproperlyConfigured(f"Bad request kind code {kind.code!r}.")
    existing = _registry.get(kind.code)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"Request kind {kind.code!r} is registered twice.")
    _registry[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    _registry.pop(code, None)


@contextmanager
def registered(kind: RequestKind) -> Iterator[RequestKind]:
    """Register ``kind`` for the duration of a block (tests)."""
    register(kind)
    try:
        yield kind
    finally:
        unregister(kind.code)


def get(code: str) -> RequestKind | None:
    """The registered kind, or None."""
    return _registry.get(code)


def get_kind(code: str) -> RequestKind:
    kind = _registry.get(code)
    if kind is None:
        raise ValidationFailed(
            "request_kind_unknown",
            f"There is no request kind {code!r:.50}.",
            field="kind",
        )
    return kind


def all_kinds() -> list[RequestKind]:
    return sorted(_registry.values(), key=lambda k: k.code)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, str(k.label)) for k in all_kinds()]


def describe_payload(code: str, payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The request's details for a screen: the kind's own wording, or the raw
    keys and values."""
    kind = _registry.get(code)
    if kind is not None and kind.describe is not None:
        return kind.describe(payload)
    return [(str(k), str(v)) for k, v in sorted(payload.items())]


def kind_label(code: str) -> str:
    kind = _registry.get(code)
    return str(kind.label) if kind is not None else code
