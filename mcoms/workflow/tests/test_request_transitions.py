"""Every step of the chain and every refusal: wrong state (409), wrong
designation (403), outside the scope (404), a bad assignee, retried steps."""

from __future__ import annotations

import pytest

from mcoms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mcoms.org import services as org
from mcoms.workflow import services
from mcoms.workflow.models import Request, RequestStep
from mcoms.workflow.tests.conftest import RUNS, walk
from tests.builders import PASSWORD, World


def steps(req: Request) -> list[tuple[str, str, str, str]]:
    return [
        (s.action, s.from_state, s.to_state, s.by.username)
        for s in RequestStep.objects.filter(request=req).select_related("by")
    ]


def test_the_whole_chain_records_each_step_and_time(world: World, raise_probe):
    req = walk(world, raise_probe(), "completed")

    req.refresh_from_db()
    assert req.state == "completed"
    assert steps(req) == [
        ("raise", "", "request", "csa"),
        ("approve", "request", "approved", "state_incharge"),
        ("assign", "approved", "in_process", "cluster_incharge"),
        ("execute", "in_process", "review", "technician"),
        ("complete", "review", "completed", "cluster_incharge"),
    ]
    assert req.approved_by == world.user("state_incharge")
    assert (req.assigned_to, req.assigned_by) == (
        world.user("technician"),
        world.user("cluster_incharge"),
    )
    assert req.executed_by == world.user("technician")
    assert req.closed_by == world.user("cluster_incharge")
    assert req.raised_at <= req.approved_at <= req.assigned_at
    assert req.assigned_at <= req.executed_at <= req.closed_at
    assert req.result == {"runs": 1}  # the kind's handler ran once
    assert [req.number] == RUNS


def test_reassign_while_in_process(world: World, raise_probe) -> None:
    req = walk(world, raise_probe(), "in_process")
    req = services.request_assign(
        request=req,
        assignee=world.user("csa"),
        by=world.user("cluster_incharge"),
        note="technician is on leave",
    )
    assert (req.state, req.assigned_to) == ("in_process", world.user("csa"))
    last = steps(req)[-1]
    assert last == ("reassign", "in_process", "in_process", "cluster_incharge")
    with pytest.raises(Conflict) as exc:
        services.request_assign(
            request=req, assignee=world.user("csa"), by=world.user("cluster_incharge")
        )
    assert exc.value.code == "request_already_assigned"


# --- wrong state ----------------------------------------------------------------
WRONG_STATE = [
    ("approve", "approved", "state_incharge"),
    ("approve", "in_process", "state_incharge"),
    ("assign", "request", "cluster_incharge"),
    ("assign", "review", "cluster_incharge"),
    ("execute", "request", "technician"),
    ("execute", "approved", "technician"),
    ("execute", "review", "technician"),
    ("complete", "in_process", "cluster_incharge"),
    ("complete", "completed", "state_incharge"),
    ("reject", "completed", "state_incharge"),
]


def act(world: World, action: str, req: Request, by: str) -> Request:
    user = world.user(by)
    if action == "approve":
        return services.request_approve(request=req, by=user)
    if action == "assign":
        return services.request_assign(
            request=req, assignee=world.user("technician"), by=user
        )
    if action == "execute":
        return services.request_execute(request=req, by=user)
    if action == "complete":
        return services.request_complete(request=req, by=user)
    return services.request_reject(request=req, reason="no", by=user)


@pytest.mark.parametrize(("action", "state", "by"), WRONG_STATE)
def test_a_step_the_state_does_not_allow_is_a_conflict(
    world: World, raise_probe, action, state, by
) -> None:
    req = raise_probe()
    if state != "request":
        req = walk(world, req, state)
    before = steps(req)
    with pytest.raises(Conflict) as exc:
        act(world, action, req, by)
    assert exc.value.code == "request_wrong_state"
    assert Request.objects.get(pk=req.pk).state == state
    assert steps(req) == before


# --- wrong designation ------------------------------------------------------------
WRONG_DESIGNATION = [
    ("approve", "request", "cluster_incharge"),
    ("approve", "request", "csa"),
    ("assign", "approved", "technician"),
    ("assign", "approved", "csa"),
    ("execute", "in_process", "operator"),
    ("complete", "review", "technician"),
    ("complete", "review", "csa"),
    ("reject", "request", "cluster_incharge"),
    ("reject", "request", "technician"),
    ("reject", "in_process", "csa"),
    ("reject", "review", "technician"),
]


