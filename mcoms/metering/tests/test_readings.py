"""Manual readings: record (with every refusal of the issue's "Bad input"),
idempotency by the client's key, rollover and replacement, approve, reject."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.metering.models import Reading, ReadingStatus
from mcoms.metering.readings import (
    reading_approve,
    reading_check,
    reading_record,
    reading_reject,
    reading_window_set,
)
from mcoms.metering.tests.reading_kit import IN_WINDOW, NOW, install, metered_package
from tests.builders import World

T1 = IN_WINDOW
T2 = IN_WINDOW + timedelta(days=1)


def record(world: World, meter, value, **kw):
    kw.setdefault("taken_at", T1)
    kw.setdefault("by", world.user("technician"))
    return reading_record(meter=meter, value=value, **kw)


def approved(world: World, meter, value, **kw) -> Reading:
    reading, _ = record(world, meter, value, **kw)
    return reading_approve(reading=reading, by=world.user("cluster_incharge"))


def refusal(world: World, meter, value, **kw) -> tuple[str, str | None]:
    """The refusal's code and field; nothing was written."""
    before = Reading.objects.count()
    with pytest.raises(ValidationFailed) as err:
        record(world, meter, value, **kw)
    assert Reading.objects.count() == before
    return err.value.code, err.value.field


def test_a_reading_is_recorded_pending_with_its_units(world: World) -> None:
    package = metered_package(world)
    customer = world.customers["BHKATS"]
    customer.package = package
    customer.save()
    meter = install(world, "CM-1", initial="100")
    reading, created = record(world, meter, "142.5", client_key="k-1")
    assert created
    assert (reading.status, reading.units, reading.value) == (
        ReadingStatus.PENDING,
        Decimal("42.500"),
        Decimal("142.500"),
    )
    assert (reading.customer, reading.package, reading.source) == (
        customer,
        package,
        "manual",
    )
    assert reading.history.latest().history_user == world.user("technician")


def test_the_same_client_key_returns_the_first_reading(world: World) -> None:
    meter = install(world, "CM-1")
    first, _ = record(world, meter, "150", client_key="uuid-1")
    again, created = record(world, meter, "150", client_key="uuid-1")
    assert (again.pk, created) == (first.pk, False)
    other = install(world, "CM-2", customer="BHSIKA")
    with pytest.raises(Conflict) as err:
        record(world, other, "150", client_key="uuid-1")
    assert err.value.code == "reading_key_reused"
    assert Reading.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "reading_not_a_number"),
        ("", "reading_not_a_number"),
        ("NaN", "reading_not_a_number"),
        ("1e3x", "reading_not_a_number"),
        ("-1", "reading_negative"),
        ("12.3456", "reading_too_precise"),
        ("1000000", "reading_too_many_digits"),
    ],
)
def test_bad_values_are_refused(world: World, value: str, code: str) -> None:
    meter = install(world, "CM-1", digits=6)
    assert refusal(world, meter, value)[0] == code


def test_a_reading_below_the_previous_one_is_refused(world: World) -> None:
    meter = install(world, "CM-1", initial="100")
    assert refusal(world, meter, "99.999") == ("reading_below_previous", "value")
    approved(world, meter, "180")
    with pytest.raises(ValidationFailed) as err:
        record(world, meter, "170", taken_at=T2)
    assert err.value.code == "reading_below_previous"
    assert Reading.objects.count() == 1


def test_a_reading_in_the_future_is_refused(world: World) -> None:
    meter = install(world, "CM-1")
    code = refusal(world, meter, "150", taken_at=NOW + timedelta(hours=1))
    assert code == ("reading_in_future", "taken_at")


def test_a_reading_before_the_installation_is_refused(world: World) -> None:
    meter = install(world, "CM-1", installed_at=T2)
    assert refusal(world, meter, "150", taken_at=T1)[0] == (
        "reading_before_installation"
    )


def test_a_reading_before_the_previous_approved_one_is_refused(world: World) -> None:
    meter = install(world, "CM-1")
    approved(world, meter, "150", taken_at=T2)
    with pytest.raises(ValidationFailed) as err:
        record(world, meter, "160", taken_at=T1)
    assert err.value.code == "reading_before_previous"


