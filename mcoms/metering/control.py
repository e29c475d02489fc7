"""Meter control (manual 3.4.5 Spark Server, 3.5.8 Temporary Disconnect, 3.8.4
Smart Meter Status, 3.8.5 Smart Feeder Status, 3.8.8 TERMS Status): ON, OFF,
AUTO, reset, load limit, timing schedule and tokens, for one meter, a feeder
or a whole plant (the plant master switch).

* ``command_request`` writes the command (and, for a feeder or a plant, one
  child command per meter it reaches) with its ``queued`` event, in one
  transaction, idempotent on (company, key). The sends are queued as tasks
  after commit, never inside the transaction.
* ``command_dispatch`` (the task) claims one queued command with a
  compare-and-swap, sends it through the meter's driver, and records the
  outcome: acknowledged (the meter's switch state, limit or schedule follow),
  queued again with a back-off when the failure may pass, or failed after the
  last attempt or a refusal. A parent settles when its last child does.
* ``commands_sweep`` (``manage.py dispatch_meter_commands``, or the task)
  sends what is due again and takes back what a dead worker left ``sent``.

Every state a command takes is a ``CommandEvent`` row (the audit trail).
Permissions are the interfaces' (``required_action``), always with the
meter's, feeder's or plant's scope.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_tasks import default_task_backend, task

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.services import validated_save
from mcoms.metering.drivers import DriverCommand, Outcome, driver_for
from mcoms.metering.drivers import remote_driver_names as remote_drivers
from mcoms.metering.models import (
    CommandAction,
    CommandEvent,
    CommandState,
    CommandTarget,
    Meter,
    MeterCommand,
    MeterKind,
    MeterLocation,
    SwitchState,
)
from mcoms.org.models import Feeder, Plant
from mcoms.org.permissions import Action

logger = logging.getLogger(__name__)

A = CommandAction
S = CommandState
CONTROLLABLE_KINDS = (MeterKind.SMART, MeterKind.LOAD_LIMITER)
SWITCH_ACTIONS = frozenset({A.ON, A.OFF, A.AUTO, A.RESET})
GROUP_ACTIONS = frozenset({A.SET_LIMIT, A.SET_SCHEDULE})  # in-charges only
FINAL = (S.ACKNOWLEDGED, S.FAILED)
MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=30)
STALE_AFTER = timedelta(minutes=10)
LIMIT_MAX_W = 100_000
WINDOWS_MAX = 6
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
TOKEN = re.compile(r"^\d{9,20}$")
PARAMS: dict[str, set[str]] = {
    A.SET_LIMIT: {"limit_w"},
    A.SET_SCHEDULE: {"windows"},
    A.TOKEN: {"token"},
}
# Commands that replace an earlier one of the same group on the same meter.
GROUPS: dict[str, str] = {
    **dict.fromkeys(SWITCH_ACTIONS, "switch"),
    A.SET_LIMIT: "limit",
    A.SET_SCHEDULE: "schedule",
}

Target = Meter | Feeder | Plant


def required_action(*, target: str, action: str) -> Action:
    """The permission a command needs: one meter's switch and reset (and a
    token) is ``METER_CONTROL``; a feeder, a plant, a load limit or a schedule
    is ``METER_GROUP_CONTROL``."""
    if target != CommandTarget.METER or action in GROUP_ACTIONS:
        return Action.METER_GROUP_CONTROL
    return Action.METER_CONTROL


def reachable(qs: QuerySet[Meter]) -> QuerySet[Meter]:
    """Meters a command can reach: smart meters and load limiters with a
    remote driver."""
    return qs.filter(kind__in=CONTROLLABLE_KINDS, driver__in=remote_drivers())


def is_reachable(meter: Meter) -> bool:
    return meter.kind in CONTROLLABLE_KINDS and meter.driver in remote_drivers()


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


# --- validation -------------------------------------------------------------------
def _refuse(code: str, message: str, field: str = "params") -> ValidationFailed:
    return ValidationFailed(code, message, field=field)


def _windows(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= WINDOWS_MAX:
        raise _refuse(
            "schedule_invalid",
            f"A schedule is 1 to {WINDOWS_MAX} windows of supply.",
        )
    out = []
    for window in raw:
        if not isinstance(window, dict) or set(window) != {"from", "to"}:
            raise _refuse("schedule_invalid", 'Each window is {"from", "to"}.')
        start, end = str(window["from"]), str(window["to"])
        if not TIME.match(start) or not TIME.match(end) or start == end:
            raise _refuse(
                "schedule_invalid", "Window times are HH:MM, from and to differ."
            )
        out.append({"from": start, "to": end})
    return out


def clean_params(action: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters an action takes, checked: none for the switch and reset;
    ``limit_w`` (watts) for a load limit; ``windows`` for a schedule (each
    ``{"from": "18:00", "to": "23:00"}``, overnight allowed); ``token``
    (9 to 20 digits) for a token."""
    if action not in A.values:
        raise _refuse("command_action_unknown", "Unknown action.", field="action")
    params = dict(params or {})
    wanted: set[str] = PARAMS.get(action, set())
    if set(params) != wanted:
        names = ", ".join(sorted(wanted)) or "no parameters"
        raise _refuse("command_params_invalid", f"This action takes {names}.")
    if action == A.SET_LIMIT:
        limit = params["limit_w"]
        if isinstance(limit, bool) or not isinstance(limit, int | str):
            raise _refuse("limit_invalid", "The load limit is whole watts.")
        try:
            watts = int(str(limit).strip())
        except ValueError:
            raise _refuse("limit_invalid", "The load limit is whole watts.") from None
        if not 1 <= watts <= LIMIT_MAX_W:
            raise _refuse(
                "limit_invalid", f"The load limit is 1 to {LIMIT_MAX_W} watts."
            )
        return {"limit_w": watts}
    if action == A.SET_SCHEDULE:
        return {"windows": _windows(params["windows"])}
    if action == A.TOKEN:
        token = str(params["token"]).strip()
        if not TOKEN.match(token):
            raise _refuse("token_invalid", "A token is 9 to 20 digits.")
        return {"token": token}
    return {}


