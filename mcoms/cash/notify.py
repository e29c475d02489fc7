"""Who is told about cash (in the app, in their language; docs/decisions/0013).

* The cash in hand of an agent crossed the limit: the agent and the cluster
  in-charge of the plant (the state in-charge where the cluster has none).
* A deposit was verified or rejected: the agent who registered it.

Messages are written in the caller's transaction and delivered after commit.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from mcoms.cash.models import BankDeposit
from mcoms.notifications.models import Channel
from mcoms.notifications.services import message_queue
from mcoms.org.models import Designation, Plant, ScopeLevel, Staff, User


def in_charges_of(plant: Plant) -> list[User]:
    """The active cluster in-charges of the plant's cluster, else the state
    in-charges of its state."""
    active = Staff.objects.filter(is_active=True, user__is_active=True)
    for q in (
        Q(
            designation=Designation.CLUSTER_INCHARGE,
            scope_level=ScopeLevel.CLUSTER,
            cluster_id=plant.cluster_id,
        ),
        Q(
            designation=Designation.STATE_INCHARGE,
            scope_level=ScopeLevel.STATE,
            state_id=plant.state_id,
        ),
    ):
        found = [s.user for s in active.filter(q).select_related("user").order_by("pk")]
        if found:
            return found
    return []


def tell_limit_crossed(
    *, agent: User, plant: Plant, cash: Decimal, limit: Decimal
) -> int:
    """Tell the agent and their in-charge; returns how many were told."""
    people = [agent, *[u for u in in_charges_of(plant) if u.pk != agent.pk]]
    context = {
        "agent": agent.get_full_name() or agent.get_username(),
        "username": agent.get_username(),
        "plant": plant.key,
        "cash": f"{cash:.2f}",
        "limit": f"{limit:.2f}",
        "currency": plant.company.currency,
    }
    for user in people:
        message_queue(
            channel=Channel.INAPP,
            template="cash_limit_crossed",
            user=user,
            context={**context, "own": user.pk == agent.pk},
        )
    return len(people)


def tell_deposit_settled(deposit: BankDeposit) -> None:
    template = (
        "cash_deposit_verified"
        if deposit.status == "verified"
        else "cash_deposit_rejected"
    )
    message_queue(
        channel=Channel.INAPP,
        template=template,
        user=deposit.agent,
        context={
            "amount": f"{deposit.amount:.2f}",
            "received": f"{deposit.received_amount or 0:.2f}",
            "currency": deposit.currency,
            "date": deposit.deposited_on.strftime("%d/%m/%Y"),
            "bank": deposit.bank,
            "note": deposit.settle_note,
            "mismatch": deposit.mismatch,
        },
    )
