"""What every stage service shares: the row lock, the order of the stages, the
replay of a retried step, and the stage-event row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from mcoms.acquisition.models import (
    STAGES,
    EventKind,
    Prospect,
    ProspectStatus,
    Stage,
    StageEvent,
)
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.org.models import Plant

KEY_MAX = 120


def check_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > KEY_MAX:
        raise ValidationFailed(
            "idempotency_key_invalid",
            f"An idempotency key has at most {KEY_MAX} characters.",
        )
    return key


def lock(prospect: Prospect) -> Prospect:
    """The prospect, locked and re-read (lock, then judge: STYLE)."""
    return (
        Prospect.objects.select_for_update(of=("self",))
        .select_related("plant__state", "plant__company", "pole", "package", "customer")
        .get(pk=prospect.pk)
    )


def replayed(prospect: Prospect, key: str, stage: str, kind: str) -> bool:
    """True when a step with this key was already done on this prospect (a
    retry): the caller returns the prospect and writes nothing. The same key
    for another step is refused."""
    if not key:
        return False
    event = StageEvent.objects.filter(prospect=prospect, idempotency_key=key).first()
    if event is None:
        return False
    if event.stage != stage or (kind != "*" and event.kind != kind):
        raise Conflict(
            "idempotency_key_reused",
            f"Key {key!r:.60} was already used for another step of {prospect.ref}.",
        )
    return True


def label(stage: str) -> str:
    return str(Stage(stage).label)


def begin(prospect: Prospect, stage: str, *, redo: bool = False) -> bool:
    """Judge whether ``stage`` may be done now. Returns True when it is a stage
    skipped earlier and completed later (the prospect does not move), False
    when it is the next stage (or, with ``redo``, the one just done).

    Refused: a rejected prospect (``prospect_rejected``) and any stage out of
    its turn (``stage_wrong_order``)."""
    if prospect.status == ProspectStatus.REJECTED:
        raise Conflict(
            "prospect_rejected",
            f"{prospect.ref} was rejected at {label(prospect.rejected_stage)}; "
            "reopen it first.",
        )
    if stage in prospect.deferred:
        return True
    if prospect.status == ProspectStatus.OPEN and (
        prospect.next_stage == stage or (redo and prospect.stage == stage)
    ):
        return False
    raise Conflict(
        "stage_wrong_order",
        f"{prospect.ref} has done {label(prospect.stage)}"
        + (
            f"; {label(prospect.next_stage)} comes next."
            if prospect.next_stage
            else "."
        )
        + f" {label(stage)} is not due.",
    )


def record(
    prospect: Prospect,
    stage: str,
    kind: str,
    *,
    by: Any,
    note: str = "",
    step: str = "",
    data: dict[str, Any] | None = None,
    key: str = "",
) -> StageEvent:
    return StageEvent.objects.create(
        prospect=prospect,
        stage=stage,
        kind=kind,
        step=step,
        note=note[:300],
        data=data or {},
        by=by,
        at=timezone.now(),
        idempotency_key=key,
    )


def complete(
    prospect: Prospect,
    stage: str,
    *,
    later: bool,
    by: Any,
    note: str = "",
    data: dict[str, Any] | None = None,
    key: str = "",
) -> None:
    """Mark ``stage`` done: the prospect moves to it, or (``later``) the stage
    leaves the to-complete-later list."""
    if later:
        prospect.deferred = [s for s in prospect.deferred if s != stage]
        kind = EventKind.COMPLETED_LATER
    else:
        prospect.stage = stage
        kind = EventKind.DONE
    record(prospect, stage, kind, by=by, note=note, data=data, key=key)


def defer(prospect: Prospect, stages: Sequence[str], *, by: Any) -> None:
    prospect.deferred = [s for s in STAGES if s in {*prospect.deferred, *stages}]
    for stage in stages:
        record(prospect, stage, EventKind.DEFERRED, by=by)


def save(prospect: Prospect, *, by: Any, reason: str = "") -> Prospect:
    """Save with the audit user (model validation is the callers' job)."""
    prospect._history_user = by  # type: ignore[attr-defined]
    if reason:
        prospect._change_reason = reason[:100]  # type: ignore[attr-defined]
    prospect.save()
    return prospect


def next_number(plant: Plant) -> int:
    """The next prospect number of a plant; the plant row is locked so two
    agents surveying at once get different numbers."""
    Plant.objects.select_for_update().filter(pk=plant.pk).first()
    last = Prospect.objects.filter(plant=plant).aggregate(m=Max("number"))["m"]
    return (last or 0) + 1


def ref_for(plant: Plant, number: int) -> str:
    """``P-BHKATS-000123``."""
    return f"P-{plant.key}-{number:06d}"


def insert_once(prospect: Prospect, key: str, *, by: Any) -> tuple[Prospect, bool]:
    """Insert a new prospect; when a concurrent request with the same key won
    the race, return its prospect instead (``False``)."""
    try:
        with transaction.atomic():
            return save(prospect, by=by, reason="created"), True
    except IntegrityError:
        if not key:
            raise
    return Prospect.objects.get(company=prospect.company, idempotency_key=key), False


def existing(company_id: int, key: str) -> Prospect | None:
    if not key:
        return None
    return Prospect.objects.filter(company_id=company_id, idempotency_key=key).first()