# --- request ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Where:
    target: str
    plant: Plant
    feeder: Feeder | None
    meter: Meter | None


def _where(target: Target) -> _Where:
    if isinstance(target, Meter):
        if target.plant is None or not is_reachable(target):
            raise ValidationFailed(
                "meter_not_controllable",
                f"Meter {target.serial} cannot be reached remotely.",
                field="meter",
            )
        return _Where(CommandTarget.METER, target.plant, None, target)
    if isinstance(target, Feeder):
        return _Where(CommandTarget.FEEDER, target.plant, target, None)
    return _Where(CommandTarget.PLANT, target, None, None)


def meters_reached(where: _Where) -> QuerySet[Meter]:
    """The installed meters a feeder or plant command fans out to."""
    qs = reachable(
        Meter.objects.filter(plant=where.plant, location=MeterLocation.INSTALLED)
    )
    if where.feeder is not None:
        qs = qs.filter(
            assignments__removed_at__isnull=True,
            assignments__customer__pole__feeder=where.feeder,
        )
    return qs.order_by("pk").distinct()


def meters_targeted(target: Target) -> QuerySet[Meter]:
    """The meters a command to ``target`` would reach (for a confirm step)."""
    where = _where(target)
    if where.meter is not None:
        return Meter.objects.filter(pk=where.meter.pk)
    return meters_reached(where)


def _same(cmd: MeterCommand, where: _Where, action: str, params: dict) -> bool:
    return (
        cmd.target == where.target
        and cmd.plant_id == where.plant.pk
        and cmd.feeder_id == (where.feeder.pk if where.feeder else None)
        and cmd.meter_id == (where.meter.pk if where.meter else None)
        and cmd.action == action
        and cmd.params == params
        and cmd.parent_id is None
    )


