"""Change Meter (manual 3.8.2): the swap in one transaction on the approval
chain, the readings it keeps, the acknowledgement, and every refusal."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from mcoms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mcoms.metering.changes import METER_CHANGE
from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    MeterLocation,
    MeterState,
    Reading,
    ReadingSource,
    ReadingStatus,
)
from mcoms.metering.tests.change_kit import (
    approved_reading,
    change,
    counts,
    install,
    prepaid,
    receive,
    site,
)
from mcoms.workflow import services as chain
from mcoms.workflow.models import RequestState
from tests.builders import World


def test_a_change_swaps_the_meters_and_waits_for_the_acknowledgement(
    world: World,
) -> None:
    s = site(world)
    req, created = change(world, s, comments="Display blank")
    assert created
    assert (req.kind, req.state, req.subject_id) == (
        METER_CHANGE,
        RequestState.REVIEW,
        s.customer.pk,
    )
    assert [st.action for st in req.steps.all()] == [
        "raise",
        "approve",
        "assign",
        "execute",
    ]
    assert req.assigned_to == req.executed_by == world.user("cluster_incharge")
    # The old installation is closed with its final reading.
    s.assignment.refresh_from_db()
    assert s.assignment.removed_at is not None
    removal = Reading.objects.get(source=ReadingSource.REMOVAL)
    assert (removal.meter_id, removal.assignment_id, removal.customer_id) == (
        s.old.pk,
        s.assignment.pk,
        s.customer.pk,
    )
    assert (removal.value, removal.units, removal.status) == (
        Decimal("150.000"),
        Decimal("50.000"),
        ReadingStatus.APPROVED,
    )
    assert removal.package_id == s.customer.package_id
    assert removal.taken_at == s.assignment.removed_at
    # The old meter is in the plant's stock, faulty (the reason).
    old = Meter.objects.get(pk=s.old.pk)
    assert (old.plant_id, old.location, old.state) == (
        s.customer.plant_id,
        MeterLocation.PLANT,
        MeterState.FAULTY,
    )
    # The new meter is installed with its first reading.
    new = Meter.objects.get(pk=s.new.pk)
    assert (new.location, new.state) == (MeterLocation.INSTALLED, MeterState.ASSIGNED)
    current = MeterAssignment.objects.get(meter=new, removed_at__isnull=True)
    assert current.customer_id == s.customer.pk
    assert current.installed_at == removal.taken_at
    first = Reading.objects.get(source=ReadingSource.INSTALL)
    assert (first.meter_id, first.assignment_id, first.value, first.units) == (
        new.pk,
        current.pk,
        Decimal("0.000"),
        None,
    )
    assert first.replacement and not removal.replacement
    assert req.result["units"] == "50.000"
    assert req.result["removal_reading"] == removal.pk
    assert req.result["install_reading"] == first.pk
    assert old.history.latest().history_user == world.user("cluster_incharge")
    # The State In-charge acknowledges.
    done = chain.request_complete(request=req, by=world.user("state_incharge"))
    assert done.state == RequestState.COMPLETED


def test_an_upgrade_puts_the_old_meter_back_as_available(world: World) -> None:
    s = site(world)
    change(world, s, reason="upgrade")
    assert Meter.objects.get(pk=s.old.pk).state == MeterState.AVAILABLE


def test_units_count_from_the_last_approved_reading(world: World) -> None:
    s = site(world)
    approved_reading(s.assignment, "130")
    req, _ = change(world, s, final_reading="145.5")
    assert req.result["units"] == "15.500"


def test_a_declared_rollover_counts_across_the_last_digit(world: World) -> None:
    s = site(world, digit_capacity=4)
    approved_reading(s.assignment, "9990")
    req, _ = change(world, s, final_reading="15", rollover=True)
    removal = Reading.objects.get(source=ReadingSource.REMOVAL)
    assert (removal.units, removal.rollover) == (Decimal("25.000"), True)
    assert req.result["units"] == "25.000"


@pytest.mark.parametrize(
    ("over", "error", "code", "field"),
    [
        ({"final_reading": "99"}, ValidationFailed, "reading_below_previous", None),
        (
            {"final_reading": "120", "rollover": True},
            ValidationFailed,
            "rollover_not_possible",
            "rollover",
        ),
        ({"final_reading": None}, ValidationFailed, "final_reading_missing", None),
        ({"final_reading": "1e7"}, ValidationFailed, "reading_too_many_digits", None),
        ({"final_reading": "-1"}, ValidationFailed, "reading_invalid", None),
        ({"final_reading": "abc"}, ValidationFailed, "reading_invalid", None),
        (
            {"first_reading": "1000000"},
            ValidationFailed,
            "reading_too_many_digits",
            None,
        ),
        ({"reason": "bored"}, ValidationFailed, "change_reason_unknown", "reason"),
    ],
)
def test_bad_readings_and_reasons_change_nothing(
    world: World, over, error, code, field
) -> None:
    s = site(world)
    before = counts()
    with pytest.raises(error) as err:
        change(world, s, **over)
    assert err.value.code == code
    if field:
        assert err.value.field == field
    assert counts() == before
    assert Meter.objects.get(pk=s.old.pk).location == MeterLocation.INSTALLED


def test_the_new_meter_must_be_available_in_the_plants_stock(world: World) -> None:
    s = site(world)
    other_plant = receive(world, "MADH-1", plant="BHMADH")
    with pytest.raises(ValidationFailed) as err:
        change(world, s, new_meter=other_plant)
    assert (err.value.code, err.value.field) == ("meter_other_plant", "new_meter")
    warehouse = receive(world, "WH-1", plant=None)
    with pytest.raises(ValidationFailed) as err:
        change(world, s, new_meter=warehouse, by="admin")
    assert err.value.code == "meter_other_plant"
    Meter.objects.filter(pk=s.new.pk).update(state=MeterState.FAULTY)
    with pytest.raises(ValidationFailed) as err:
        change(world, s)
    assert (err.value.code, err.value.field) == ("meter_not_in_stock", "new_meter")
    with pytest.raises(ValidationFailed) as err:
        change(world, s, new_meter=s.old)
    assert err.value.code == "meter_same"
    assert counts()[0] == 0


def test_a_meter_that_serves_someone_else_is_not_in_stock(world: World) -> None:
    s = site(world)
    install(world.customers["BHKATS"], s.new)  # now a second meter of theirs
    taken = receive(world, "NEW-2")
    install(world.customers["BHKATS"], taken)
    with pytest.raises(ValidationFailed) as err:
        change(world, s, new_meter=Meter.objects.get(pk=taken.pk))
    assert err.value.code == "meter_not_in_stock"


def test_the_new_meter_must_fit_the_package(world: World) -> None:
    s = site(world)
    limiter = receive(world, "LL-1", kind="load_limiter")
    with pytest.raises(ValidationFailed) as err:
        change(world, s, new_meter=limiter)
    assert (err.value.code, err.value.field) == ("meter_kind_mismatch", "new_meter")


def test_a_prepaid_load_limiter_changes_without_readings(world: World) -> None:
    customer = prepaid(world)
    old = receive(world, "LL-OLD", kind="load_limiter")
    install(customer, old, reading="0")
    new = receive(world, "LL-NEW", kind="load_limiter")
    req, _ = change(
        world,
        site_of(customer, old, new),
        final_reading=None,
        first_reading=None,
        reason="damaged",
    )
    assert req.state == RequestState.REVIEW
    assert not Reading.objects.exists()
    assert req.result["final_reading"] is None


def site_of(customer, old, new):
    from mcoms.metering.tests.change_kit import Site

    assignment = MeterAssignment.objects.get(meter=old, removed_at__isnull=True)
    return Site(customer, Meter.objects.get(pk=old.pk), assignment, new)


def test_the_old_meter_must_be_the_customers_installed_meter(world: World) -> None:
    s = site(world)
    stray = receive(world, "STRAY-1")
    with pytest.raises(Conflict) as err:
        change(world, s, old_meter=stray)
    assert (err.value.code, err.value.field) == ("meter_not_current", "old_meter")


def test_a_reading_waiting_for_review_is_reviewed_first(world: World) -> None:
    s = site(world)
    approved_reading(s.assignment, "120", status=ReadingStatus.PENDING)
    with pytest.raises(Conflict) as err:
        change(world, s)
    assert err.value.code == "meter_reading_pending"


def test_a_replay_returns_the_first_change(world: World) -> None:
    s = site(world)
    key = str(uuid.uuid4())
    first, created = change(world, s, idempotency_key=key)
    after = counts()
    again, created_again = change(world, s, idempotency_key=key)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert counts() == after
    other = world.customers["BHSIKA"]
    with pytest.raises(Conflict) as err:
        change(world, s, customer=other, idempotency_key=key, by="admin")
    assert err.value.code == "idempotency_key_reused"


@pytest.mark.parametrize("who", ["technician", "csa", "state_incharge", "ho_manager"])
def test_only_the_in_charges_who_execute_change_meters(world: World, who) -> None:
    s = site(world)
    with pytest.raises(Forbidden) as err:
        change(world, s, by=who)
    assert err.value.code == "designation_not_allowed"
    assert counts()[0] == 0


def test_a_customer_outside_the_scope_is_not_found(world: World) -> None:
    s = site(world)
    sika = world.customers["BHSIKA"]
    with pytest.raises(NotFound):
        change(world, s, customer=sika)


def test_the_one_who_changed_it_does_not_acknowledge_it(world: World) -> None:
    s = site(world)
    req, _ = change(world, s)
    with pytest.raises(Forbidden) as err:
        chain.request_complete(request=req, by=world.user("cluster_incharge"))
    assert err.value.code == "request_review_own_work"


def test_a_change_sent_back_and_executed_again_writes_nothing_more(
    world: World,
) -> None:
    s = site(world)
    req, _ = change(world, s)
    reviewer = world.user("state_incharge")
    req = chain.request_reject(request=req, reason="Photo missing", by=reviewer)
    assert req.state == RequestState.IN_PROCESS
    before = counts()
    req = chain.request_execute(request=req, by=world.user("cluster_incharge"))
    assert req.state == RequestState.REVIEW
    assert counts() == before
    with pytest.raises(Conflict) as err:  # no undo once executed
        chain.request_reject(
            request=chain.request_reject(request=req, reason="again", by=reviewer),
            reason="undo",
            by=world.user("cluster_incharge"),
        )
    assert err.value.code == "request_already_executed"


def test_the_long_way_a_technician_executes_a_raised_change(world: World) -> None:
    s = site(world)
    incharge = world.user("cluster_incharge")
    req, _ = chain.request_raise(
        kind=METER_CHANGE,
        plant=s.customer.plant,
        subject=s.customer,
        payload={
            "old_meter": "old-1",
            "new_meter": "NEW-1",
            "final_reading": "160",
            "reason": "faulty",
        },
        idempotency_key="long-way",
        by=incharge,
    )
    assert req.state == RequestState.APPROVED
    assert req.payload["first_reading"] is None
    assert Meter.objects.get(pk=s.old.pk).location == MeterLocation.INSTALLED
    req = chain.request_assign(
        request=req, assignee=world.user("technician"), by=incharge
    )
    req = chain.request_execute(request=req, by=world.user("technician"))
    assert req.result["units"] == "60.000"
    assert req.result["first_reading"] == "0.000"
    assert Meter.objects.get(pk=s.new.pk).state == MeterState.ASSIGNED


def test_a_technician_cannot_raise_a_change_the_long_way(world: World) -> None:
    s = site(world)
    with pytest.raises(Forbidden):
        chain.request_raise(
            kind=METER_CHANGE,
            plant=s.customer.plant,
            subject=s.customer,
            payload={"old_meter": "OLD-1", "new_meter": "NEW-1", "reason": "faulty"},
            idempotency_key="tech",
            by=world.user("technician"),
        )


def test_a_float_or_unknown_detail_in_the_payload_is_refused(world: World) -> None:
    s = site(world)
    base = {"old_meter": "OLD-1", "new_meter": "NEW-1", "reason": "faulty"}
    for payload, code in [
        (base | {"final_reading": 150.0}, "reading_invalid"),
        (base | {"colour": "red"}, "payload_field_unknown"),
        (base | {"final_reading": "150", "rollover": "yes"}, "rollover_invalid"),
        (base | {"final_reading": "150", "old_meter": ""}, "meter_missing"),
    ]:
        with pytest.raises(ValidationFailed) as err:
            chain.request_raise(
                kind=METER_CHANGE,
                plant=s.customer.plant,
                subject=s.customer,
                payload=payload,
                idempotency_key=str(uuid.uuid4()),
                by=world.user("cluster_incharge"),
            )
        assert err.value.code == code
    with pytest.raises(NotFound):
        chain.request_raise(
            kind=METER_CHANGE,
            plant=s.customer.plant,
            subject=s.customer,
            payload=base | {"new_meter": "NOPE", "final_reading": "150"},
            idempotency_key="nope",
            by=world.user("cluster_incharge"),
        )


def test_the_state_in_charge_is_told_to_acknowledge(world: World) -> None:
    from mcoms.notifications.models import Message

    s = site(world)
    req, _ = change(world, s)
    told = Message.objects.filter(template="request_to_review")
    assert [m.user.username for m in told] == ["state_incharge"]
    assert req.number in told.get().body


def test_both_readings_are_in_the_customers_reading_ledger(world: World) -> None:
    from mcoms.metering.reading_selectors import customer_meters, reading_ledger

    s = site(world)
    change(world, s, final_reading="175", first_reading="2")
    ledgers = {
        a.meter.serial: [(r.source, r.value, r.units) for r in reading_ledger(a)]
        for a in customer_meters(s.customer)
    }
    assert ledgers == {
        "NEW-1": [(ReadingSource.INSTALL, Decimal("2.000"), None)],
        "OLD-1": [(ReadingSource.REMOVAL, Decimal("175.000"), Decimal("75.000"))],
    }
