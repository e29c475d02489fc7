"""OpenPAYGO tokens: a token decodes with openpaygo's own decoder to the days
and count it was made for; one token per payment however often asked; the
device's counter advances in the same transaction; bad input refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpaygo import OpenPAYGOTokenDecoder, TokenType

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.models import Customer
from mcoms.metering.models import Meter, TokenIssue
from mcoms.metering.tests.control_kit import KEY, installed
from mcoms.metering.tokens import (
    days_for_amount,
    meter_payg_setup,
    token_for_payment,
    token_issue,
)
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World


@pytest.fixture
def limiter(world: World) -> Meter:
    meter = installed(world.customers["BHKATS"], "LL-1", kind="load_limiter")
    return meter_payg_setup(meter=meter, secret=KEY, by=None)


def decode(token: str, last_count: int, meter: Meter, used=()) -> tuple:
    value, kind, count, _used = OpenPAYGOTokenDecoder.decode_token(
        token=token,
        secret_key=meter.payg_secret,
        count=last_count,
        used_counts=list(used),
        starting_code=meter.payg_starting_code,
    )
    return value, kind, count


def test_a_token_decodes_to_its_days_and_count(world: World, limiter: Meter) -> None:
    issue, created = token_issue(
        meter=limiter, payment_ref="PAY-1", days=30, by=world.user("csa")
    )
    assert created
    assert (issue.count, issue.days, issue.mode, len(issue.token)) == (
        2,
        Decimal(30),
        "add_time",
        9,
    )
    assert issue.by == world.user("csa")
    assert decode(issue.token, 0, limiter) == (30, TokenType.ADD_TIME, 2)
    assert Meter.objects.get(pk=limiter.pk).payg_count == 2
    assert Meter.objects.get(pk=limiter.pk).history.latest().history_change_reason


def test_the_same_payment_gets_the_same_token(limiter: Meter) -> None:
    first, _ = token_issue(meter=limiter, payment_ref="PAY-1", days=30)
    again, created = token_issue(meter=limiter, payment_ref=" PAY-1 ", days="30")
    assert (again.pk, again.token, created) == (first.pk, first.token, False)
    assert Meter.objects.get(pk=limiter.pk).payg_count == 2
    assert TokenIssue.objects.count() == 1


def test_each_payment_takes_the_next_count(limiter: Meter) -> None:
    tokens = [
        token_issue(meter=limiter, payment_ref=f"P{n}", days=n)[0] for n in (1, 2, 3)
    ]
    assert [t.count for t in tokens] == [2, 4, 6]
    last = 0
    for n, issue in enumerate(tokens, start=1):
        assert decode(issue.token, last, limiter) == (
            n,
            TokenType.ADD_TIME,
            issue.count,
        )
        last = issue.count
    used = [t.count for t in tokens]
    assert decode(tokens[0].token, last, limiter, used)[1] == TokenType.ALREADY_USED


def test_set_time_and_disable_payg(limiter: Meter) -> None:
    set_time, _ = token_issue(meter=limiter, payment_ref="S", days=10, mode="set_time")
    assert set_time.count == 1
    assert decode(set_time.token, 0, limiter) == (10, TokenType.SET_TIME, 1)
    off, _ = token_issue(meter=limiter, payment_ref="D", days=0, mode="disable_payg")
    assert decode(off.token, 1, limiter)[1:] == (TokenType.DISABLE_PAYG, 3)


def test_a_starting_code_of_our_own(world: World) -> None:
    meter = installed(world.customers["BHKATS"], "LL-2", kind="load_limiter")
    meter = meter_payg_setup(meter=meter, secret=KEY, starting_code=123456789, by=None)
    issue, _ = token_issue(meter=meter, payment_ref="P", days=7)
    assert decode(issue.token, 0, meter) == (7, TokenType.ADD_TIME, 2)


def test_a_payment_reused_with_other_days_is_a_conflict(limiter: Meter) -> None:
    token_issue(meter=limiter, payment_ref="PAY-1", days=30)
    with pytest.raises(Conflict) as err:
        token_issue(meter=limiter, payment_ref="PAY-1", days=31)
    assert err.value.code == "token_payment_reused"
    assert Meter.objects.get(pk=limiter.pk).payg_count == 2


@pytest.mark.parametrize(
    ("ref", "days", "mode", "code"),
    [
        ("P", 0, "add_time", "token_days_invalid"),
        ("P", 996, "add_time", "token_days_invalid"),
        ("P", "2.5", "add_time", "token_days_invalid"),
        ("P", 2.0, "add_time", "token_days_invalid"),
        ("P", "many", "add_time", "token_days_invalid"),
        ("", 5, "add_time", "payment_ref_invalid"),
        ("a/b", 5, "add_time", "payment_ref_invalid"),
        ("x" * 101, 5, "add_time", "payment_ref_invalid"),
        ("P", 5, "forever", "token_mode_unknown"),
    ],
)
def test_bad_input_is_refused(limiter: Meter, ref, days, mode, code) -> None:
    with pytest.raises(ValidationFailed) as err:
        token_issue(meter=limiter, payment_ref=ref, days=days, mode=mode)
    assert err.value.code == code
    assert not TokenIssue.objects.exists()
    assert Meter.objects.get(pk=limiter.pk).payg_count == 0


def test_a_device_without_a_key_is_refused(world: World) -> None:
    meter = installed(world.customers["BHKATS"], "LL-3", kind="load_limiter")
    with pytest.raises(ValidationFailed) as err:
        token_issue(meter=meter, payment_ref="P", days=5)
    assert err.value.code == "meter_not_payg"


def test_the_key_setup(world: World) -> None:
    meter = installed(world.customers["BHKATS"], "LL-4", kind="load_limiter")
    made = meter_payg_setup(meter=meter, by=None)
    assert len(made.payg_secret) == 32
    with pytest.raises(ValidationFailed) as err:
        meter_payg_setup(meter=meter, secret="xyz", by=None)
    assert err.value.code == "payg_key_invalid"
    conventional = installed(world.customers["BHSIKA"], "CM-1", kind="conventional")
    with pytest.raises(ValidationFailed) as err:
        meter_payg_setup(meter=conventional, by=None)
    assert err.value.code == "meter_not_payg"
    token_issue(meter=made, payment_ref="P", days=1)
    with pytest.raises(Conflict) as err:
        meter_payg_setup(meter=made, secret=KEY, by=None)
    assert err.value.code == "payg_key_in_use"
    # The same key again is no change.
    assert (
        meter_payg_setup(meter=made, secret=made.payg_secret, by=None).payg_count == 2
    )


def test_a_payment_buys_days_at_the_package_rate(world: World, limiter: Meter) -> None:
    package = make(world.plants["BHKATS"], PREPAID)  # 160 for 30 days
    Customer.objects.filter(pk=world.customers["BHKATS"].pk).update(package=package)
    customer = Customer.objects.get(pk=world.customers["BHKATS"].pk)
    assert days_for_amount(customer=customer, amount=Decimal("160")) == 30
    assert days_for_amount(customer=customer, amount=Decimal("100")) == 18
    assert days_for_amount(customer=customer, amount=Decimal("99999")) == 995
    issue = token_for_payment(customer=customer, payment_ref="R-1", amount=Decimal(80))
    assert issue is not None
    assert (issue.meter_id, issue.days) == (limiter.pk, 15)
    again = token_for_payment(customer=customer, payment_ref="R-1", amount=Decimal(80))
    assert again == issue
    assert (
        token_for_payment(customer=customer, payment_ref="R-2", amount=Decimal(1))
        is None
    )
    nobody = world.customers["BHSIKA"]
    assert (
        token_for_payment(customer=nobody, payment_ref="R", amount=Decimal(80)) is None
    )