@pytest.mark.parametrize(("action", "state", "by"), WRONG_DESIGNATION)
def test_a_designation_without_the_action_is_forbidden(
    world: World, raise_probe, action, state, by
) -> None:
    req = raise_probe()
    if state != "request":
        req = walk(world, req, state)
    with pytest.raises(Forbidden) as exc:
        act(world, action, req, by)
    assert exc.value.code == "designation_not_allowed"
    assert exc.value.status == 403
    assert Request.objects.get(pk=req.pk).state == state


def test_only_the_assignee_executes(world: World, raise_probe) -> None:
    req = walk(world, raise_probe(), "in_process")  # assigned to the technician
    with pytest.raises(Forbidden) as exc:
        services.request_execute(request=req, by=world.user("csa"))
    assert exc.value.code == "request_not_assignee"


def test_nobody_reviews_their_own_work(world: World, raise_probe) -> None:
    req = walk(world, raise_probe(), "approved")
    req = services.request_assign(
        request=req,
        assignee=world.user("cluster_incharge"),
        by=world.user("cluster_incharge"),
    )
    req = services.request_execute(request=req, by=world.user("cluster_incharge"))
    with pytest.raises(Forbidden) as exc:
        services.request_complete(request=req, by=world.user("cluster_incharge"))
    assert exc.value.code == "request_review_own_work"
    done = services.request_complete(request=req, by=world.user("state_incharge"))
    assert done.state == "completed"


# --- outside the scope ---------------------------------------------------------
def test_a_request_outside_the_scope_is_not_found(world: World, raise_probe) -> None:
    req = raise_probe(by="sika_csa", plant="BHSIKA")
    with pytest.raises(NotFound) as exc:
        services.request_reject(
            request=req, reason="x", by=world.user("cluster_incharge")
        )  # BH-NORTH does not cover BHSIKA
    assert exc.value.code == "request_not_found"
    kats = raise_probe()
    with pytest.raises(NotFound):
        services.request_approve(request=kats, by=world.user("other_admin"))
    gora = raise_probe(by="admin", plant="UPGORA")
    with pytest.raises(NotFound):
        services.request_approve(request=gora, by=world.user("state_incharge"))
    assert Request.objects.get(pk=gora.pk).state == "request"


# --- assignees --------------------------------------------------------------------
def test_an_assignee_outside_the_plant_is_refused(world: World, raise_probe) -> None:
    req = walk(world, raise_probe(), "approved")
    with pytest.raises(ValidationFailed) as exc:
        services.request_assign(
            request=req, assignee=world.user("sika_csa"), by=world.user("admin")
        )
    assert (exc.value.code, exc.value.field) == ("assignee_out_of_scope", "assignee")
    assert Request.objects.get(pk=req.pk).state == "approved"


@pytest.mark.parametrize("who", ["operator", "state_incharge", "ho_manager"])
def test_an_assignee_who_does_not_execute_is_refused(
    world: World, raise_probe, who
) -> None:
    req = walk(world, raise_probe(), "approved")
    with pytest.raises(ValidationFailed) as exc:
        services.request_assign(
            request=req, assignee=world.user(who), by=world.user("cluster_incharge")
        )
    assert exc.value.code == "assignee_cannot_execute"


def test_an_assignee_of_another_company_or_a_customer_is_unknown(
    world: World, raise_probe
) -> None:
    req = walk(world, raise_probe(), "approved")
    for user in (world.user("other_admin"), world.customers["BHKATS"].user):
        with pytest.raises(ValidationFailed) as exc:
            services.request_assign(
                request=req, assignee=user, by=world.user("cluster_incharge")
            )
        assert exc.value.code == "assignee_unknown"


def test_an_inactive_staff_member_cannot_be_assigned(world: World, raise_probe) -> None:
    tech2 = org.staff_create(
        username="tech2",
        password=PASSWORD,
        first_name="Tech",
        designation="technician",
        scope=world.plants["BHKATS"],
        by=None,  # type: ignore[arg-type]
    )
    org.staff_update(staff=tech2, is_active=False, by=world.user("admin"))
    req = walk(world, raise_probe(), "approved")
    with pytest.raises(ValidationFailed) as exc:
        services.request_assign(
            request=req, assignee=tech2.user, by=world.user("cluster_incharge")
        )
    assert exc.value.code == "assignee_unknown"