def _replay(
    company_id: int, key: str, where: _Where, action: str, params: dict
) -> MeterCommand | None:
    existing = MeterCommand.objects.filter(company_id=company_id, key=key).first()
    if existing is not None and not _same(existing, where, action, params):
        raise Conflict(
            "idempotency_key_reused",
            "This key was used for another command.",
        )
    return existing


@transaction.atomic
def command_request(
    *,
    target: Target,
    action: str,
    params: dict[str, Any] | None = None,
    reason: str = "",
    key: str,
    by: Any,
) -> tuple[MeterCommand, bool]:
    """Queue ``action`` for one meter, every reachable meter of a feeder, or
    every reachable meter of a plant. Returns the command and whether this
    call wrote it (False: the key was used before for the same command, which
    is returned unchanged)."""
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationFailed(
            "idempotency_key_invalid", "An idempotency key is 1 to 100 characters."
        )
    params = clean_params(action, params)
    where = _where(target)
    if action == A.TOKEN and where.meter is None:
        raise _refuse("command_action_unknown", "A token goes to one meter.", "action")
    company_id = where.plant.company_id
    existing = _replay(company_id, key, where, action, params)
    if existing is not None:
        return existing, False
    meters = [where.meter] if where.meter else list(meters_reached(where))
    if not meters:
        raise ValidationFailed(
            "no_meters_reached",
            "No meter here can be reached remotely.",
            field="target",
        )
    command = MeterCommand(
        company_id=company_id,
        plant=where.plant,
        feeder=where.feeder,
        meter=where.meter,
        target=where.target,
        action=action,
        params=params,
        reason=(reason or "").strip()[:120],
        key=key,
        requested_by=by,
    )
    try:
        with transaction.atomic():
            command.save()
    except IntegrityError:  # the same key, committed by a concurrent call
        existing = _replay(company_id, key, where, action, params)
        if existing is None:
            raise
        return existing, False
    leaves = [command] if where.meter else _fan_out(command, meters)
    events = [CommandEvent(command=command, state=S.QUEUED, by=by)]
    if where.meter is None:
        events[0].note = f"{len(leaves)} meters"
        events += [CommandEvent(command=c, state=S.QUEUED, by=by) for c in leaves]
    CommandEvent.objects.bulk_create(events)
    ids = [c.pk for c in leaves]
    transaction.on_commit(lambda: _enqueue(ids))
    return command, True


def _fan_out(parent: MeterCommand, meters: Iterable[Meter]) -> list[MeterCommand]:
    return MeterCommand.objects.bulk_create(
        [
            MeterCommand(
                company_id=parent.company_id,
                plant_id=parent.plant_id,
                feeder_id=parent.feeder_id,
                meter=meter,
                parent=parent,
                target=CommandTarget.METER,
                action=parent.action,
                params=parent.params,
                reason=parent.reason,
                requested_by=parent.requested_by,
            )
            for meter in meters
        ],
        batch_size=500,
    )


def _enqueue(ids: list[int], run_after: datetime | None = None) -> None:
    """Queue the sends; a later one only where the backend can defer (else the
    sweep sends it when it is due)."""
    if run_after is not None and run_after <= timezone.now():
        run_after = None
    for command_id in ids:
        try:
            if run_after is None:
                dispatch_command_task.enqueue(command_id)
            elif default_task_backend.supports_defer:
                dispatch_command_task.using(run_after=run_after).enqueue(command_id)
        except Exception:  # the sweep sends what could not be queued
            logger.exception("meter command %s not queued", command_id)


# --- dispatch -------------------------------------------------------------------------
def _event(command: MeterCommand, state: str, note: str = "", by: Any = None) -> None:
    CommandEvent.objects.create(command=command, state=state, note=note[:300], by=by)


