"""Who is told what after each step of the pipeline ("notifies the next actor").

* Staff learn in the app (channel ``inapp``: the field app's bell and inbox) in
  their own language: the sales team (the plant's CSAs) for stages 2 to 6, the
  technical team (the plant's technicians) for the meter and the activation,
  the cluster in-charge for the review of a finished connection. A plant with
  nobody of that designation falls back to its cluster in-charge. The person
  who did the step is not told about it.
* The customer gets an SMS in their language: the request received, the
  deposit and activation charge, the customer ID and sign-in, the activation.

Messages are written to the outbox in the step's transaction (a step that rolls
back tells nobody) and delivered after commit by ``message_queue``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import translation

from mcoms.acquisition.models import Prospect, Stage
from mcoms.notifications.models import Channel
from mcoms.notifications.services import message_queue
from mcoms.org.models import Designation, Plant, ScopeLevel, Staff, User
from mcoms.packages.ids import format_amount

SALES = frozenset({Designation.CSA})
TECHNICAL = frozenset({Designation.TECHNICIAN})
REVIEW = frozenset({Designation.CLUSTER_INCHARGE})

# The task each team is told about, by the stage that comes next.
NEXT_TEAM: dict[str, frozenset[str]] = {
    Stage.MARKETING: SALES,
    Stage.ACQUISITION: SALES,
    Stage.KYC: SALES,
    Stage.PACKAGE: SALES,
    Stage.ACCOUNT: SALES,
    Stage.METER: TECHNICAL,
    Stage.ACTIVATION: TECHNICAL | REVIEW,
}


def team_at_plant(plant: Plant, designations: Iterable[str]) -> list[User]:
    """Active staff of these designations whose scope is ``plant`` (cluster
    in-charges: the plant's cluster); the cluster in-charge if none."""
    wanted = set(designations)
    cover = Q(scope_level=ScopeLevel.PLANT, plant_id=plant.pk)
    if Designation.CLUSTER_INCHARGE in wanted:
        cover |= Q(scope_level=ScopeLevel.CLUSTER, cluster_id=plant.cluster_id)
    staff = _active().filter(cover, designation__in=wanted)
    users = [s.user for s in staff]
    if users or wanted == {Designation.CLUSTER_INCHARGE}:
        return users
    return team_at_plant(plant, {Designation.CLUSTER_INCHARGE})


def _active() -> Any:
    return (
        Staff.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )


def tell_team(
    prospect: Prospect, *, task: str, by: User | None, team: Iterable[str] = ()
) -> int:
    """Tell the team of the next stage (or ``team``) about ``task``; returns
    how many people were told."""
    designations = set(team) or set(NEXT_TEAM.get(task, SALES))
    users = [
        u
        for u in team_at_plant(prospect.plant, designations)
        if by is None or u.pk != by.pk
    ]
    for user in users:
        with translation.override(user.language or "en"):
            label = str(Stage(task).label) if task in Stage.values else ""
        message_queue(
            channel=Channel.INAPP,
            template="acq_task",
            user=user,
            context={
                "task": task,
                "stage": label,
                "ref": prospect.ref,
                "name": prospect.name,
                "plant": prospect.plant.key,
                "customer_id": prospect.customer.customer_id
                if prospect.customer
                else "",
            },
        )
    return len(users)


def tell_customer(prospect: Prospect, template: str, **extra: Any) -> None:
    """An SMS to the prospect's mobile number, in their language."""
    customer = prospect.customer
    company = prospect.plant.company
    context = {
        "ref": prospect.ref,
        "name": prospect.name,
        "plant": prospect.plant.name,
        "company": company.name,
        "helpline": company.helpline,
        "customer_id": customer.customer_id if customer else "",
        "package": prospect.package.package_id if prospect.package else "",
        "deposit": _amount(prospect.deposit_amount),
        "activation": _amount(prospect.activation_amount),
        "currency": company.currency,
        **extra,
    }
    message_queue(
        channel=Channel.SMS,
        template=template,
        context=context,
        user=customer.user if customer is not None else None,
        phone=str(prospect.phone),
        language=prospect.language,
    )


def _amount(value: Any) -> str:
    return format_amount(value) if value is not None else ""
