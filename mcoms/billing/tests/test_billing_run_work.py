"""billing_run_work: what the bills of a period say and what they post."""

from __future__ import annotations

from decimal import Decimal

from mcoms.billing.models import Bill, BillLine, BillSequence, RunStatus
from mcoms.billing.services import billing_run_start, billing_run_work
from mcoms.billing.tests.conftest import NOV, OCT, SEPT, Site
from mcoms.customers.models import CustomerStatus
from mcoms.ledger.models import Entry, Journal
from mcoms.ledger.selectors import accounts_with_wrong_balance, journals_unbalanced


def run_period(site: Site, start, end=None, **kw):
    period = site.period(start, end)
    run = billing_run_start(period=period, by=site.world.user("admin"))
    return billing_run_work(run=run, **kw).run, period


def lines_of(bill: Bill) -> list[tuple[str, str, Decimal, Decimal]]:
    return [
        (line.kind, line.service, line.quantity, line.amount)
        for line in bill.lines.order_by("pk")
    ]


def test_it_bills_each_billing_type_by_its_tariff(site: Site):
    pre = site.add("pre", site.prepaid)
    met = site.add("met", site.metered)
    unm = site.add("unm", site.unmetered)
    site.read(met, OCT.replace(day=20), "130")
    run, period = run_period(site, OCT)
    assert run.status == RunStatus.DONE
    assert (run.done, run.total) == (3, 3)
    bills = {b.customer_id: b for b in Bill.objects.filter(period=period)}
    assert lines_of(bills[pre.pk]) == [
        ("prepaid", "CHG", Decimal("1.000"), Decimal("160.00"))
    ]
    assert lines_of(bills[met.pk]) == [
        ("energy", "CHG", Decimal("130.000"), Decimal("1010.00")),
        ("fixed", "CHG", Decimal("1.000"), Decimal("50.00")),
    ]
    assert lines_of(bills[unm.pk]) == [
        ("monthly", "CHG", Decimal("1.000"), Decimal("300.00"))
    ]
    met_bill = bills[met.pk]
    assert met_bill.amount_due == Decimal("1060.00")
    assert met_bill.charges == {"CHG": "1060.00"}
    assert met_bill.kwh == Decimal("130.000")
    assert not met_bill.estimated
    assert met_bill.due_date.isoformat() == "2026-11-16"


def test_numbers_are_gap_free_per_plant_and_year(site: Site):
    for n in range(5):
        site.add(f"c{n}", site.unmetered)
    run_period(site, SEPT, chunk_size=2)
    run_period(site, OCT, chunk_size=3)
    numbers = list(
        Bill.objects.filter(plant=site.plant)
        .order_by("seq")
        .values_list("number", flat=True)
    )
    assert numbers == [f"BHKATS-2026-{n:06d}" for n in range(1, 11)]
    assert BillSequence.objects.get(plant=site.plant, year=2026).last == 10


def test_each_bill_posts_one_balanced_journal(site: Site):
    met = site.add("met", site.metered)
    site.add("pre", site.prepaid)
    site.read(met, OCT.replace(day=25), "10")
    _run, period = run_period(site, OCT)
    for bill in Bill.objects.filter(period=period).select_related("journal"):
        assert bill.journal is not None
        assert bill.journal.idempotency_key == f"bill:{period.pk}:{bill.customer_id}"
        entries = list(Entry.objects.filter(journal=bill.journal))
        assert sum(e.amount for e in entries) == 0
        receivable = [e for e in entries if e.account.code.startswith("CUS:")]
        assert sum(e.amount for e in receivable) == bill.new_charges
    assert not journals_unbalanced().exists()
    assert not accounts_with_wrong_balance().exists()


def test_an_activation_mid_period_is_prorated_by_days(site: Site):
    late = site.add("late", site.unmetered, activated=OCT.replace(day=22))
    after = site.add("after", site.unmetered, activated=NOV.replace(day=2))
    run, period = run_period(site, OCT)
    bill = Bill.objects.get(period=period, customer=late)
    # 22..31 October: 10 of 31 days of 300.
    assert lines_of(bill) == [("monthly", "CHG", Decimal("0.323"), Decimal("96.77"))]
    assert not Bill.objects.filter(customer=after).exists()
    assert run.done == 1


def test_inactive_customers_and_customers_without_a_package_are_not_billed(site: Site):
    gone = site.add("gone", site.unmetered)
    gone.status = CustomerStatus.INACTIVE
    gone.save(update_fields=["status"])
    run, _period = run_period(site, OCT)
    # The world's own BHKATS customer has no package.
    assert run.done == 0
    assert Bill.objects.count() == 0


def test_the_bill_carries_the_balance_and_the_payments_since_the_last_bill(site: Site):
    from mcoms.ledger import services as ledger

    unm = site.add("unm", site.unmetered)
    run_period(site, SEPT)
    receivable = ledger.account_for_customer(
        company=site.world.company,
        customer_id=unm.customer_id,
        plant=site.plant,
        service="CHG",
    )
    cash = ledger.account_for_staff_cash(company=site.world.company, username="csa")
    ledger.journal_post(
        company=site.world.company,
        idempotency_key="pay-1",
        lines=[(cash, Decimal("200.00")), (receivable, Decimal("-200.00"))],
        kind="payment",
    )
    _run, period = run_period(site, OCT)
    bill = Bill.objects.get(period=period, customer=unm)
    assert bill.previous_balance == Decimal("300.00")
    assert bill.payments == Decimal("200.00")
    assert bill.new_charges == Decimal("300.00")
    assert bill.amount_due == Decimal("400.00")


def test_a_missing_reading_is_estimated_and_the_next_reading_trues_it_up(site: Site):
    met = site.add("met", site.metered)
    for start, units in [(date_(2026, 6), "20"), (date_(2026, 7), "40"), (SEPT, "60")]:
        site.read(met, start.replace(day=20), units)
    for start in (date_(2026, 6), date_(2026, 7), date_(2026, 8), SEPT):
        run_period(site, start)
    august = Bill.objects.get(customer=met, period__start=date_(2026, 8))
    # August had no reading: the mean of June and July (30 kWh), marked.
    assert august.estimated and august.kwh == Decimal("30.000")
    assert lines_of(august)[0] == (
        "energy",
        "CHG",
        Decimal("30.000"),
        Decimal("180.00"),
    )
    september = Bill.objects.get(customer=met, period__start=SEPT)
    # September's reading counts 60 kWh since July's: 30 a month, 30 estimated.
    assert lines_of(september)[0] == (
        "true_up",
        "CHG",
        Decimal("30.000"),
        Decimal("180.00"),
    )
    estimate = BillLine.objects.get(bill=august, kind="energy")
    assert estimate.settled_by is not None
    assert estimate.settled_by.bill_id == september.pk
    # October: no reading again; estimated from the last three (40, 30, 30).
    run_period(site, OCT)
    october = Bill.objects.get(customer=met, period__start=OCT)
    assert october.estimated and october.kwh == Decimal("33.333")


def date_(year: int, month: int):
    from datetime import date

    return date(year, month, 1)


def test_it_writes_no_journal_for_a_bill_of_nothing(site: Site):
    met = site.add("met", site.metered)
    site.read(met, OCT.replace(day=3), "0")
    from mcoms.packages.services import package_revise

    free = package_revise(package=site.metered, by=None, fixed_monthly="0")
    met.package = free
    met.save(update_fields=["package"])
    _run, period = run_period(site, OCT)
    bill = Bill.objects.get(period=period, customer=met)
    assert bill.amount_due == 0
    assert bill.journal is None
    assert Journal.objects.filter(kind="bill").count() == 0
