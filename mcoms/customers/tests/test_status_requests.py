"""De-activation and re-activation through the approval chain: what a request
may ask, and what executing it does to the customer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.notifications.models import Message
from mcoms.notifications.testing import sms_outbox
from mcoms.workflow import services
from mcoms.workflow.models import Request
from tests.builders import World

__all__ = ["sms_outbox"]


def raise_(world: World, kind: str, payload: dict[str, Any], **kw: Any) -> Request:
    customer = kw.pop("customer", world.customers["BHKATS"])
    req, _created = services.request_raise(
        kind=kind,
        plant=customer.plant,
        subject=customer,
        payload=payload,
        comments=kw.pop("comments", ""),
        idempotency_key=str(uuid.uuid4()),
        by=world.user(kw.pop("by", "csa")),
    )
    return req


def to_review(world: World, req: Request) -> Request:
    req = services.request_approve(request=req, by=world.user("state_incharge"))
    req = services.request_assign(
        request=req,
        assignee=world.user("technician"),
        by=world.user("cluster_incharge"),
    )
    return services.request_execute(request=req, by=world.user("technician"))


def fresh(world: World, key: str = "BHKATS") -> Customer:
    return Customer.objects.get(pk=world.customers[key].pk)


def set_status(customer: Customer, status: str) -> None:
    Customer.objects.filter(pk=customer.pk).update(status=status)


# --- raising ------------------------------------------------------------------------
def test_a_deactivation_request_keeps_the_reason_and_the_ban(world: World) -> None:
    req = raise_(world, "deactivation", {"reason": "non_payment", "ban": True})
    assert req.payload == {"reason": "non_payment", "ban": True}
    assert req.subject == world.customers["BHKATS"]
    assert fresh(world).status == "active"  # nothing changes before execute


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "status_reason_unknown"),
        ({"reason": "bored"}, "status_reason_unknown"),
        ({"reason": "other", "ban": "yes"}, "ban_invalid"),
        ({"reason": "other", "colour": "red"}, "payload_field_unknown"),
    ],
)
def test_bad_details_are_refused(world: World, payload, code) -> None:
    with pytest.raises(ValidationFailed) as exc:
        raise_(world, "deactivation", payload)
    assert exc.value.code == code
    assert not Request.objects.exists()


@pytest.mark.parametrize("status", ["inactive", "banned", "new"])
def test_only_an_active_customer_is_deactivated(world: World, status) -> None:
    set_status(world.customers["BHKATS"], status)
    with pytest.raises(Conflict) as exc:
        raise_(world, "deactivation", {"reason": "other"})
    assert exc.value.code == "customer_not_active"


@pytest.mark.parametrize("status", ["active", "new"])
def test_only_an_inactive_or_banned_customer_is_reactivated(world: World, status):
    set_status(world.customers["BHKATS"], status)
    with pytest.raises(Conflict) as exc:
        raise_(world, "reactivation", {"reason": "customer_wish"})
    assert exc.value.code == "customer_not_inactive"


def test_reactivation_details_are_only_the_reason(world: World) -> None:
    set_status(world.customers["BHKATS"], "banned")
    with pytest.raises(ValidationFailed) as exc:
        raise_(world, "reactivation", {"reason": "other", "ban": False})
    assert exc.value.code == "payload_field_unknown"
    assert raise_(world, "reactivation", {"reason": "other"}).payload == {
        "reason": "other"
    }


def test_a_second_open_request_for_the_customer_is_refused(world: World) -> None:
    first = raise_(world, "deactivation", {"reason": "non_payment"})
    with pytest.raises(Conflict) as exc:
        raise_(world, "deactivation", {"reason": "other"}, by="cluster_incharge")
    assert exc.value.code == "request_already_open"
    services.request_reject(request=first, reason="paid", by=world.user("admin"))
    assert raise_(world, "deactivation", {"reason": "other"}).state == "request"


def test_a_customer_of_another_plant_or_outside_the_scope(world: World) -> None:
    sika = world.customers["BHSIKA"]
    with pytest.raises(ValidationFailed) as exc:
        services.request_raise(
            kind="deactivation",
            plant=world.plants["BHKATS"],
            subject=sika,
            payload={"reason": "other"},
            idempotency_key="k",
            by=world.user("csa"),
        )
    assert exc.value.code == "customer_other_plant"
    from mcoms.core.errors import NotFound

    with pytest.raises(NotFound):
        raise_(world, "deactivation", {"reason": "other"}, customer=sika)


def test_a_status_request_needs_a_customer(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.request_raise(
            kind="deactivation",
            plant=world.plants["BHKATS"],
            payload={"reason": "other"},
            idempotency_key="k",
            by=world.user("csa"),
        )
    assert exc.value.code == "request_customer_missing"


# --- executing ----------------------------------------------------------------------
def test_executing_a_deactivation_sets_the_status_with_history(world: World) -> None:
    Customer.objects.filter(pk=world.customers["BHKATS"].pk).update(
        flagged_outstanding="250.00", flagged_at="2026-01-01T00:00:00Z"
    )
    req = to_review(world, raise_(world, "deactivation", {"reason": "non_payment"}))
    customer = fresh(world)
    assert (customer.status, customer.status_reason) == ("inactive", "non_payment")
    assert req.assigned_at < customer.status_changed_at <= req.executed_at
    assert customer.flagged_at is None and customer.flagged_outstanding is None
    record = customer.history.latest("history_date")
    assert record.history_user == world.user("technician")
    assert record.history_change_reason == f"{req.number} deactivation"
    assert req.result == {
        "previous_status": "active",
        "previous_reason": "",
        "status": "inactive",
    }


def test_a_deactivation_with_ban_bans(world: World) -> None:
    to_review(world, raise_(world, "deactivation", {"reason": "other", "ban": True}))
    assert fresh(world).status == CustomerStatus.BANNED


def test_executing_a_reactivation_makes_the_customer_active(world: World) -> None:
    Customer.objects.filter(pk=world.customers["BHKATS"].pk).update(
        status="banned", status_reason="non_payment"
    )
    req = to_review(world, raise_(world, "reactivation", {"reason": "customer_wish"}))
    customer = fresh(world)
    assert (customer.status, customer.status_reason) == ("active", "")
    assert req.result["previous_status"] == "banned"


def test_the_customer_is_told_by_sms_after_commit(
    world: World, sms_outbox, django_capture_on_commit_callbacks
) -> None:
    req = raise_(world, "deactivation", {"reason": "non_payment"})
    with django_capture_on_commit_callbacks(execute=True):
        to_review(world, req)
    texts = [s.body for s in sms_outbox if s.to == "+919800000001"]
    assert len(texts) == 1
    assert "BHKATS00101" in texts[0]
    assert "निष्क्रिय" in texts[0]  # the customer's language (Hindi by default)
    message = Message.objects.get(template="customer_deactivated")
    assert (message.status, message.language) == ("sent", "hi")


def test_the_sms_is_in_english_for_an_english_customer(world: World) -> None:
    Customer.objects.filter(pk=world.customers["BHKATS"].pk).update(language="en")
    to_review(world, raise_(world, "deactivation", {"reason": "non_payment"}))
    body = Message.objects.get(template="customer_deactivated").body
    assert "de-activated" in body and "Non-payment" in body


def test_a_status_changed_before_execute_is_a_conflict(world: World) -> None:
    req = raise_(world, "deactivation", {"reason": "other"})
    req = services.request_approve(request=req, by=world.user("state_incharge"))
    req = services.request_assign(
        request=req, assignee=world.user("csa"), by=world.user("cluster_incharge")
    )
    set_status(world.customers["BHKATS"], "banned")
    with pytest.raises(Conflict) as exc:
        services.request_execute(request=req, by=world.user("csa"))
    assert exc.value.code == "customer_status_changed"
    assert Request.objects.get(pk=req.pk).state == "in_process"
    assert not Message.objects.filter(template="customer_deactivated").exists()


def test_sent_back_and_executed_again_changes_nothing_more(world: World) -> None:
    req = to_review(world, raise_(world, "deactivation", {"reason": "other"}))
    req = services.request_reject(
        request=req, reason="meter still live", by=world.user("cluster_incharge")
    )
    history = fresh(world).history.count()
    req = services.request_execute(request=req, by=world.user("technician"))
    assert req.state == "review"
    assert fresh(world).history.count() == history
    assert Message.objects.filter(template="customer_deactivated").count() == 1


def test_rejecting_an_executed_request_restores_the_status(world: World) -> None:
    req = to_review(world, raise_(world, "deactivation", {"reason": "other"}))
    req = services.request_reject(
        request=req, reason="wrong customer", by=world.user("cluster_incharge")
    )
    req = services.request_reject(
        request=req, reason="wrong customer", by=world.user("cluster_incharge")
    )
    assert req.state == "rejected"
    customer = fresh(world)
    assert (customer.status, customer.status_reason) == ("active", "")
    assert customer.history.latest("history_date").history_change_reason == (
        f"{req.number} rejected: status restored"
    )
    assert Message.objects.filter(template="customer_reactivated").count() == 1


def test_completing_closes_the_request_and_frees_the_customer(world: World) -> None:
    req = to_review(world, raise_(world, "deactivation", {"reason": "other"}))
    req = services.request_complete(request=req, by=world.user("cluster_incharge"))
    assert req.state == "completed" and req.exclusive_key is None
    again = raise_(world, "reactivation", {"reason": "customer_wish"})
    assert again.state == "request"
