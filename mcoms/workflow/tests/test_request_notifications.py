"""Each step tells the next actor(s), in the app, after commit; the narrowest
scope first (the State In-charge, not head office), never the actor."""

from __future__ import annotations

import pytest
from django.db import transaction

from mcoms.notifications.models import Message
from mcoms.workflow import services
from mcoms.workflow.tests.conftest import inbox, walk
from tests.builders import World


def told(template: str) -> set[str]:
    return set(
        Message.objects.filter(template=template).values_list(
            "user__username", flat=True
        )
    )


def test_raising_tells_the_state_incharge_only(world: World, raise_probe) -> None:
    req = raise_probe(comments="please hurry")
    assert told("request_to_approve") == {"state_incharge"}
    message = inbox("state_incharge")[0]
    assert message.channel == "inapp"
    assert req.number in message.subject
    assert "please hurry" in message.body
    assert "BHKATS" in message.body


def test_approving_tells_the_cluster_incharge(world: World, raise_probe) -> None:
    walk(world, raise_probe(), "approved")
    assert told("request_to_assign") == {"cluster_incharge"}


def test_assigning_and_reassigning_tell_both_assignees(
    world: World, raise_probe
) -> None:
    req = walk(world, raise_probe(), "in_process")
    assert told("request_assigned") == {"technician"}
    services.request_assign(
        request=req, assignee=world.user("csa"), by=world.user("cluster_incharge")
    )
    assert told("request_assigned") == {"technician", "csa"}
    assert told("request_unassigned") == {"technician"}


def test_executing_tells_the_reviewer_and_completing_the_raiser(
    world: World, raise_probe
) -> None:
    req = walk(world, raise_probe(), "review")
    assert told("request_to_review") == {"cluster_incharge"}
    services.request_complete(request=req, by=world.user("cluster_incharge"))
    assert told("request_completed") == {"csa", "technician"}


def test_when_the_reviewer_did_the_work_the_next_level_reviews(
    world: World, raise_probe
) -> None:
    req = walk(world, raise_probe(), "approved")
    req = services.request_assign(
        request=req,
        assignee=world.user("cluster_incharge"),
        by=world.user("cluster_incharge"),
    )
    services.request_execute(request=req, by=world.user("cluster_incharge"))
    assert told("request_to_review") == {"state_incharge"}


def test_rejections_tell_the_raiser_and_the_assignee(world: World, raise_probe) -> None:
    req = walk(world, raise_probe(), "review")
    services.request_reject(
        request=req, reason="meter still on", by=world.user("cluster_incharge")
    )
    assert told("request_reopened") == {"technician"}
    assert "meter still on" in inbox("technician", "request_reopened")[0].body
    other = walk(world, raise_probe(by="operator"), "in_process")
    services.request_reject(
        request=other, reason="paid", by=world.user("cluster_incharge")
    )
    assert told("request_rejected") == {"operator", "technician"}


def test_nobody_is_told_of_their_own_step(world: World, raise_probe) -> None:
    raise_probe(by="state_incharge")  # the approver raises it themselves
    assert told("request_to_approve") == {"ho_manager", "admin"}


def test_messages_are_in_the_readers_language(world: World, raise_probe) -> None:
    user = world.user("state_incharge")
    user.language = "hi"
    user.save(update_fields=["language"])
    raise_probe()
    message = inbox("state_incharge")[0]
    assert message.language == "hi"
    assert "स्वीकृति" in message.body


def test_messages_are_delivered_after_commit(
    world: World, raise_probe, sms_outbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        raise_probe()
    assert len(callbacks) == 1
    assert Message.objects.get(template="request_to_approve").status == "sent"


def test_a_step_rolled_back_tells_nobody(world: World, raise_probe) -> None:
    req = raise_probe()
    Message.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.request_approve(request=req, by=world.user("state_incharge"))
        raise RuntimeError("the caller failed after the step")
    assert not Message.objects.exists()
    req.refresh_from_db()
    assert req.state == "request"
