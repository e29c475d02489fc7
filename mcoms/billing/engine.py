"""What one customer's bill for a period says, from what the run has read:
the lines (fixed charges by days, energy actual, estimated or trued up, the
lines of other services), whether it is estimated, and the kWh it counts.
No database here; ``chunk.py`` reads the inputs and writes the result.

Line descriptions hold data, not prose (package ID, kWh, days), so they read
the same in every language; the translated words are the line kinds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mcoms.billing import tariffs as t
from mcoms.billing.extensions import ExtraLine
from mcoms.billing.models import LineKind
from mcoms.ledger.models import Service

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PeriodInfo:
    start: date
    end: date
    days: int
    is_month: bool


@dataclass(frozen=True)
class Reading:
    """The metering app's ``Usage`` for one customer in the period."""

    kwh: Decimal
    actual: bool


@dataclass(frozen=True)
class OpenEstimate:
    line_pk: int
    kwh: Decimal
    amount: Decimal


@dataclass
class LineDraft:
    service: str
    kind: str
    description: str
    amount: Decimal
    quantity: Decimal = Decimal("1.000")
    unit_price: Decimal | None = None
    estimated: bool = False
    source: str = ""
    source_ref: str = ""
    settles: list[int] = field(default_factory=list)


@dataclass
class Draft:
    customer_pk: int
    tariff: t.Tariff
    lines: list[LineDraft]
    estimated: bool = False
    kwh: Decimal | None = None

    def charges(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for line in self.lines:
            out[line.service] = out.get(line.service, ZERO) + line.amount
        return out

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


FIXED_KIND = {
    t.PREPAID: LineKind.PREPAID,
    t.METERED: LineKind.FIXED,
    t.UNMETERED: LineKind.MONTHLY,
}


def fixed_lines(
    period: PeriodInfo,
    tariff: t.Tariff,
    *,
    activated_on: date | None,
    changes: Sequence[tuple[date, t.Tariff]] = (),
) -> list[LineDraft]:
    """The period's fixed amounts, prorated by days from the activation and
    across package changes; a zero amount (a metered package without a fixed
    charge) makes no line."""
    parts = t.segments(
        start=period.start,
        end=period.end,
        tariff=tariff,
        activated_on=activated_on,
        changes=changes,
    )
    lines = []
    for seg, share, amount in t.fixed_charges(
        parts, days=period.days, is_month=period.is_month
    ):
        whole = seg.tariff.period_amount(days=period.days, is_month=period.is_month)
        if whole == 0:
            continue
        detail = seg.tariff.label
        if seg.days != period.days:
            detail += f" · {seg.start:%d/%m}–{seg.end:%d/%m} ({seg.days}/{period.days})"
        lines.append(
            LineDraft(
                service=Service.ENERGY,
                kind=FIXED_KIND.get(seg.tariff.billing_type, LineKind.MONTHLY),
                description=detail,
                amount=amount,
                quantity=share,
                unit_price=whole,
            )
        )
    return lines


def _unit_price(tariff: t.Tariff) -> Decimal | None:
    return None if tariff.slabs else tariff.rate


def energy_lines(
    tariff: t.Tariff,
    *,
    reading: Reading | None,
    history: Sequence[Decimal],
    open_estimates: Sequence[OpenEstimate],
) -> tuple[list[LineDraft], bool, Decimal]:
    """Metered energy: (lines, estimated, kWh counted for the period). An
    actual reading settles the open estimates (one true-up line); without a
    reading the average of the last three periods is billed, marked."""
    if reading is None or not reading.actual:
        kwh = reading.kwh if reading is not None else t.estimate_kwh(history)
        line = LineDraft(
            service=Service.ENERGY,
            kind=LineKind.ENERGY,
            description=f"{tariff.label} · ~{kwh} kWh",
            amount=t.energy_charge(kwh, tariff),
            quantity=kwh,
            unit_price=_unit_price(tariff),
            estimated=True,
        )
        return [line], True, kwh
    if not open_estimates:
        line = LineDraft(
            service=Service.ENERGY,
            kind=LineKind.ENERGY,
            description=f"{tariff.label} · {reading.kwh} kWh",
            amount=t.energy_charge(reading.kwh, tariff),
            quantity=reading.kwh,
            unit_price=_unit_price(tariff),
        )
        return [line], False, reading.kwh
    settled = [(e.kwh, e.amount) for e in open_estimates]
    result = t.true_up(reading.kwh, settled, tariff)
    estimated_kwh = sum((e.kwh for e in open_estimates), Decimal(0))
    line = LineDraft(
        service=Service.ENERGY,
        kind=LineKind.TRUE_UP,
        description=(
            f"{tariff.label} · {reading.kwh} − ~{estimated_kwh} kWh "
            f"({len(open_estimates) + 1})"
        ),
        amount=result.amount,
        quantity=result.kwh,
        unit_price=_unit_price(tariff),
        settles=[e.line_pk for e in open_estimates],
    )
    return [line], False, result.period_kwh


def extra_lines(extras: Sequence[ExtraLine], source: str) -> list[LineDraft]:
    return [
        LineDraft(
            service=x.service,
            kind=x.kind,
            description=x.description[:200],
            amount=x.amount,
            quantity=x.quantity,
            unit_price=x.unit_price,
            source=source,
            source_ref=x.ref[:64],
        )
        for x in extras
    ]


def compose(
    customer_pk: int,
    period: PeriodInfo,
    tariff: t.Tariff,
    *,
    activated_on: date | None = None,
    changes: Sequence[tuple[date, t.Tariff]] = (),
    reading: Reading | None = None,
    history: Sequence[Decimal] = (),
    open_estimates: Sequence[OpenEstimate] = (),
    extras: Sequence[LineDraft] = (),
) -> Draft:
    """One customer's bill for the period."""
    draft = Draft(customer_pk, tariff, [])
    draft.lines += fixed_lines(
        period, tariff, activated_on=activated_on, changes=changes
    )
    if tariff.metered:
        lines, estimated, kwh = energy_lines(
            tariff, reading=reading, history=history, open_estimates=open_estimates
        )
        draft.lines = lines + draft.lines
        draft.estimated, draft.kwh = estimated, kwh
    draft.lines += list(extras)
    return draft