def test_a_reading_outside_the_window_is_refused(world: World) -> None:
    meter = install(world, "CM-1")
    early = T1.replace(day=10)
    assert refusal(world, meter, "150", taken_at=early)[0] == "reading_window_closed"
    reading_window_set(company=world.company, day=5, by=None)
    reading, _ = record(world, meter, "150", taken_at=early)
    assert reading.pk
    # A plant's own day wins over the company's.
    reading_window_set(
        company=world.company, plant=world.plants["BHKATS"], day=20, by=None
    )
    with pytest.raises(ValidationFailed):
        reading_check(meter=meter, value="150", taken_at=early.replace(day=6))


def test_meters_not_read_by_hand_are_refused(world: World) -> None:
    smart = install(world, "SM-1", kind="smart")
    assert refusal(world, smart, "150")[0] == "reading_meter_not_manual"


def test_a_rollover_counts_past_the_top_of_the_register(world: World) -> None:
    meter = install(world, "CM-1", digits=5, initial="99950")
    reading, _ = record(world, meter, "30", rollover=True)
    assert reading.units == Decimal("80.000")  # 30 + 100000 - 99950
    reading = reading_approve(reading=reading, by=world.user("cluster_incharge"))
    assert (reading.status, reading.units, reading.rollover) == (
        "approved",
        Decimal("80.000"),
        True,
    )


def test_a_rollover_must_be_below_the_previous(world: World) -> None:
    meter = install(world, "CM-1", initial="100")
    code = refusal(world, meter, "150", rollover=True)
    assert code == ("reading_rollover_not_below", "rollover")


def test_a_replacement_counts_from_zero(world: World) -> None:
    meter = install(world, "CM-1", initial="5000")
    reading, _ = record(world, meter, "12.5", replacement=True)
    assert (reading.units, reading.replacement) == (Decimal("12.500"), True)
    reading_reject(reading=reading, by=world.user("admin"), reason="test")
    code = refusal(world, meter, "1", rollover=True, replacement=True, taken_at=T2)
    assert code == ("reading_flags_conflict", "rollover")


def test_one_reading_waits_for_review_at_a_time(world: World) -> None:
    meter = install(world, "CM-1")
    record(world, meter, "150")
    with pytest.raises(Conflict) as err:
        record(world, meter, "160", taken_at=T2)
    assert err.value.code == "reading_pending_exists"


def test_approval_computes_units_against_the_previous_approved(world: World) -> None:
    meter = install(world, "CM-1", initial="100")
    approved(world, meter, "150")
    reading, _ = record(world, meter, "175.25", taken_at=T2)
    reading = reading_approve(reading=reading, by=world.user("state_incharge"))
    assert reading.units == Decimal("25.250")
    assert reading.reviewed_by == world.user("state_incharge")
    again = reading_approve(reading=reading, by=world.user("state_incharge"))
    assert again.reviewed_at == reading.reviewed_at


def test_the_person_who_took_it_does_not_review_it(world: World) -> None:
    meter = install(world, "CM-1")
    reading, _ = record(world, meter, "150", by=world.user("cluster_incharge"))
    for review in (reading_approve, reading_reject):
        kw = {"reason": "x"} if review is reading_reject else {}
        with pytest.raises(Conflict) as err:
            review(reading=reading, by=world.user("cluster_incharge"), **kw)
        assert err.value.code == "reading_review_own"
    reading.refresh_from_db()
    assert reading.status == ReadingStatus.PENDING


def test_a_rejection_needs_a_reason_and_makes_the_meter_due_again(
    world: World,
) -> None:
    meter = install(world, "CM-1")
    reading, _ = record(world, meter, "150")
    boss = world.user("cluster_incharge")
    with pytest.raises(ValidationFailed) as err:
        reading_reject(reading=reading, by=boss, reason="  ")
    assert err.value.code == "reason_required"
    reading = reading_reject(reading=reading, by=boss, reason="Photo unclear")
    assert (reading.status, reading.reject_reason) == ("rejected", "Photo unclear")
    with pytest.raises(Conflict):
        reading_approve(reading=reading, by=boss)
    retaken, _ = record(world, meter, "151", taken_at=T2)
    assert retaken.status == ReadingStatus.PENDING


def test_an_approved_reading_cannot_be_rejected(world: World) -> None:
    meter = install(world, "CM-1")
    reading = approved(world, meter, "150")
    with pytest.raises(Conflict) as err:
        reading_reject(reading=reading, by=world.user("admin"), reason="late")
    assert err.value.code == "reading_not_pending"
