from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from mcoms.core.errors import ValidationFailed
from mcoms.packages.models import Package
from mcoms.packages.tests.factories import METERED, PREPAID, UNMETERED, make
from tests.builders import World


def test_a_prepaid_package_gets_the_manual_id(world: World) -> None:
    package = make(world.plants["BHKATS"], PREPAID)
    assert package.package_id == "A1.1(NN)/17/160"
    assert (package.version, package.active, package.billing_type) == (
        1,
        True,
        "prepaid",
    )
    assert package.company == world.company


def test_prepaid_charge_is_normalised_to_a_month(world: World) -> None:
    package = make(
        world.plants["BHKATS"], PREPAID, prepaid_amount="40", prepaid_period_days=7
    )
    assert package.package_id == "A1.1(NN)/17/171.43"


def test_metered_id_carries_the_fixed_monthly_charge_or_zero(world: World) -> None:
    plant = world.plants["BHKATS"]
    assert make(plant, METERED).package_id == "B1.1(FD)/500/50"
    assert make(plant, METERED, fixed_monthly=None).package_id == "B1.1(FD)/500/0"


def test_unmetered_id_carries_the_monthly_amount(world: World) -> None:
    assert make(world.plants["BHKATS"], UNMETERED).package_id == "C1.1(EV)/60/250"


def test_a_plant_offers_several_packages(world: World) -> None:
    plant = world.plants["BHKATS"]
    for base in (PREPAID, METERED, UNMETERED):
        make(plant, base)
    assert Package.objects.filter(plant=plant, active=True).count() == 3


def test_the_same_package_id_may_be_offered_at_two_plants(world: World) -> None:
    make(world.plants["BHKATS"], PREPAID)
    make(world.plants["BHMADH"], PREPAID)
    assert Package.objects.filter(package_id="A1.1(NN)/17/160").count() == 2


REFUSALS: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    (PREPAID, {"prepaid_amount": None}, "package_rate_missing"),
    (PREPAID, {"prepaid_period_days": None}, "package_rate_missing"),
    (METERED, {"rate_per_kwh": None}, "package_rate_missing"),
    (UNMETERED, {"monthly_amount": None}, "package_rate_missing"),
    (UNMETERED, {"rate_per_kwh": "3"}, "package_rate_not_for_billing_type"),
    (PREPAID, {"load_w": 0}, "package_load_invalid"),
    (PREPAID, {"load_w": -5}, "package_load_invalid"),
    (PREPAID, {"load_w": "abc"}, "package_load_invalid"),
    (PREPAID, {"type_code": "Z9.9"}, "package_type_unknown"),
    (PREPAID, {"timing_code": "XX"}, "timing_unknown"),
    (PREPAID, {"prepaid_amount": 160.0}, "amount_not_decimal"),
    (PREPAID, {"prepaid_period_days": 0}, "package_period_invalid"),
    (METERED, {"rate_per_kwh": "1.23456"}, "rate_invalid"),
    (METERED, {"rate_per_kwh": "0"}, "rate_invalid"),
    (
        METERED,
        {"slabs": [{"upto_kwh": "30", "rate": "5"}, {"upto_kwh": "20", "rate": "6"}]},
        "package_slabs_invalid",
    ),
    (METERED, {"slabs": [{"upto": "30"}]}, "package_slabs_invalid"),
    (METERED, {"deposit_multiple": None}, "package_deposit_missing"),
    (PREPAID, {"deposit_amount": None}, "package_deposit_missing"),
    (PREPAID, {"deposit_multiple": "2"}, "package_deposit_mismatch"),
    (PREPAID, {"deposit_rule": "half"}, "package_deposit_rule_unknown"),
]


@pytest.mark.parametrize(("base", "over", "code"), REFUSALS)
def test_it_refuses_bad_terms_and_writes_nothing(
    world: World, base: dict[str, Any], over: dict[str, Any], code: str
) -> None:
    before = Package.objects.count(), Package.history.count()
    with pytest.raises(ValidationFailed) as err:
        make(world.plants["BHKATS"], base, **over)
    assert err.value.code == code
    assert (Package.objects.count(), Package.history.count()) == before


def test_it_refuses_a_package_already_offered_and_writes_nothing(
    world: World,
) -> None:
    make(world.plants["BHKATS"], PREPAID)
    with pytest.raises(ValidationFailed) as err:
        make(world.plants["BHKATS"], PREPAID, deposit_amount="5")
    assert err.value.code == "package_duplicate"
    assert Package.objects.count() == 1


def test_amounts_are_stored_as_decimals(world: World) -> None:
    package = make(world.plants["BHKATS"], METERED)
    package.refresh_from_db()
    assert package.rate_per_kwh == Decimal("8.5")
    assert package.slabs == [
        {"upto_kwh": "30", "rate": "5"},
        {"upto_kwh": "100", "rate": "7"},
    ]