def _superseded_by(cmd: MeterCommand) -> MeterCommand | None:
    """A later command of the same group to the same meter, not failed: it
    carries the newer intent, so this one is not sent."""
    group = [a for a, g in GROUPS.items() if g == GROUPS.get(cmd.action)]
    if not group or cmd.meter_id is None:
        return None
    return (
        MeterCommand.objects.filter(meter_id=cmd.meter_id, pk__gt=cmd.pk)
        .filter(action__in=group)
        .exclude(state=S.FAILED)
        .order_by("-pk")
        .first()
    )


def _claim(command_id: int, now: datetime) -> MeterCommand | None:
    """queued -> sent for exactly one caller, if due; with its event."""
    with transaction.atomic():
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        claimed = (
            MeterCommand.objects.filter(pk=command_id, state=S.QUEUED)
            .filter(meter__isnull=False)
            .filter(due)
            .update(state=S.SENT, attempts=F("attempts") + 1, sent_at=now)
        )
        if not claimed:
            return None
        cmd = MeterCommand.objects.select_related("meter").get(pk=command_id)
        _event(cmd, S.SENT, f"attempt {cmd.attempts}")
        if cmd.parent_id is not None:
            parent = MeterCommand.objects.filter(pk=cmd.parent_id, state=S.QUEUED)
            if parent.update(state=S.SENT, sent_at=now):
                _event(cmd.parent, S.SENT)  # type: ignore[arg-type]
        return cmd


def _send(cmd: MeterCommand) -> Outcome:
    assert cmd.meter is not None  # noqa: S101 (claimed commands are leaves)
    newer = _superseded_by(cmd)
    if newer is not None:
        return Outcome.refused(f"superseded by command {newer.pk}")
    driver = driver_for(cmd.meter.driver)
    if driver is None:
        return Outcome.refused(f"meter driver {cmd.meter.driver!r} is not remote")
    request = DriverCommand(
        reference=f"mcoms-{cmd.pk}",
        serial=cmd.meter.serial,
        action=cmd.action,
        params=dict(cmd.params),
    )
    try:
        return driver.send(request)
    except Exception as exc:  # a driver bug must not leave the command "sent"
        logger.exception("driver %s failed on command %s", cmd.meter.driver, cmd.pk)
        return Outcome.retryable(f"driver error: {exc!r:.200}")


def command_dispatch(*, command_id: int, now: datetime | None = None) -> str:
    """Send one queued, due command and record what came of it. Returns the
    command's new state, or ``skipped`` when it was not (or no longer) queued
    and due: a task that runs twice, or two workers, send once."""
    now = now or timezone.now()
    cmd = _claim(command_id, now)
    if cmd is None:
        return "skipped"
    outcome = _send(cmd)
    return _record(cmd.pk, outcome, now)


@transaction.atomic
def _record(
    command_id: int, outcome: Outcome, now: datetime, retry_at: datetime | None = None
) -> str:
    cmd = (
        MeterCommand.objects.select_for_update(of=("self",))
        .select_related("meter")
        .get(pk=command_id)
    )
    if cmd.state != S.SENT:  # the sweep took it back meanwhile
        return str(cmd.state)
    if outcome.ok:
        cmd.state, cmd.acknowledged_at, cmd.last_error = S.ACKNOWLEDGED, now, ""
        _apply(cmd)
        note = f"ref {outcome.ref}" if outcome.ref else ""
    elif outcome.retry and cmd.attempts < MAX_ATTEMPTS:
        cmd.state, cmd.last_error = S.QUEUED, outcome.error[:300]
        cmd.next_attempt_at = retry_at or now + backoff(cmd.attempts)
        note = f"retry at {cmd.next_attempt_at:%Y-%m-%d %H:%M:%S}: {outcome.error}"
        when, ids = cmd.next_attempt_at, [cmd.pk]
        transaction.on_commit(lambda: _enqueue(ids, run_after=when))
    else:
        cmd.state, cmd.failed_at, cmd.last_error = S.FAILED, now, outcome.error[:300]
        note = outcome.error
    cmd.save(
        update_fields=[
            "state",
            "acknowledged_at",
            "failed_at",
            "last_error",
            "next_attempt_at",
        ]
    )
    _event(cmd, cmd.state, note)
    if cmd.state in FINAL and cmd.parent_id is not None:
        _settle(cmd.parent_id, now)
    return str(cmd.state)


