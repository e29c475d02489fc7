"""Fixtures for the workflow tests: a kind of our own (no customer, a handler
that counts its runs) and a helper that walks a request along the chain."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mcoms.core.errors import ValidationFailed
from mcoms.notifications.models import Channel, Message
from mcoms.notifications.testing import sms_outbox
from mcoms.workflow import services
from mcoms.workflow.kinds import RaiseInput, RequestKind, registered
from mcoms.workflow.models import Request
from tests.builders import World

__all__ = ["sms_outbox"]

RUNS: list[str] = []


def _probe_validate(data: RaiseInput) -> dict[str, Any]:
    if data.payload.get("bad"):
        raise ValidationFailed("probe_bad", "Bad probe.", field="bad")
    return {"size": int(data.payload.get("size", 1))}


def _probe_perform(req: Request, by: Any) -> dict[str, Any]:
    RUNS.append(req.number)
    return {"runs": RUNS.count(req.number)}


PROBE = RequestKind(
    code="probe",
    label="Probe",
    validate=_probe_validate,
    perform=_probe_perform,
    needs_subject=False,
)


@pytest.fixture
def probe() -> Iterator[RequestKind]:
    RUNS.clear()
    with registered(PROBE) as kind:
        yield kind
    RUNS.clear()


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def raise_probe(world: World, probe: RequestKind) -> Callable[..., Request]:
    def make(by: str = "csa", plant: str = "BHKATS", **kw: Any) -> Request:
        req, created = services.request_raise(
            kind="probe",
            plant=world.plants[plant],
            payload=kw.pop("payload", {"size": 2}),
            idempotency_key=kw.pop("idempotency_key", key()),
            by=world.user(by),
            **kw,
        )
        assert created
        return req

    return make


def walk(world: World, req: Request, to: str) -> Request:
    """Take ``req`` (at Request) through the chain with the world's people up to
    ``to``: approved, in_process (assigned to the technician), review, completed."""
    order = ["approved", "in_process", "review", "completed"]
    steps: dict[str, Callable[[Request], Request]] = {
        "approved": lambda r: services.request_approve(
            request=r, by=world.user("state_incharge")
        ),
        "in_process": lambda r: services.request_assign(
            request=r,
            assignee=world.user("technician"),
            by=world.user("cluster_incharge"),
        ),
        "review": lambda r: services.request_execute(
            request=r, by=world.user("technician")
        ),
        "completed": lambda r: services.request_complete(
            request=r, by=world.user("cluster_incharge")
        ),
    }
    for state in order[: order.index(to) + 1]:
        req = steps[state](req)
    return req


def inbox(username: str, template: str | None = None) -> list[Message]:
    qs = Message.objects.filter(user__username=username, channel=Channel.INAPP)
    if template:
        qs = qs.filter(template=template)
    return list(qs)
