"""Property tests for the tariff maths (slabs, proration, estimates, true-ups)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from mcoms.billing import tariffs as t
from mcoms.core.money import quantize
from mcoms.packages.tariff import energy_charge as packages_energy_charge

kwh_st = st.decimals(min_value=0, max_value=5000, places=3)
rate_st = st.decimals(min_value=0, max_value=50, places=4)
money_st = st.decimals(min_value=0, max_value=100000, places=2)


@st.composite
def slab_tariffs(draw: st.DrawFn) -> t.Tariff:
    ups = sorted(set(draw(st.lists(st.integers(1, 1000), max_size=4))))
    slabs = tuple((Decimal(u), draw(rate_st)) for u in ups)
    return t.Tariff(t.METERED, rate=draw(rate_st), slabs=slabs)


def metered(rate: str, slabs: tuple[tuple[str, str], ...] = ()) -> t.Tariff:
    return t.Tariff(
        t.METERED,
        rate=Decimal(rate),
        slabs=tuple((Decimal(u), Decimal(r)) for u, r in slabs),
    )


def test_it_charges_each_slab_band_at_its_rate_and_the_rest_at_the_base_rate():
    tariff = metered("9", (("30", "6"), ("100", "8")))
    assert t.energy_charge(Decimal("20"), tariff) == Decimal("120.00")
    assert t.energy_charge(Decimal("130"), tariff) == Decimal("1010.00")  # 180+560+270


def test_it_refuses_negative_kwh():
    try:
        t.energy_charge(Decimal("-1"), metered("5"))
    except ValueError:
        return
    raise AssertionError("negative kWh accepted")


@given(kwh=kwh_st, more=kwh_st, tariff=slab_tariffs())
def test_slab_charge_never_falls_when_kwh_rise(kwh, more, tariff):
    assert t.energy_charge(kwh + more, tariff) >= t.energy_charge(kwh, tariff)


@given(kwh=kwh_st, rate=rate_st, upto=st.integers(1, 1000))
def test_one_slab_at_the_base_rate_is_the_flat_rate(kwh, rate, upto):
    flat = t.Tariff(t.METERED, rate=rate)
    one = t.Tariff(t.METERED, rate=rate, slabs=((Decimal(upto), rate),))
    assert t.energy_charge(kwh, one) == t.energy_charge(kwh, flat)
    assert t.energy_charge(kwh, flat) == quantize(kwh * rate)


@given(kwh=kwh_st, tariff=slab_tariffs())
def test_it_agrees_with_the_package_catalogues_anticipated_bill(kwh, tariff):
    slabs = [{"upto_kwh": str(u), "rate": str(r)} for u, r in tariff.slabs]
    expected = packages_energy_charge(kwh=kwh, rate=tariff.rate, slabs=slabs)
    assert t.energy_charge(kwh, tariff) == expected


@given(
    amount=money_st,
    cuts=st.lists(st.integers(1, 30), min_size=0, max_size=5),
    total=st.integers(28, 31),
)
def test_prorated_shares_of_a_split_period_add_up_to_the_whole_amount(
    amount, cuts, total
):
    points = sorted({c for c in cuts if c < total})
    parts = [b - a for a, b in zip([0, *points], [*points, total], strict=True)]
    shares = t.prorate(amount, parts, total)
    assert sum(shares) == amount
    for share, days in zip(shares, parts, strict=True):
        assert abs(share - amount * days / total) <= Decimal("0.01")


@given(amount=money_st, days=st.integers(0, 31), total=st.integers(28, 31))
def test_a_partial_period_is_the_days_share_rounded_once(amount, days, total):
    days = min(days, total)
    assert t.prorate(amount, [days], total) == [quantize(amount * days / total)]


def test_prorate_refuses_parts_beyond_the_period():
    for parts in ([32], [-1], [20, 20]):
        try:
            t.prorate(Decimal("10"), parts, 31)
        except ValueError:
            continue
        raise AssertionError(parts)


@given(
    amount=money_st,
    start_offset=st.integers(0, 40),
    change_offsets=st.lists(st.integers(-5, 35), max_size=3),
)
def test_segments_cover_the_active_days_and_cost_the_whole_period_when_nothing_changes(
    amount, start_offset, change_offsets
):
    start, end = date(2026, 3, 1), date(2026, 4, 1)
    tariff = t.Tariff(t.UNMETERED, monthly_amount=amount)
    activated = start + timedelta(days=start_offset - 5)
    changes = [(start + timedelta(days=o), tariff) for o in change_offsets]
    parts = t.segments(
        start=start, end=end, tariff=tariff, activated_on=activated, changes=changes
    )
    active_days = max(0, (end - max(start, activated)).days)
    assert sum(p.days for p in parts) == active_days
    assert all(p.days > 0 for p in parts)
    charged = sum(a for _, _, a in t.fixed_charges(parts, days=31, is_month=True))
    assert charged == t.prorate(amount, [active_days], 31)[0]


def test_a_package_change_mid_period_bills_each_tariff_for_its_days():
    start, end = date(2026, 4, 1), date(2026, 5, 1)
    old = t.Tariff(t.UNMETERED, monthly_amount=Decimal("300"))
    new = t.Tariff(t.UNMETERED, monthly_amount=Decimal("600"))
    parts = t.segments(
        start=start, end=end, tariff=old, changes=[(date(2026, 4, 11), new)]
    )
    charges = t.fixed_charges(parts, days=30, is_month=True)
    assert [(s.days, a) for s, _, a in charges] == [
        (10, Decimal("100.00")),
        (20, Decimal("400.00")),
    ]


def test_prepaid_is_its_amount_for_30_days_and_other_periods_scale_by_days():
    weekly = t.Tariff(t.PREPAID, prepaid_amount=Decimal("70"), prepaid_period_days=7)
    assert weekly.monthly() == Decimal("300.00")
    assert weekly.period_amount(days=31, is_month=True) == Decimal("300.00")
    assert weekly.period_amount(days=15, is_month=False) == Decimal("150.00")


@given(history=st.lists(kwh_st, max_size=8))
def test_the_estimate_is_the_mean_of_the_last_three_periods(history):
    estimate = t.estimate_kwh(history)
    last = history[-3:]
    if not last:
        assert estimate == 0
    else:
        assert min(last) <= estimate <= max(last)
        assert abs(estimate * len(last) - sum(last)) <= Decimal("0.0015") * len(last)


@given(
    actual=kwh_st,
    estimates=st.lists(kwh_st, max_size=3),
    tariff=slab_tariffs(),
)
def test_true_up_plus_the_estimates_is_the_actual_charge(actual, estimates, tariff):
    billed = [(k, t.energy_charge(k, tariff)) for k in estimates]
    result = t.true_up(actual, billed, tariff)
    assert result.amount + sum(a for _, a in billed) == result.actual_amount
    assert result.kwh + sum(estimates) == actual
    periods = len(estimates) + 1
    assert result.actual_amount == sum(
        t.energy_charge(s, tariff) for s in t.split_evenly(actual, periods)
    )


@given(actual=kwh_st, rate=rate_st)
def test_without_estimates_the_true_up_is_the_plain_energy_charge(actual, rate):
    tariff = t.Tariff(t.METERED, rate=rate)
    result = t.true_up(actual, [], tariff)
    assert result.amount == t.energy_charge(actual, tariff)
    assert result.period_kwh == actual


@given(total=kwh_st, parts=st.integers(1, 6))
def test_even_split_adds_up_exactly(total, parts):
    shares = t.split_evenly(total, parts)
    assert sum(shares) == total
    assert max(shares) - min(shares) <= Decimal("0.001")