def _apply(cmd: MeterCommand) -> None:
    """The meter's recorded settings follow an acknowledged command."""
    if cmd.action == A.TOKEN or cmd.meter_id is None:
        return
    meter = Meter.objects.select_for_update().get(pk=cmd.meter_id)
    if cmd.action in (A.ON, A.OFF, A.AUTO):
        meter.switch_state = SwitchState(cmd.action)
    elif cmd.action == A.RESET:
        meter.switch_state, meter.load_limit_w, meter.schedule = "auto", None, []
    elif cmd.action == A.SET_LIMIT:
        meter.load_limit_w = cmd.params["limit_w"]
    elif cmd.action == A.SET_SCHEDULE:
        meter.schedule = cmd.params["windows"]
    validated_save(meter, by=cmd.requested_by, reason=f"command {cmd.pk}")


def _settle(parent_id: int, now: datetime) -> None:
    """A feeder or plant command is final once every child is: acknowledged
    if they all were, else failed with the count."""
    parent = MeterCommand.objects.select_for_update().get(pk=parent_id)
    if parent.state in FINAL:
        return
    states = list(parent.children.values_list("state", flat=True))
    if any(s not in FINAL for s in states):
        return
    failed = states.count(S.FAILED)
    if failed:
        parent.state, parent.failed_at = S.FAILED, now
        parent.last_error = f"{failed} of {len(states)} meters failed"
    else:
        parent.state, parent.acknowledged_at = S.ACKNOWLEDGED, now
    parent.save(update_fields=["state", "failed_at", "acknowledged_at", "last_error"])
    _event(parent, parent.state, parent.last_error)


# --- the sweep ----------------------------------------------------------------------
@dataclass(frozen=True)
class SweepCounts:
    due: int  # queued and due, sent to the queue again
    stale: int  # left "sent" by a worker that died, queued again
    given_up: int  # left "sent" after the last attempt: failed
    ids: tuple[int, ...] = ()  # the due commands


def commands_sweep(
    *,
    now: datetime | None = None,
    stale_after: timedelta = STALE_AFTER,
    queue: bool = True,
) -> SweepCounts:
    """Take back what a stopped worker left ``sent`` (queued again, or failed
    after the last attempt) and queue the sends that are due (``queue=False``:
    only return them, for a caller that sends them itself)."""
    now = now or timezone.now()
    stale, given_up = 0, 0
    old = MeterCommand.objects.filter(state=S.SENT, sent_at__lt=now - stale_after)
    for cmd_id in list(old.order_by("pk").values_list("pk", flat=True)[:1000]):
        outcome = Outcome.retryable("no answer: the worker stopped")
        state = _record(cmd_id, outcome, now, retry_at=now)
        stale += state == S.QUEUED
        given_up += state == S.FAILED
    due_q = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    due = list(
        MeterCommand.objects.filter(state=S.QUEUED, meter__isnull=False)
        .filter(due_q)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    if queue:
        _enqueue(due)
    return SweepCounts(due=len(due), stale=stale, given_up=given_up, ids=tuple(due))


# --- tasks ----------------------------------------------------------------------------
@task()
def dispatch_command_task(command_id: int) -> str:
    """Send one meter command (the worker's side of ``command_request``)."""
    return command_dispatch(command_id=command_id)


@task()
def sweep_commands_task() -> dict[str, int]:
    counts = commands_sweep()
    return {"due": counts.due, "stale": counts.stale, "given_up": counts.given_up}
