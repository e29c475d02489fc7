"""Reads through the user's scope: one prospect, the list, the board."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mcoms.acquisition import services
from mcoms.acquisition.models import Stage
from mcoms.acquisition.selectors import (
    action_for_stage,
    board_for,
    get_prospect_for_user,
    prospect_filter,
    prospects_for,
)
from mcoms.org.permissions import Action
from tests.builders import customer_user

from .conftest import advance, survey

REF = "P-BHKATS-000001"


@pytest.mark.parametrize(
    "who", ["operator", "technician", "csa", "cluster_incharge", "state_incharge"]
)
def test_staff_of_the_plant_see_and_work_on_it(kit, who) -> None:
    survey(kit)
    assert get_prospect_for_user(kit.user(who), REF.lower()).ref == REF
    assert get_prospect_for_user(kit.user(who), REF, write=True).ref == REF


@pytest.mark.parametrize("who", ["sika_csa", "other_admin"])
def test_outside_the_scope_it_is_not_found(kit, who) -> None:
    survey(kit)
    with pytest.raises(Http404):
        get_prospect_for_user(kit.user(who), REF)
    assert not prospects_for(kit.user(who)).exists()


def test_designations_without_the_action_are_forbidden(kit) -> None:
    survey(kit)
    # Head office reads but does no field work; operators and CSAs do not
    # connect meters.
    assert get_prospect_for_user(kit.user("ho_manager"), REF).ref == REF
    with pytest.raises(PermissionDenied):
        get_prospect_for_user(kit.user("ho_manager"), REF, write=True)
    for who in ("operator", "csa"):
        with pytest.raises(PermissionDenied):
            get_prospect_for_user(
                kit.user(who), REF, action=action_for_stage(Stage.METER)
            )
    tech = get_prospect_for_user(
        kit.user("technician"), REF, action=Action.CONNECTION_WORK
    )
    assert tech.ref == REF


def test_a_customer_is_forbidden(kit) -> None:
    survey(kit)
    with pytest.raises(PermissionDenied):
        get_prospect_for_user(customer_user(kit.world), REF)


def test_the_list_filters_by_stage_status_plant_and_text(kit) -> None:
    a = survey(kit)
    b = advance(kit, survey(kit, name="Mohan Lal", phone="+919876511111"), Stage.KYC)
    c = survey(kit, plant=kit.world.plants["BHMADH"], pole=kit.pole(1, "BHMADH"))
    services.prospect_reject(prospect=a, reason="no", by=None)
    qs = prospects_for(kit.user("cluster_incharge"))
    assert set(prospect_filter(qs, stage="kyc")) == {b}
    assert set(prospect_filter(qs, status="rejected")) == {a}
    assert set(prospect_filter(qs, plant="bhmadh")) == {c}
    assert set(prospect_filter(qs, q="mohan")) == {b}
    assert set(prospect_filter(qs, q="76511")) == {b}
    assert set(prospect_filter(qs, q="P-BHMADH")) == {c}
    assert set(prospects_for(kit.user("csa"))) == {a, b}


def test_the_board_counts_per_stage_with_cluster_subtotals(kit) -> None:
    survey(kit)
    advance(kit, survey(kit, phone="+919876500002"), Stage.KYC)
    advance(kit, survey(kit, phone="+919876500003"), Stage.ACTIVATION)
    rejected = survey(kit, phone="+919876500004")
    services.prospect_reject(prospect=rejected, reason="no", by=None)
    survey(kit, plant=kit.world.plants["BHMADH"], pole=kit.pole(1, "BHMADH"))
    survey(kit, plant=kit.world.plants["BHSIKA"], pole=kit.pole(1, "BHSIKA"))

    board = board_for(kit.user("state_incharge"))
    assert [c.cluster.key for c in board.clusters] == ["BH-NORTH", "BH-SOUTH"]
    north = board.clusters[0]
    kats, madh = north.plants
    assert (kats.key, madh.key) == ("BHKATS", "BHMADH")
    assert kats.counts == {
        "survey": 1,
        "marketing": 0,
        "acquisition": 0,
        "kyc": 1,
        "package": 0,
        "account": 0,
        "meter": 0,
        "activation": 1,
        "rejected": 1,
    }
    assert (kats.in_progress, kats.total) == (2, 4)
    assert north.subtotal.counts["survey"] == 2 and north.subtotal.total == 5
    assert board.total.total == 6 and board.total.counts["survey"] == 3

    mine = board_for(kit.user("csa"))
    assert [r.key for c in mine.clusters for r in c.plants] == ["BHKATS"]
    assert mine.total.total == 4
    everyone = board_for(kit.user("admin"))
    gora = everyone.clusters[-1].plants[0]
    assert (gora.key, gora.total) == ("UPGORA", 0)
