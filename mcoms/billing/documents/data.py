"""What a bill document shows, gathered once: ``bill_document(bill)`` reads the
bill with its customer, plant, company and package, its lines, and the meter
readings of its period (three queries), into plain data that the PDF and SMS
renderers format in either language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from mcoms.billing.models import Bill, LineKind
from mcoms.ledger.models import Service
from mcoms.metering.models import Reading, ReadingStatus
from mcoms.packages.models import BillingType

# Free text a person typed: shown as written, in either language.
TYPED_KINDS = frozenset({LineKind.ADJUSTMENT, LineKind.OTHER, LineKind.INSTALMENT})


@dataclass(frozen=True)
class DocLine:
    service: str  # CHG, ACT, WATER, EMI, OTHER
    kind: str  # LineKind value
    description: str  # as the billing run wrote it (English)
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal
    estimated: bool

    @property
    def typed(self) -> bool:
        return self.kind in TYPED_KINDS


@dataclass(frozen=True)
class DocReading:
    taken_at: datetime
    meter: str
    value: Decimal
    units: Decimal | None


@dataclass(frozen=True)
class BillDocument:
    number: str
    company: str
    helpline: str
    plant_key: str
    plant_name: str
    timezone: str
    period_start: date
    period_last_day: date
    period_is_month: bool
    issued_at: datetime
    due_date: date
    customer_id: str
    customer_name: str
    customer_address: str
    customer_language: str
    package_id: str
    billing_type: str
    previous_balance: Decimal
    payments: Decimal
    new_charges: Decimal
    amount_due: Decimal
    estimated: bool
    kwh: Decimal | None
    currency: str
    lines: tuple[DocLine, ...]
    readings: tuple[DocReading, ...]

    @property
    def prepaid(self) -> bool:
        return self.billing_type == BillingType.PREPAID

    def charges_by_service(self) -> list[tuple[str, list[DocLine], Decimal]]:
        """The lines grouped by service in the ledger's order, with subtotals."""
        order = {code: n for n, code in enumerate(Service.values)}
        groups: dict[str, list[DocLine]] = {}
        for line in self.lines:
            groups.setdefault(line.service, []).append(line)
        return [
            (service, lines, sum((line.amount for line in lines), Decimal("0.00")))
            for service, lines in sorted(
                groups.items(), key=lambda kv: order.get(kv[0], 99)
            )
        ]


def bill_document(bill: Bill) -> BillDocument:
    bill = (
        Bill.objects.select_related(
            "company", "plant__state", "period", "customer", "package"
        )
        .only(
            *(f.name for f in Bill._meta.concrete_fields),
            "company__name",
            "company__helpline",
            "company__currency",
            "plant__code",
            "plant__name",
            "plant__timezone",
            "plant__state__code",
            "period__start",
            "period__end",
            "period__plant_id",
            "customer__customer_id",
            "customer__name",
            "customer__address",
            "customer__language",
            "package__package_id",
        )
        .get(pk=bill.pk)
    )
    period, customer = bill.period, bill.customer
    lines = tuple(
        DocLine(
            line.service,
            line.kind,
            line.description,
            line.quantity,
            line.unit_price,
            line.amount,
            line.estimated,
        )
        for line in bill.lines.order_by("pk")
    )
    tz_start, tz_end = _window(bill)
    readings = tuple(
        DocReading(r.taken_at, r.meter.serial, r.value, r.units)
        for r in Reading.objects.filter(
            customer_id=bill.customer_id,
            status=ReadingStatus.APPROVED,
            taken_at__gte=tz_start,
            taken_at__lt=tz_end,
        )
        .select_related("meter")
        .only("taken_at", "value", "units", "meter__serial")
        .order_by("taken_at", "pk")
    )
    return BillDocument(
        number=bill.number,
        company=bill.company.name,
        helpline=bill.company.helpline,
        plant_key=bill.plant.key,
        plant_name=bill.plant.name,
        timezone=bill.plant.timezone,
        period_start=period.start,
        period_last_day=period.last_day,
        period_is_month=period.is_month,
        issued_at=bill.issued_at,
        due_date=bill.due_date,
        customer_id=customer.customer_id,
        customer_name=customer.name,
        customer_address=customer.address,
        customer_language=customer.language,
        package_id=bill.package.package_id if bill.package else "",
        billing_type=bill.billing_type,
        previous_balance=bill.previous_balance,
        payments=bill.payments,
        new_charges=bill.new_charges,
        amount_due=bill.amount_due,
        estimated=bill.estimated or any(line.estimated for line in lines),
        kwh=bill.kwh,
        currency=bill.company.currency,
        lines=lines,
        readings=readings,
    )


def _window(bill: Bill) -> tuple[datetime, datetime]:
    """The period's moments in the plant's time zone (the usage window)."""
    period = bill.period
    period.plant = bill.plant  # the time zone without another query
    return period.start_at, period.end_at