# --- reject -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("state", "by"),
    [
        ("request", "state_incharge"),
        ("approved", "cluster_incharge"),
        ("in_process", "cluster_incharge"),
    ],
)
def test_reject_closes_the_request_with_the_reason(
    world: World, raise_probe, state, by
) -> None:
    req = raise_probe()
    if state != "request":
        req = walk(world, req, state)
    req = services.request_reject(
        request=req, reason=" customer paid ", by=world.user(by)
    )
    assert (req.state, req.reject_reason) == ("rejected", "customer paid")
    assert req.closed_by == world.user(by)
    assert steps(req)[-1] == ("reject", state, "rejected", by)


def test_reject_at_review_sends_it_back_to_the_assignee(
    world: World, raise_probe
) -> None:
    req = walk(world, raise_probe(), "review")
    req = services.request_reject(
        request=req, reason="meter still on", by=world.user("cluster_incharge")
    )
    assert req.state == "in_process"
    assert req.assigned_to == world.user("technician")
    assert steps(req)[-1] == ("reopen", "review", "in_process", "cluster_incharge")
    req = services.request_execute(request=req, by=world.user("technician"))
    assert req.result == {"runs": 2}  # the handler ran again
    assert services.request_complete(
        request=req, by=world.user("cluster_incharge")
    ).state == ("completed")


def test_an_executed_request_of_a_kind_without_revert_cannot_be_rejected(
    world: World, raise_probe
) -> None:
    req = walk(world, raise_probe(), "review")
    req = services.request_reject(
        request=req, reason="redo", by=world.user("cluster_incharge")
    )
    with pytest.raises(Conflict) as exc:
        services.request_reject(
            request=req, reason="give up", by=world.user("cluster_incharge")
        )
    assert exc.value.code == "request_already_executed"
    assert Request.objects.get(pk=req.pk).state == "in_process"


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_needs_a_reason(world: World, raise_probe, reason) -> None:
    req = raise_probe()
    with pytest.raises(ValidationFailed) as exc:
        services.request_reject(
            request=req, reason=reason, by=world.user("state_incharge")
        )
    assert (exc.value.code, exc.value.field) == ("reject_reason_missing", "reason")
    assert Request.objects.get(pk=req.pk).state == "request"


# --- retries ------------------------------------------------------------------------
def test_a_retried_step_with_its_key_changes_nothing(world: World, raise_probe):
    req = raise_probe()
    first = services.request_approve(
        request=req, by=world.user("state_incharge"), idempotency_key="tap-1"
    )
    again = services.request_approve(
        request=req, by=world.user("state_incharge"), idempotency_key="tap-1"
    )
    assert again.state == first.state == "approved"
    assert [s[0] for s in steps(req)] == ["raise", "approve"]
    with pytest.raises(Conflict) as exc:  # a retry without the key: a conflict
        services.request_approve(request=req, by=world.user("state_incharge"))
    assert exc.value.code == "request_wrong_state"
    with pytest.raises(Conflict) as exc:  # the key of another step
        services.request_reject(
            request=req,
            reason="x",
            by=world.user("state_incharge"),
            idempotency_key="tap-1",
        )
    assert exc.value.code == "idempotency_key_reused"


def test_a_retried_execute_runs_the_handler_once(world: World, raise_probe) -> None:
    req = walk(world, raise_probe(), "in_process")
    for _ in range(3):
        req = services.request_execute(
            request=req, by=world.user("technician"), idempotency_key="exec-1"
        )
    assert req.state == "review"
    assert [req.number] == RUNS


def test_the_steps_offered_follow_the_same_rules(world: World, raise_probe) -> None:
    from mcoms.workflow.selectors import request_actions

    req = raise_probe()
    assert request_actions(world.user("state_incharge"), req) == ["approve", "reject"]
    assert request_actions(world.user("cluster_incharge"), req) == []
    req = walk(world, req, "in_process")
    assert request_actions(world.user("technician"), req) == ["execute"]
    assert request_actions(world.user("cluster_incharge"), req) == ["assign", "reject"]
    req = services.request_execute(request=req, by=world.user("technician"))
    assert request_actions(world.user("cluster_incharge"), req) == [
        "complete",
        "reject",
    ]
    assert request_actions(world.user("technician"), req) == []
    req = services.request_reject(
        request=req, reason="again", by=world.user("cluster_incharge")
    )
    # executed once, and the probe kind cannot undo it: no final reject offered
    assert request_actions(world.user("cluster_incharge"), req) == ["assign"]
    assert request_actions(world.customers["BHKATS"].user, req) == []
