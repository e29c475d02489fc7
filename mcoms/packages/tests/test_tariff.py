from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcoms.core.money import quantize
from mcoms.packages import ids, tariff
from mcoms.packages.tests.factories import METERED, PREPAID, UNMETERED, make
from tests.builders import World

SLABS = [{"upto_kwh": "30", "rate": "5"}, {"upto_kwh": "100", "rate": "7"}]


@pytest.mark.parametrize(
    ("kwh", "charge"),
    [
        ("0", "0.00"),
        ("20", "100.00"),  # 20 x 5
        ("30", "150.00"),
        ("50", "290.00"),  # 150 + 20 x 7
        ("100", "640.00"),  # 150 + 70 x 7
        ("120", "810.00"),  # 640 + 20 x 8.5
        ("0.333", "1.67"),
    ],
)
def test_slabs_charge_each_band_at_its_rate(kwh: str, charge: str) -> None:
    got = tariff.energy_charge(kwh=Decimal(kwh), rate=Decimal("8.5"), slabs=SLABS)
    assert got == Decimal(charge)


kwhs = st.decimals(min_value=0, max_value=100000, places=3)


@given(kwh=kwhs)
def test_without_slabs_the_charge_is_rate_times_kwh(kwh: Decimal) -> None:
    got = tariff.energy_charge(kwh=kwh, rate=Decimal("6.25"), slabs=[])
    assert got == quantize(kwh * Decimal("6.25"))  # half up, the house rule


@given(kwh=kwhs, more=kwhs)
def test_the_charge_never_falls_as_use_rises(kwh: Decimal, more: Decimal) -> None:
    low = tariff.energy_charge(kwh=kwh, rate=Decimal("8.5"), slabs=SLABS)
    high = tariff.energy_charge(kwh=kwh + more, rate=Decimal("8.5"), slabs=SLABS)
    assert high >= low


@given(
    type_code=st.from_regex(ids.TYPE_CODE, fullmatch=True),
    timing=st.from_regex(ids.TIMING_CODE, fullmatch=True),
    load=st.integers(min_value=1, max_value=10**6),
    monthly=st.decimals(min_value=0, max_value=10**9, places=2),
)
def test_a_package_id_reads_back_into_its_parts(
    type_code: str, timing: str, load: int, monthly: Decimal
) -> None:
    built = ids.build_package_id(
        type_code=type_code, timing_code=timing, load_w=load, monthly=monthly
    )
    head, load_s, money = built.rsplit("/", 2)
    assert head == f"{type_code}({timing})"
    assert int(load_s) == load
    assert Decimal(money) == monthly


@given(
    amount=st.decimals(min_value=1, max_value=10**6, places=2),
    days=st.integers(min_value=1, max_value=365),
)
def test_a_30_day_prepaid_amount_is_its_own_monthly(amount: Decimal, days: int) -> None:
    assert ids.monthly_from_period(amount, 30) == amount
    monthly = ids.monthly_from_period(amount, days)
    assert abs(monthly * days / 30 - amount) <= Decimal("0.01") * days / 30


def test_metered_bill_defaults_to_full_load_over_the_live_hours(
    world: World,
) -> None:
    package = make(world.plants["BHKATS"], METERED, load_w=100, timing_code="NN")
    # 100 W x 12 h x 30 days = 36 kWh: 30 x 5 + 6 x 7 + 50 fixed
    assert tariff.anticipated_kwh(package) == Decimal("36.000")
    assert tariff.anticipated_monthly_bill(package) == Decimal("242.00")
    assert tariff.anticipated_monthly_bill(package, kwh=Decimal(0)) == Decimal("50")


def test_deposit_is_fixed_or_a_multiple_of_the_monthly_bill(world: World) -> None:
    plant = world.plants["BHKATS"]
    assert tariff.deposit_for(make(plant, PREPAID)) == Decimal("100.00")
    assert tariff.deposit_for(make(plant, UNMETERED)) == Decimal("0.00")
    multiple = make(
        plant,
        UNMETERED,
        load_w=61,
        deposit_rule="multiple",
        deposit_amount=None,
        deposit_multiple="1.5",
    )
    assert tariff.deposit_for(multiple) == Decimal("375.00")
    metered = make(plant, METERED, load_w=100, timing_code="NN")
    assert tariff.deposit_for(metered) == Decimal("484.00")
