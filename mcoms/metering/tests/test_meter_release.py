"""Unreleased Meter (manual 3.8.3): raise, assign, record the new location and
execute, confirm; the tabs and the Completed list; every refusal."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mcoms.core.errors import Conflict, Forbidden, ValidationFailed
from mcoms.metering import releases
from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    MeterLocation,
    MeterState,
    Reading,
    ReadingSource,
    ReadingStatus,
)
from mcoms.metering.services import meter_assign
from mcoms.metering.tests.change_kit import (
    approved_reading,
    counts,
    metered,
    neighbour,
    receive,
    site,
)
from mcoms.workflow import services as chain
from mcoms.workflow.models import Request, RequestState
from tests.builders import World


def raised(world: World, meter: Meter, reason: str = "malfunction", by: str = "csa"):
    req, _created = releases.meter_release_raise(
        meter=meter,
        reason=reason,
        idempotency_key=str(uuid.uuid4()),
        by=world.user(by),
    )
    return req


def assigned(world: World, meter: Meter, **kw) -> Request:
    return chain.request_assign(
        request=raised(world, meter, **kw),
        assignee=world.user("technician"),
        by=world.user("cluster_incharge"),
    )


def execute(world: World, req: Request, by: str = "technician", **over):
    args = {
        "request": req,
        "destination": "plant",
        "final_reading": "140",
        "by": world.user(by),
    }
    return releases.meter_release_execute(**(args | over))


def test_a_release_from_pending_to_completed(world: World) -> None:
    s = site(world)
    req = raised(world, s.old)
    assert (req.kind, req.state, req.subject_id) == (
        releases.METER_RELEASE,
        RequestState.APPROVED,
        s.customer.pk,
    )
    assert req.payload == {"meter": "OLD-1", "reason": "malfunction"}
    req = chain.request_assign(
        request=req,
        assignee=world.user("technician"),
        by=world.user("cluster_incharge"),
    )
    req = execute(world, req, note="Burnt terminal")
    assert req.state == RequestState.REVIEW
    assert req.payload["execution"] == {
        "destination": "plant",
        "customer": "",
        "final_reading": "140.000",
        "rollover": False,
    }
    reading = Reading.objects.get(source=ReadingSource.REMOVAL)
    assert (reading.value, reading.units, reading.status) == (
        Decimal("140.000"),
        Decimal("40.000"),
        ReadingStatus.APPROVED,
    )
    assert reading.entered_by == world.user("technician")
    s.assignment.refresh_from_db()
    assert s.assignment.removed_at == reading.taken_at
    meter = Meter.objects.get(pk=s.old.pk)
    assert (meter.plant_id, meter.location, meter.state) == (
        s.customer.plant_id,
        MeterLocation.PLANT,
        MeterState.FAULTY,
    )
    assert req.result["reading"] == reading.pk
    assert req.result["state"] == MeterState.FAULTY
    req = chain.request_complete(request=req, by=world.user("cluster_incharge"))
    assert req.state == RequestState.COMPLETED


def test_an_expired_subscription_goes_to_the_warehouse_available(
    world: World,
) -> None:
    s = site(world)
    req = execute(
        world,
        assigned(world, s.old, reason="subscription_expired"),
        destination="warehouse",
    )
    meter = Meter.objects.get(pk=s.old.pk)
    assert (meter.plant, meter.location, meter.state) == (
        None,
        MeterLocation.WAREHOUSE,
        MeterState.AVAILABLE,
    )
    assert req.result["destination"] == "warehouse"


def test_a_released_meter_is_reassigned_to_another_connection(world: World) -> None:
    s = site(world)
    other = neighbour(s.customer.plant)
    req = execute(
        world,
        assigned(world, s.old, reason="subscription_expired"),
        destination="reassign",
        customer=other.customer_id.lower(),
    )
    current = MeterAssignment.objects.get(meter=s.old, removed_at__isnull=True)
    assert (current.customer_id, current.installed_at) == (other.pk, None)
    meter = Meter.objects.get(pk=s.old.pk)
    assert (meter.location, meter.state) == (MeterLocation.PLANT, MeterState.ASSIGNED)
    assert req.result["reassigned_to"] == other.customer_id


@pytest.mark.parametrize(
    ("reason", "over", "code", "field"),
    [
        (
            "malfunction",
            {"destination": "reassign", "customer": "X"},
            "meter_faulty_not_reassignable",
            "destination",
        ),
        ("other", {"destination": "reassign"}, "reassign_customer_missing", "customer"),
        (
            "other",
            {"destination": "moon"},
            "release_destination_unknown",
            "destination",
        ),
        (
            "other",
            {"destination": "reassign", "customer": "BHSIKA00101"},
            "customer_other_plant",
            "customer",
        ),
        (
            "other",
            {"destination": "reassign", "customer": "BHKATS00101"},
            "reassign_same_customer",
            "customer",
        ),
        ("other", {"final_reading": "99"}, "reading_below_previous", "final_reading"),
        ("other", {"final_reading": None}, "final_reading_missing", "final_reading"),
        (
            "other",
            {"final_reading": "140", "rollover": True},
            "rollover_not_possible",
            "rollover",
        ),
        (
            "other",
            {"final_reading": "1234567"},
            "reading_too_many_digits",
            "final_reading",
        ),
    ],
)
def test_a_refused_execution_records_nothing(
    world: World, reason, over, code, field
) -> None:
    s = site(world)
    req = assigned(world, s.old, reason=reason)
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        execute(world, req, **over)
    assert (err.value.code, err.value.field) == (code, field)
    assert counts() == before
    req.refresh_from_db()
    assert req.state == RequestState.IN_PROCESS
    assert "execution" not in req.payload
    assert Meter.objects.get(pk=s.old.pk).location == MeterLocation.INSTALLED


def test_a_meter_for_the_wrong_package_is_not_reassigned(world: World) -> None:
    s = site(world)
    limiter = receive(world, "LL-1", kind="load_limiter")
    other = neighbour(s.customer.plant)
    from mcoms.metering.tests.change_kit import install

    install(s.customer, limiter, reading="0")
    metered_other = other
    metered_other.package = s.customer.package  # a metered package
    metered_other.save(update_fields=["package"])
    req = assigned(world, Meter.objects.get(pk=limiter.pk), reason="other")
    with pytest.raises(ValidationFailed) as err:
        execute(
            world,
            req,
            destination="reassign",
            customer=other.customer_id,
            final_reading=None,
        )
    assert (err.value.code, err.value.field) == ("meter_kind_mismatch", "customer")


def test_a_meter_never_installed_comes_back_without_a_reading(world: World) -> None:
    customer = metered(world)
    meter = receive(world, "NEW-9")
    meter_assign(meter=meter, customer=customer, by=None)
    req = assigned(world, Meter.objects.get(pk=meter.pk), reason="other")
    with pytest.raises(ValidationFailed) as err:
        execute(world, req)
    assert err.value.code == "meter_not_installed"
    req = execute(world, req, final_reading="")
    assert req.result["reading"] is None
    assert not Reading.objects.exists()
    assert Meter.objects.get(pk=meter.pk).state == MeterState.AVAILABLE


def test_the_units_cross_a_declared_rollover(world: World) -> None:
    s = site(world, digit_capacity=4)
    approved_reading(s.assignment, "9995")
    req = execute(world, assigned(world, s.old), final_reading="5", rollover=True)
    assert req.result["units"] == "10.000"


def test_the_chains_own_execute_asks_for_the_location(world: World) -> None:
    s = site(world)
    req = assigned(world, s.old)
    with pytest.raises(ValidationFailed) as err:
        chain.request_execute(request=req, by=world.user("technician"))
    assert err.value.code == "release_location_missing"


def test_only_the_assignee_executes_and_a_refusal_keeps_no_record(
    world: World,
) -> None:
    s = site(world)
    req = assigned(world, s.old)
    with pytest.raises(Forbidden) as err:
        execute(world, req, by="cluster_incharge")
    assert err.value.code == "request_not_assignee"
    req.refresh_from_db()
    assert "execution" not in req.payload
    with pytest.raises(Forbidden) as err:
        execute(world, req, by="operator")
    assert err.value.code == "designation_not_allowed"


def test_a_pending_release_cannot_be_executed_before_it_is_assigned(
    world: World,
) -> None:
    s = site(world)
    with pytest.raises(Conflict) as err:
        execute(world, raised(world, s.old))
    assert err.value.code == "request_wrong_state"


def test_a_replayed_execution_and_a_redo_write_nothing_more(world: World) -> None:
    s = site(world)
    req = execute(world, assigned(world, s.old), idempotency_key="ex-1")
    before = counts()
    again = execute(world, req, idempotency_key="ex-1", final_reading="999")
    assert again.state == RequestState.REVIEW
    assert counts() == before
    req = chain.request_reject(
        request=req, reason="Wrong shelf", by=world.user("cluster_incharge")
    )
    req = execute(world, req, destination="warehouse", final_reading="")
    assert req.state == RequestState.REVIEW
    assert counts() == before
    assert req.result["destination"] == "plant"
    with pytest.raises(Conflict) as err:
        chain.request_reject(
            request=chain.request_reject(
                request=req, reason="x", by=world.user("cluster_incharge")
            ),
            reason="undo",
            by=world.user("cluster_incharge"),
        )
    assert err.value.code == "request_already_executed"


def test_raising_refusals(world: World) -> None:
    s = site(world)
    stock = receive(world, "STOCK-1")
    with pytest.raises(Conflict) as err:
        raised(world, stock)
    assert err.value.code == "meter_not_in_service"
    raised(world, s.old)
    with pytest.raises(Conflict) as err:
        raised(world, s.old)
    assert err.value.code == "request_already_open"
    with pytest.raises(ValidationFailed) as err:
        raised(world, s.old, reason="boredom")
    assert err.value.code == "release_reason_unknown"


def test_a_replayed_raise_returns_the_first_request(world: World) -> None:
    s = site(world)
    args = {"meter": s.old, "reason": "other", "idempotency_key": "r-1"}
    first, created = releases.meter_release_raise(**args, by=world.user("csa"))
    execute(
        world,
        chain.request_assign(
            request=first,
            assignee=world.user("technician"),
            by=world.user("cluster_incharge"),
        ),
    )
    again, created_again = releases.meter_release_raise(**args, by=world.user("csa"))
    assert (created, created_again, again.pk) == (True, False, first.pk)
    other = receive(world, "X-1")
    with pytest.raises(Conflict) as err:
        releases.meter_release_raise(
            meter=other, reason="other", idempotency_key="r-1", by=world.user("csa")
        )
    assert err.value.code == "idempotency_key_reused"


def test_a_meter_of_another_customer_is_refused_the_long_way(world: World) -> None:
    s = site(world)
    other = neighbour(s.customer.plant)
    with pytest.raises(Conflict) as err:
        chain.request_raise(
            kind=releases.METER_RELEASE,
            plant=other.plant,
            subject=other,
            payload={"meter": "OLD-1", "reason": "other"},
            idempotency_key="x",
            by=world.user("csa"),
        )
    assert err.value.code == "meter_not_in_service"
    with pytest.raises(ValidationFailed) as err:
        chain.request_raise(
            kind=releases.METER_RELEASE,
            plant=other.plant,
            subject=other,
            payload={"meter": "GHOST", "reason": "other"},
            idempotency_key="y",
            by=world.user("csa"),
        )
    assert err.value.code == "meter_not_found"


def test_tabs_filters_and_what_waits_for_whom(world: World) -> None:
    s = site(world)
    pending = raised(world, s.old)
    done_meter = receive(world, "DONE-1")
    from mcoms.metering.tests.change_kit import install

    install(neighbour(s.customer.plant), done_meter)
    done = execute(world, assigned(world, Meter.objects.get(pk=done_meter.pk)))
    done = chain.request_complete(request=done, by=world.user("state_incharge"))
    ci = world.user("cluster_incharge")
    qs = releases.releases_for(ci)
    assert releases.tab_counts(qs) == {
        "pending": 1,
        "review": 0,
        "completed": 1,
        "rejected": 0,
    }
    assert list(releases.releases_for(ci, tab="pending")) == [pending]
    today = timezone.localdate()
    completed = releases.releases_for(
        ci, tab="completed", plant=s.customer.plant, since=today, until=today
    )
    assert list(completed) == [done]
    yesterday = today - timedelta(days=1)
    assert not releases.releases_for(ci, tab="completed", until=yesterday).exists()
    assert not releases.releases_for(
        ci, tab="completed", plant=world.plants["BHMADH"]
    ).exists()
    assert list(releases.waiting_on(ci)) == [pending]  # to assign
    assert not releases.waiting_on(world.user("technician")).exists()
    req = chain.request_assign(
        request=pending, assignee=world.user("technician"), by=ci
    )
    assert list(releases.waiting_on(world.user("technician"))) == [req]
    assert not releases.waiting_on(ci).exists()
    execute(world, req)
    assert list(releases.waiting_on(ci)) == [req]  # to confirm
    assert not releases.waiting_on(world.user("technician")).exists()
    assert not releases.releases_for(world.user("sika_csa")).exists()
