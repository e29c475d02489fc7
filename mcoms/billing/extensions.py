"""The one extension point where other services put lines on bills.

A *line source* is registered once, at app start-up (``AppConfig.ready``)::

    from mcoms.billing.extensions import ExtraLine, register_line_source

    def instalments(*, plant, period, customer_ids):
        return [ExtraLine(customer_id=pk, service="EMI", kind="instalment",
                          description="Solar fan, instalment 3 of 12",
                          amount=Decimal("150.00"), ref="plan:17:3"), ...]

    register_line_source("appliances", instalments, on_billed=mark_billed)

The billing run calls every source once per chunk of customers (Customer
primary keys, at most a few thousand), inside the chunk's transaction, so a
source reads in bulk. After the chunk's bills and lines are written, and still
in that transaction, ``on_billed(period=..., lines=...)`` receives the
``BillLine`` rows it made (with their ``bill``): mark what they consumed so the
next run does not bill it again (check the row count of the update; raise to
roll the chunk back). A re-run of a killed chunk calls the source again, which
sees nothing consumed, because the chunk's writes were rolled back with it.

Sources can also take part in package changes: ``register_package_changes``
gives the billing run the dates from which a customer's package changed
within a period, for proration (the package-change issue registers one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from mcoms.core.money import quantize


@dataclass(frozen=True)
class ExtraLine:
    customer_id: int  # Customer primary key
    service: str  # a ledger Service code other than DEP: CHG ACT WATER EMI OTHER
    kind: str  # a LineKind value
    description: str
    amount: Decimal  # positive charges, negative credits; 2 places
    quantity: Decimal = Decimal("1.000")
    unit_price: Decimal | None = None
    ref: str = ""  # the source's own reference, kept on the line


class LineSource(Protocol):
    def __call__(
        self, *, plant: Any, period: Any, customer_ids: Sequence[int]
    ) -> Sequence[ExtraLine]: ...


class OnBilled(Protocol):
    def __call__(self, *, period: Any, lines: Sequence[Any]) -> None: ...


@dataclass(frozen=True)
class _Source:
    name: str
    lines: LineSource
    on_billed: OnBilled | None


_SOURCES: dict[str, _Source] = {}
PackageChanges = Callable[..., dict[int, list[tuple[date, Any]]]]
_PACKAGE_CHANGES: list[PackageChanges] = []


def register_line_source(
    name: str, fn: LineSource, *, on_billed: OnBilled | None = None
) -> None:
    """Add (or replace, by name) a line source."""
    if not name or len(name) > 40:
        raise ValueError("A source name has 1-40 characters.")
    _SOURCES[name] = _Source(name, fn, on_billed)


def unregister_line_source(name: str) -> None:
    _SOURCES.pop(name, None)


def line_sources() -> list[tuple[str, LineSource, OnBilled | None]]:
    return [(s.name, s.lines, s.on_billed) for s in _SOURCES.values()]


def register_package_changes(fn: PackageChanges) -> None:
    """``fn(*, plant, period, customer_ids) -> {customer pk: [(from date,
    Package), ...]}``: for a customer whose package changed within the period,
    the packages they had in it, each with the local date from which it
    applied; the first on or before the period's start (the one in force
    then). Customers without a change are left out."""
    if fn not in _PACKAGE_CHANGES:
        _PACKAGE_CHANGES.append(fn)


def package_changes(
    *, plant: Any, period: Any, customer_ids: Sequence[int]
) -> dict[int, list[tuple[date, Any]]]:
    out: dict[int, list[tuple[date, Any]]] = {}
    for fn in _PACKAGE_CHANGES:
        for pk, changes in fn(
            plant=plant, period=period, customer_ids=customer_ids
        ).items():
            out.setdefault(pk, []).extend(changes)
    return out


def check_line(line: ExtraLine, billed_services: set[str]) -> None:
    """Refuse a malformed line from a source (a programming error)."""
    if line.service not in billed_services:
        raise ValueError(f"Line service {line.service!r} cannot be billed.")
    if not isinstance(line.amount, Decimal) or quantize(line.amount) != line.amount:
        raise ValueError("Line amounts are Decimals with at most 2 places.")
