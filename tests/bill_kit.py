"""Bills for tests of what reads them (documents, customer app, dashboard),
made directly: a period and a run of the month, a numbered bill with its lines
and its ledger journal (receivables debited, plant revenue credited), and
payments in cash. The billing run's own tests make theirs with its services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mcoms.billing.models import (
    Bill,
    BillingPeriod,
    BillingRun,
    BillLine,
    LineKind,
    RunStatus,
)
from mcoms.customers.models import Customer
from mcoms.ledger import services as ledger
from mcoms.ledger.models import Service
from mcoms.packages.models import BillingType, Package

ZERO = Decimal("0.00")
KIND_OF: dict[str, str] = {
    Service.ENERGY: LineKind.ENERGY,
    Service.ACTIVATION: LineKind.OTHER,
    Service.WATER: LineKind.WATER,
    Service.APPLIANCE: LineKind.INSTALMENT,
    Service.OTHER: LineKind.ADJUSTMENT,
}


def month(year: int, number: int) -> date:
    return date(year, number, 1)


def period_of(customer: Customer, start: date) -> BillingPeriod:
    end = (start + timedelta(days=32)).replace(day=1)
    period, _created = BillingPeriod.objects.get_or_create(
        plant=customer.plant,
        start=start,
        defaults={"company_id": customer.company_id, "end": end},
    )
    return period


def run_of(period: BillingPeriod) -> BillingRun:
    run, _created = BillingRun.objects.get_or_create(
        period=period,
        defaults={"started_at": timezone.now(), "status": RunStatus.DONE},
    )
    return run


def make_bill(
    customer: Customer,
    start: date,
    charges: dict[str, str],
    *,
    billing_type: str = BillingType.POSTPAID_METERED,
    package: Package | None = None,
    previous: str = "0.00",
    payments: str = "0.00",
    estimated: bool = False,
    kwh: str | None = None,
    descriptions: dict[str, str] | None = None,
) -> Bill:
    """A bill of ``customer`` for the month starting ``start``; ``charges``
    maps a service code to its amount (one line each)."""
    period = period_of(customer, start)
    run = run_of(period)
    plant = customer.plant
    seq = Bill.objects.filter(plant=plant, year=start.year).count() + 1
    number = f"{plant.key}-{start.year}-{seq:06d}"
    amounts = {s: Decimal(a) for s, a in charges.items()}
    new = sum(amounts.values(), ZERO)
    journal = None
    if new:
        lines: list[tuple[Any, Decimal]] = []
        for service, amount in amounts.items():
            lines.append((_receivable(customer, service), amount))
            revenue = ledger.account_for_plant_revenue(plant=plant, service=service)
            lines.append((revenue, -amount))
        journal = ledger.journal_post(
            company=customer.company,
            idempotency_key=f"kit:bill:{number}",
            lines=lines,
            kind="bill",
            memo=f"Bill {number}",
        )
    bill = Bill.objects.create(
        company_id=customer.company_id,
        plant=plant,
        period=period,
        run=run,
        customer=customer,
        number=number,
        year=start.year,
        seq=seq,
        package=package,
        billing_type=billing_type,
        issued_at=period.end_at,
        due_date=period.due_date,
        previous_balance=Decimal(previous),
        payments=Decimal(payments),
        new_charges=new,
        amount_due=Decimal(previous) - Decimal(payments) + new,
        charges={s: str(a) for s, a in amounts.items()},
        estimated=estimated,
        kwh=Decimal(kwh) if kwh is not None else None,
        journal=journal,
    )
    texts = descriptions or {}
    BillLine.objects.bulk_create(
        BillLine(
            bill=bill,
            service=service,
            kind=KIND_OF.get(service, LineKind.OTHER),
            description=texts.get(service, f"{service} charges"),
            quantity=Decimal(kwh) if service == Service.ENERGY and kwh else 1,
            unit_price=Decimal("8.5000") if service == Service.ENERGY else None,
            amount=amount,
            estimated=estimated and service == Service.ENERGY,
        )
        for service, amount in amounts.items()
    )
    return bill


def _receivable(customer: Customer, service: str) -> Any:
    return ledger.account_for_customer(
        company=customer.company,
        customer_id=customer.customer_id,
        plant=customer.plant,
        service=service,
    )


def pay(customer: Customer, amount: str, *, key: str, memo: str = "Cash") -> Any:
    """A cash payment against the customer's energy receivable."""
    cash = ledger.account_for_staff_cash(
        company=customer.company, username="csa", plant=customer.plant
    )
    value = Decimal(amount)
    return ledger.journal_post(
        company=customer.company,
        idempotency_key=f"kit:pay:{key}",
        lines=[(cash, value), (_receivable(customer, Service.ENERGY), -value)],
        kind="cash_collection",
        memo=memo,
    )


def activate(customer: Customer, since: datetime | None = None) -> Customer:
    """Make a world customer active (activated ``since``, default long ago)."""
    when = since or datetime(2020, 1, 1, tzinfo=timezone.get_current_timezone())
    Customer.objects.filter(pk=customer.pk).update(status="active", activated_at=when)
    customer.refresh_from_db()
    return customer
