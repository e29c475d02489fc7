"""Supply and the credit limit (seed 2.2.3, issue 4 item 7).

After each billing run and each payment, ``supply_review`` checks the
customers concerned against their credit limit
(``customers_flag_over_credit_limit``: over it, they are flagged "to
de-activate"), then:

* a customer over the limit whose smart meter or load limiter can be reached
  is switched OFF through the control port, reason "credit limit";
* a customer whose supply was cut that way, active and back within the limit,
  is switched back to AUTO;
* a customer with a conventional meter (or a device with no remote driver) is
  only flagged: the flag puts them on the de-activation list.

The commands carry the key ``supply:<meter pk>:<n>``: the n-th supply command
of the meter, unique per company, so two reviews at once make one command.
Whether a meter is cut is read from its latest supply command that has not
failed: a failed OFF is tried again at the next review, and a person who
switched the meter on by hand meanwhile is not overruled until the next
episode over the limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.customers.status import FlagCounts, customers_flag_over_credit_limit
from mcoms.metering.control import CONTROLLABLE_KINDS, command_request
from mcoms.metering.drivers import remote_driver_names
from mcoms.metering.models import (
    CommandAction,
    CommandState,
    Meter,
    MeterAssignment,
    MeterCommand,
)

OFF_REASON = "credit limit"
ON_REASON = "within the credit limit"
KEY = "supply:{meter}:"


@dataclass(frozen=True)
class SupplyCounts:
    flags: FlagCounts
    switched_off: int
    restored: int


def _as_queryset(customers: Iterable[Customer]) -> QuerySet[Customer]:
    if isinstance(customers, QuerySet):
        return customers
    return Customer.objects.filter(pk__in=[c.pk for c in customers])


def _latest_supply_action() -> Subquery:
    return Subquery(
        MeterCommand.objects.filter(
            meter_id=OuterRef("meter_id"),
            key__startswith="supply:",
            parent__isnull=True,
        )
        .exclude(state=CommandState.FAILED)
        .order_by("-pk")
        .values("action")[:1]
    )


def _decisions(customers: QuerySet[Customer]) -> list[tuple[Meter, str]]:
    """(meter, action) for every reachable installed device of the customers
    whose supply must change."""
    rows = (
        MeterAssignment.objects.filter(
            customer__in=customers.values("pk"),
            removed_at__isnull=True,
            installed_at__isnull=False,
            meter__kind__in=CONTROLLABLE_KINDS,
            meter__driver__in=remote_driver_names(),
        )
        .annotate(last=_latest_supply_action())
        .select_related("meter__plant", "customer")
        .order_by("meter_id")
    )
    out: list[tuple[Meter, str]] = []
    for row in rows:
        active = row.customer.status == CustomerStatus.ACTIVE
        over = active and row.customer.flagged_at is not None
        cut = row.last == CommandAction.OFF  # type: ignore[attr-defined]
        if over and not cut:
            out.append((row.meter, CommandAction.OFF))
        elif cut and active and not over:
            out.append((row.meter, CommandAction.AUTO))
    return out


def _switch(meter: Meter, action: str, by: Any) -> bool:
    prefix = KEY.format(meter=meter.pk)
    n = MeterCommand.objects.filter(meter=meter, key__startswith=prefix).count()
    _command, created = command_request(
        target=meter,
        action=action,
        reason=OFF_REASON if action == CommandAction.OFF else ON_REASON,
        key=f"{prefix}{n + 1}",
        by=by,
    )
    return created


@transaction.atomic
def supply_review(
    *,
    customers: Iterable[Customer],
    by: Any = None,
    now: datetime | None = None,
    flag: bool = True,
) -> SupplyCounts:
    """Flag the customers over their credit limit and switch the supply of
    those with reachable devices off, or back on once they are within it.
    The commands are sent after commit. Running it again changes nothing.
    ``flag=False`` skips the flag step when the caller has just run it."""
    qs = _as_queryset(customers)
    flags = FlagCounts(0, 0, 0, 0, 0)
    if flag:
        flags = customers_flag_over_credit_limit(customers=qs, now=now)
    off = on = 0
    for meter, action in _decisions(qs):
        created = _switch(meter, action, by)
        off += created and action == CommandAction.OFF
        on += created and action == CommandAction.AUTO
    return SupplyCounts(flags=flags, switched_off=off, restored=on)
