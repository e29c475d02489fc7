"""Every step comes in its turn: out of order, retried, or on a rejected
prospect it is refused (or replayed) and changes nothing."""

from __future__ import annotations

import pytest

from mcoms.acquisition import services
from mcoms.acquisition.models import STAGES, EventKind, Prospect, Stage
from mcoms.core.errors import Conflict

from .conftest import _steps, advance, survey

# A stage and the stage two before it: doing the first there skips one.
SKIPS = [(STAGES[i], STAGES[i - 2]) for i in range(2, len(STAGES))]


@pytest.mark.parametrize(("stage", "at"), SKIPS)
def test_a_stage_out_of_turn_is_refused(kit, stage, at) -> None:
    prospect = advance(kit, survey(kit), at) if at != Stage.SURVEY else survey(kit)
    events = prospect.events.count()
    step = _steps(kit, kit.prepaid, "LL-1")[stage]
    with pytest.raises(Conflict) as err:
        step(prospect, kit.user("technician"))
    assert err.value.code == "stage_wrong_order"
    prospect.refresh_from_db()
    assert prospect.stage == at
    assert prospect.events.count() <= events + 1  # a KYC upload may stay


# Marketing, KYC and the package may be recorded again: see the redo test.
# (A second account is refused with its own code: test_package_and_account.)
ONCE = [
    s
    for s in STAGES[1:]
    if s not in (Stage.MARKETING, Stage.KYC, Stage.PACKAGE, Stage.ACCOUNT)
]


@pytest.mark.parametrize("stage", ONCE)
def test_a_stage_done_once_is_not_done_again(kit, stage) -> None:
    prospect = advance(kit, survey(kit), stage)
    step = _steps(kit, kit.prepaid, "LL-2")[stage]
    with pytest.raises(Conflict) as err:
        step(prospect, kit.user("technician"))
    assert err.value.code == "stage_wrong_order"


def test_marketing_kyc_and_package_may_be_recorded_again_in_their_turn(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.MARKETING)
    services.prospect_marketing_record(
        prospect=prospect, method="leaflet", by=kit.user("operator")
    )
    prospect.refresh_from_db()
    assert prospect.marketing_method == "leaflet"
    assert prospect.events.filter(stage="marketing", kind="done").count() == 2
    prospect = advance(kit, prospect, Stage.PACKAGE)
    services.prospect_package_assign(
        prospect=prospect, package=kit.metered, by=kit.user("csa")
    )
    prospect.refresh_from_db()
    assert prospect.package == kit.metered
    assert prospect.stage == Stage.PACKAGE


def test_a_retry_with_the_same_key_changes_nothing(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.MARKETING)
    for _ in range(2):
        services.prospect_acquire(
            prospect=prospect, idempotency_key="k1", by=kit.user("csa")
        )
    prospect.refresh_from_db()
    assert prospect.stage == Stage.ACQUISITION
    assert prospect.events.filter(stage="acquisition").count() == 1
    with pytest.raises(Conflict) as err:
        services.prospect_reject(
            prospect=prospect, reason="x", idempotency_key="k1", by=None
        )
    assert err.value.code == "idempotency_key_reused"
    prospect.refresh_from_db()
    assert prospect.status == "open"


def test_a_rejected_prospect_takes_no_step(kit) -> None:
    prospect = survey(kit)
    services.prospect_reject(prospect=prospect, reason="Not interested", by=None)
    with pytest.raises(Conflict) as err:
        services.prospect_marketing_record(prospect=prospect, method="leaflet", by=None)
    assert err.value.code == "prospect_rejected"
    assert not Prospect.objects.get(pk=prospect.pk).marketing_method
    assert not prospect.events.filter(kind=EventKind.DONE, stage="marketing").exists()
