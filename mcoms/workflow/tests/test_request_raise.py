"""Raising a request: numbering, the first step, idempotent retries, refusals."""

from __future__ import annotations

import pytest

from mcoms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mcoms.workflow import services
from mcoms.workflow.kinds import RequestKind, registered
from mcoms.workflow.models import Request, RequestStep
from mcoms.workflow.tests.conftest import PROBE, key
from tests.builders import World


def test_a_raised_request_is_numbered_per_plant_and_records_its_step(
    world: World, raise_probe
) -> None:
    first = raise_probe()
    second = raise_probe()
    sika = raise_probe(by="sika_csa", plant="BHSIKA")

    assert (first.number, second.number, sika.number) == (
        "BHKATS-00001",
        "BHKATS-00002",
        "BHSIKA-00001",
    )
    assert first.state == "request"
    assert first.raised_by == world.user("csa")
    assert first.payload == {"size": 2}  # what the kind's validate returned
    step = RequestStep.objects.get(request=first)
    assert (step.action, step.from_state, step.to_state) == ("raise", "", "request")
    assert step.by == world.user("csa")


def test_a_retry_with_the_same_key_returns_the_first_request(
    world: World, probe
) -> None:
    args = {
        "kind": "probe",
        "plant": world.plants["BHKATS"],
        "payload": {"size": 3},
        "idempotency_key": "client-uuid-1",
        "by": world.user("csa"),
    }
    first, created = services.request_raise(**args)
    again, created_again = services.request_raise(**args)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Request.objects.count() == 1
    assert RequestStep.objects.count() == 1


def test_the_same_key_for_another_request_is_refused(world: World, probe) -> None:
    services.request_raise(
        kind="probe",
        plant=world.plants["BHKATS"],
        idempotency_key="k1",
        by=world.user("csa"),
    )
    with pytest.raises(Conflict) as exc:
        services.request_raise(
            kind="probe",
            plant=world.plants["BHMADH"],
            idempotency_key="k1",
            by=world.user("cluster_incharge"),
        )
    assert exc.value.code == "idempotency_key_reused"
    assert Request.objects.count() == 1


@pytest.mark.parametrize("bad_key", ["", "   ", "x" * 121])
def test_a_missing_or_overlong_key_is_refused(world: World, probe, bad_key) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.request_raise(
            kind="probe",
            plant=world.plants["BHKATS"],
            idempotency_key=bad_key,
            by=world.user("csa"),
        )
    assert exc.value.code.startswith("idempotency_key_")
    assert not Request.objects.exists()


def test_an_unknown_kind_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.request_raise(
            kind="nothing",
            plant=world.plants["BHKATS"],
            idempotency_key=key(),
            by=world.user("csa"),
        )
    assert (exc.value.code, exc.value.field) == ("request_kind_unknown", "kind")


def test_a_plant_outside_the_scope_is_not_found(world: World, probe) -> None:
    for plant in ("BHSIKA", "UPGORA"):
        with pytest.raises(NotFound) as exc:
            services.request_raise(
                kind="probe",
                plant=world.plants[plant],
                idempotency_key=key(),
                by=world.user("csa"),
            )
        assert exc.value.code == "plant_not_found"
    with pytest.raises(NotFound):
        services.request_raise(
            kind="probe",
            plant=world.plants["BHKATS"],
            idempotency_key=key(),
            by=world.user("other_admin"),
        )
    assert not Request.objects.exists()


def test_a_customer_is_not_staff(world: World, probe) -> None:
    customer_user = world.customers["BHKATS"].user
    with pytest.raises(Forbidden) as exc:
        services.request_raise(
            kind="probe",
            plant=world.plants["BHKATS"],
            idempotency_key=key(),
            by=customer_user,
        )
    assert exc.value.code == "designation_not_allowed"


def test_the_kinds_validation_refuses_bad_details(world: World, probe) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.request_raise(
            kind="probe",
            plant=world.plants["BHKATS"],
            payload={"bad": True},
            idempotency_key=key(),
            by=world.user("csa"),
        )
    assert exc.value.code == "probe_bad"
    assert not Request.objects.exists()


def test_a_customer_for_a_kind_without_one_is_refused(world: World, probe) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.request_raise(
            kind="probe",
            plant=world.plants["BHKATS"],
            subject=world.customers["BHKATS"],
            idempotency_key=key(),
            by=world.user("csa"),
        )
    assert exc.value.code == "request_customer_unexpected"


def test_comments_are_kept_and_limited(world: World, raise_probe) -> None:
    assert raise_probe(comments="  meter is loose  ").comments == "meter is loose"
    with pytest.raises(ValidationFailed) as exc:
        raise_probe(comments="x" * 1001)
    assert exc.value.code == "comments_too_long"


def test_a_kind_without_approval_starts_approved(world: World) -> None:
    kind = RequestKind(
        code="service",
        label="Service",
        validate=lambda data: {},
        perform=lambda req, by: {},
        needs_subject=False,
        needs_approval=False,
    )
    with registered(kind):
        req, _created = services.request_raise(
            kind="service",
            plant=world.plants["BHKATS"],
            idempotency_key=key(),
            by=world.user("operator"),
        )
    assert req.state == "approved"
    assert req.approved_by == world.user("operator")
    actions = list(req.steps.values_list("action", "to_state"))
    assert actions == [("raise", "request"), ("approve", "approved")]


def test_an_exclusive_key_allows_one_open_request_at_a_time(world: World) -> None:
    kind = RequestKind(
        code="once",
        label="Once",
        validate=lambda data: {},
        perform=lambda req, by: {},
        needs_subject=False,
        exclusive_key=lambda data: f"once:{data.plant.pk}",
    )
    with registered(kind):
        first, _ = services.request_raise(
            kind="once",
            plant=world.plants["BHKATS"],
            idempotency_key=key(),
            by=world.user("csa"),
        )
        with pytest.raises(Conflict) as exc:
            services.request_raise(
                kind="once",
                plant=world.plants["BHKATS"],
                idempotency_key=key(),
                by=world.user("csa"),
            )
        assert exc.value.code == "request_already_open"
        services.request_reject(
            request=first, reason="not needed", by=world.user("state_incharge")
        )
        again, created = services.request_raise(
            kind="once",
            plant=world.plants["BHKATS"],
            idempotency_key=key(),
            by=world.user("csa"),
        )
    assert created and again.exclusive_key == f"once:{world.plants['BHKATS'].pk}"
    assert Request.objects.get(pk=first.pk).exclusive_key is None


def test_the_registry_refuses_a_second_kind_under_one_code(probe) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from mcoms.workflow.kinds import register

    other = RequestKind(
        code=PROBE.code,
        label="Other",
        validate=PROBE.validate,
        perform=PROBE.perform,
    )
    with pytest.raises(ImproperlyConfigured):
        register(other)
    assert register(PROBE) is PROBE  # the same kind again is harmless
