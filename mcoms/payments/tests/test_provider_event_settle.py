"""The conflicts queue: callbacks that did not match wait for a person, one row
per provider transaction however often it arrived; applying one records the
payment (to the customer the person picks), dismissing needs a reason."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.payments.models import EventState, Payment, Settlement
from mcoms.payments.providers.simulator import SimulatorGateway
from mcoms.payments.selectors import conflicts_for
from mcoms.payments.services import payment_from_callback, provider_event_settle
from tests.builders import World


def unknown(
    world: World,
    times: int = 1,
    customer_id: str = "BHKATS00999",
    currency: str = "INR",
):
    sim = SimulatorGateway("tara")
    body, headers, _id = sim.webhook(
        amount=Decimal("120.00"),
        currency=currency,
        customer_id=customer_id,
        payment_id="pay_X",
    )
    return [
        payment_from_callback(
            provider="simulator",
            company_code="tara",
            kind="webhook",
            body=body,
            headers=headers,
        )
        for _ in range(times)
    ]


def test_the_queue_shows_one_row_per_transaction(world: World) -> None:
    unknown(world, times=3)
    rows = conflicts_for(world.user("ho_manager"))
    assert len(rows) == 1 and rows[0].times == 3
    assert rows[0].error_code == "reference_unknown"


def test_only_head_office_sees_the_queue(world: World) -> None:
    unknown(world)
    with pytest.raises(PermissionDenied):
        conflicts_for(world.user("csa"))
    with pytest.raises(PermissionDenied):
        conflicts_for(world.user("state_incharge"))
    assert conflicts_for(world.user("other_admin")) == []


def test_applying_records_the_payment_and_settles_every_copy(world: World) -> None:
    events = unknown(world, times=2)
    done = provider_event_settle(
        event=events[0],
        action="apply",
        by=world.user("ho_manager"),
        customer=world.customers["BHKATS"],
        note="payer typed a wrong number",
    )
    assert done.settlement == Settlement.APPLIED and done.state == EventState.PROCESSED
    payment = Payment.objects.get()
    assert (payment.amount, payment.provider_ref) == (Decimal("120.00"), "pay_X")
    assert conflicts_for(world.user("ho_manager")) == []
    events[1].refresh_from_db()
    assert events[1].payment_id == payment.pk and events[1].settled_by_id
    with pytest.raises(Conflict):
        provider_event_settle(
            event=events[0], action="dismiss", by=world.user("admin"), note="again"
        )
    # a later replay of the transaction now finds the payment
    replay = unknown(world)[0]
    assert replay.state == EventState.PROCESSED and replay.payment_id == payment.pk


def test_dismissing_needs_a_reason_and_writes_no_payment(world: World) -> None:
    event = unknown(world)[0]
    with pytest.raises(ValidationFailed) as err:
        provider_event_settle(event=event, action="dismiss", by=world.user("admin"))
    assert err.value.code == "note_missing"
    done = provider_event_settle(
        event=event,
        action="dismiss",
        by=world.user("admin"),
        note="refunded by the bank",
    )
    assert done.settlement == Settlement.DISMISSED and Payment.objects.count() == 0


def test_a_foreign_currency_can_only_be_dismissed(world: World) -> None:
    event = unknown(world, customer_id="BHKATS00101", currency="USD")[0]
    assert event.error_code == "currency_mismatch"
    with pytest.raises(ValidationFailed) as err:
        provider_event_settle(
            event=event,
            action="apply",
            by=world.user("admin"),
            customer=world.customers["BHKATS"],
        )
    assert err.value.code == "currency_mismatch"
    assert Payment.objects.count() == 0


def test_apply_needs_a_customer_of_the_company(world: World) -> None:
    event = unknown(world)[0]
    for customer in (None, world.customers["other"]):
        with pytest.raises(ValidationFailed) as err:
            provider_event_settle(
                event=event, action="apply", by=world.user("admin"), customer=customer
            )
        assert err.value.code == "customer_missing"
    with pytest.raises(ValidationFailed):
        provider_event_settle(event=event, action="pay", by=world.user("admin"))
    assert json.loads(bytes(event.body))["event"] == "payment.captured"
