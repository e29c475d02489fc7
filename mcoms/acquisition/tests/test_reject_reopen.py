"""A step may be rejected with a reason: the prospect stops at the stage it
waited for; it can be reopened where it stopped."""

from __future__ import annotations

import pytest

from mcoms.acquisition import services
from mcoms.acquisition.models import STAGES, ProspectStatus, Stage
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.metering.models import MeterState

from .conftest import advance, survey


@pytest.mark.parametrize("at", STAGES[:-1])
def test_a_prospect_is_rejected_at_the_stage_it_waits_for(kit, at) -> None:
    prospect = advance(kit, survey(kit), at) if at != Stage.SURVEY else survey(kit)
    prospect = services.prospect_reject(
        prospect=prospect, reason=" No   ID proof ", by=kit.user("cluster_incharge")
    )
    waited = STAGES[STAGES.index(at) + 1]
    assert (prospect.status, prospect.rejected_stage) == ("rejected", waited)
    assert prospect.rejection_reason == "No ID proof"
    event = prospect.events.latest("pk")
    assert (event.kind, event.stage, event.by) == (
        "rejected",
        waited,
        kit.user("cluster_incharge"),
    )


def test_a_reason_is_needed(kit) -> None:
    prospect = survey(kit)
    with pytest.raises(ValidationFailed) as err:
        services.prospect_reject(prospect=prospect, reason="  ", by=None)
    assert (err.value.code, err.value.field) == ("reason_missing", "reason")
    prospect.refresh_from_db()
    assert prospect.status == ProspectStatus.OPEN


def test_only_open_prospects_are_rejected(kit) -> None:
    prospect = survey(kit)
    services.prospect_reject(prospect=prospect, reason="moved away", by=None)
    with pytest.raises(Conflict) as err:
        services.prospect_reject(prospect=prospect, reason="again", by=None)
    assert err.value.code == "prospect_not_open"
    active = advance(kit, survey(kit, phone="+919876500002"), Stage.ACTIVATION)
    with pytest.raises(Conflict) as err:
        services.prospect_reject(prospect=active, reason="late", by=None)
    assert err.value.code == "prospect_not_open"


def test_a_reopened_prospect_goes_on_where_it_stopped(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.ACQUISITION)
    services.prospect_reject(prospect=prospect, reason="no documents", by=None)
    with pytest.raises(Conflict) as err:
        services.prospect_reopen(
            prospect=survey(kit, phone="+919876500002"), reason="x", by=None
        )
    assert err.value.code == "prospect_not_rejected"
    prospect = services.prospect_reopen(
        prospect=prospect, reason="documents found", by=kit.user("csa")
    )
    assert (prospect.status, prospect.rejected_stage, prospect.stage) == (
        "open",
        "",
        Stage.ACQUISITION,
    )
    assert prospect.events.latest("pk").kind == "reopened"
    assert advance(kit, prospect, Stage.KYC).stage == Stage.KYC


def test_rejecting_a_connection_returns_its_meter_and_idles_the_account(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.ACCOUNT)
    services.prospect_meter_assign(prospect=prospect, meter=kit.meters["LL-1"], by=None)
    prospect = services.prospect_reject(
        prospect=prospect, reason="house wiring unsafe", by=kit.user("technician")
    )
    assert prospect.rejected_stage == Stage.METER
    assert prospect.meter_assignment is None
    kit.meters["LL-1"].refresh_from_db()
    assert kit.meters["LL-1"].state == MeterState.AVAILABLE
    customer = prospect.customer
    customer.refresh_from_db()
    assert (customer.status, customer.status_reason) == ("inactive", "other")
    prospect = services.prospect_reopen(prospect=prospect, reason="rewired", by=None)
    customer.refresh_from_db()
    assert customer.status == "new"
    assert advance(kit, prospect, Stage.ACTIVATION, meter="LL-2").status == "active"


def test_an_installed_meter_stays_when_the_activation_is_rejected(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.METER)
    prospect = services.prospect_reject(
        prospect=prospect, reason="earthing missing", by=None
    )
    assert prospect.rejected_stage == Stage.ACTIVATION
    assert prospect.meter_assignment.meter.serial == "LL-1"
    prospect = services.prospect_reopen(prospect=prospect, reason="fixed", by=None)
    assert services.prospect_activate(prospect=prospect, by=None).status == "active"
