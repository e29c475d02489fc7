"""The limit on cash in hand: the cash payment that takes an agent over it
alerts the agent and the cluster in-charge (in the app), once per crossing;
a plant's limit overrides the company's; no limit, no alert."""

from __future__ import annotations

from decimal import Decimal

from mcoms.cash.models import CashLimit
from mcoms.cash.services import cash_limit_set
from mcoms.cash.tests.kit import deposit, take_cash
from mcoms.notifications.models import Message
from mcoms.payments.services import payment_reverse
from tests.builders import World

D = Decimal


def alerts() -> list[tuple[str, str]]:
    return sorted(
        Message.objects.filter(template="cash_limit_crossed").values_list(
            "user__username", "channel"
        )
    )


def test_no_limit_no_alert(world: World) -> None:
    take_cash(world.customers["BHKATS"], world.user("csa"), "99999")
    assert alerts() == []


def test_crossing_the_limit_tells_the_agent_and_the_cluster_in_charge(
    world: World,
) -> None:
    cash_limit_set(
        company=world.company, plant=None, amount="1000", by=world.user("admin")
    )
    customer, csa = world.customers["BHKATS"], world.user("csa")
    take_cash(customer, csa, "600")
    take_cash(customer, csa, "400")  # exactly at the limit: not over it
    assert alerts() == []
    take_cash(customer, csa, "0.01")
    assert alerts() == [("cluster_incharge", "inapp"), ("csa", "inapp")]
    own = Message.objects.get(template="cash_limit_crossed", user=csa)
    assert "1000.01" in own.body and "1000.00" in own.body
    take_cash(customer, csa, "50")  # still over: no new alert
    assert len(alerts()) == 2


def test_after_a_deposit_the_next_crossing_alerts_again(world: World) -> None:
    cash_limit_set(
        company=world.company, plant=None, amount="100", by=world.user("admin")
    )
    customer, csa = world.customers["BHKATS"], world.user("csa")
    take_cash(customer, csa, "150")
    deposit(csa, world.plants["BHKATS"], "150")
    take_cash(customer, csa, "101")
    assert len(alerts()) == 4


def test_a_plants_limit_overrides_the_companys(world: World) -> None:
    admin = world.user("admin")
    cash_limit_set(company=world.company, plant=None, amount="100", by=admin)
    cash_limit_set(
        company=world.company, plant=world.plants["BHKATS"], amount="500", by=admin
    )
    take_cash(world.customers["BHKATS"], world.user("csa"), "200")
    assert alerts() == []
    take_cash(world.customers["BHKATS"], world.user("csa"), "301")
    assert len(alerts()) == 2


def test_a_reversal_does_not_alert(world: World) -> None:
    cash_limit_set(
        company=world.company, plant=None, amount="100", by=world.user("admin")
    )
    payment = take_cash(world.customers["BHKATS"], world.user("csa"), "50")
    payment_reverse(payment=payment, reason="typo", by=world.user("ho_manager"))
    assert alerts() == []


def test_without_a_cluster_in_charge_the_state_in_charge_is_told(
    world: World,
) -> None:
    world.staff["cluster_incharge"].is_active = False
    world.staff["cluster_incharge"].save()
    cash_limit_set(
        company=world.company, plant=None, amount="10", by=world.user("admin")
    )
    take_cash(world.customers["BHKATS"], world.user("csa"), "11")
    assert alerts() == [("csa", "inapp"), ("state_incharge", "inapp")]


def test_the_limit_is_set_changed_and_removed(world: World) -> None:
    admin = world.user("admin")
    cash_limit_set(company=world.company, plant=None, amount="100", by=admin)
    cash_limit_set(company=world.company, plant=None, amount="250.50", by=admin)
    assert CashLimit.objects.get().amount == D("250.50")
    removed = cash_limit_set(company=world.company, plant=None, amount="", by=admin)
    assert removed is None
    assert not CashLimit.objects.exists()
