"""Aging Receivables (manual 3.4.6.1): per plant, what customers owe by the
age of their debt, in two lists with the manual's buckets:

* Active (customers not cut off: active, or new and awaiting connection):
  45-60, 61-90, 91-120 and over 120 days. A debt younger than 45 days is
  current, not aged, and not listed.
* Banned (inactive or banned): under 30, 30-60, 61-90 and over 90 days.

The age of a customer's debt is the age of their oldest charge still unpaid
when every credit (payments, corrections) is applied to the oldest charges
first (docs/decisions/0104). The customer counts once, in the bucket of that
age, with the whole amount they owe. Plants are grouped by cluster with
subtotals and the total. One SQL query (window functions) whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.ledger.models import Account, AccountKind, Entry, HolderType, Journal
from mcoms.org import access
from mcoms.org.models import Cluster, Plant
from mcoms.org.permissions import Action

ZERO = Decimal("0.00")
# (key, label, lowest age, highest age or None); ages in whole days.
ACTIVE_BUCKETS = (
    ("45_60", _("45-60 days"), 45, 60),
    ("61_90", _("61-90 days"), 61, 90),
    ("91_120", _("91-120 days"), 91, 120),
    ("over_120", _("Greater than 120 days"), 121, None),
)
BANNED_BUCKETS = (
    ("under_30", _("Less than 30 days"), 0, 29),
    ("30_60", _("30-60 days"), 30, 60),
    ("60_90", _("60-90 days"), 61, 90),
    ("over_90", _("Greater than 90 days"), 91, None),
)
CUT_OFF = {CustomerStatus.INACTIVE, CustomerStatus.BANNED}


def age_lists() -> list[tuple[str, Any, tuple[Any, ...]]]:
    """The two lists: key, title, buckets (for the pages)."""
    return [
        ("active", _("Active customers"), ACTIVE_BUCKETS),
        ("banned", _("Banned and inactive customers"), BANNED_BUCKETS),
    ]


def bucket_for(age: int, *, banned: bool) -> str | None:
    """The bucket of a debt ``age`` days old, or None (an active customer's
    debt under 45 days is current)."""
    for key, _label, low, high in BANNED_BUCKETS if banned else ACTIVE_BUCKETS:
        if age >= low and (high is None or age <= high):
            return key
    return None


@dataclass
class Cell:
    amount: Decimal = ZERO
    count: int = 0

    def add(self, amount: Decimal, count: int = 1) -> None:
        self.amount += amount
        self.count += count


@dataclass
class AgeLine:
    label: str
    key: str = ""
    active: dict[str, Cell] = field(
        default_factory=lambda: {k: Cell() for k, *_rest in ACTIVE_BUCKETS}
    )
    banned: dict[str, Cell] = field(
        default_factory=lambda: {k: Cell() for k, *_rest in BANNED_BUCKETS}
    )

    def add(self, other: AgeLine) -> None:
        for mine, theirs in ((self.active, other.active), (self.banned, other.banned)):
            for key, cell in theirs.items():
                mine[key].add(cell.amount, cell.count)

    def total(self, which: str) -> Cell:
        cells = self.active if which == "active" else self.banned
        out = Cell()
        for cell in cells.values():
            out.add(cell.amount, cell.count)
        return out

    @property
    def active_cells(self) -> list[Cell]:
        return list(self.active.values())  # in the buckets' order

    @property
    def banned_cells(self) -> list[Cell]:
        return list(self.banned.values())

    @property
    def active_total(self) -> Cell:
        return self.total("active")

    @property
    def banned_total(self) -> Cell:
        return self.total("banned")


@dataclass
class AgeGroup:
    cluster: Cluster
    plants: list[AgeLine]
    subtotal: AgeLine


@dataclass
class Ageing:
    as_of: date
    groups: list[AgeGroup]
    total: AgeLine
    plant: Plant | None


@dataclass(frozen=True)
class Debt:
    """One customer who owes: how much, since when, and where."""

    plant_id: int
    customer_id: str
    status: str
    owed: Decimal
    oldest: datetime | None  # the oldest unpaid charge

    def age(self, as_of: date) -> int:
        if self.oldest is None:
            return 0
        return max(0, (as_of - timezone.localdate(self.oldest)).days)


def _sql(n_plants: int) -> str:
    """Balances per customer (the cached balances of their receivables) and,
    for those who owe, their charges newest first with the running sum; a
    charge is still (partly) unpaid when the newer charges alone are less
    than what is owed. Amounts compared in cents (exact on SQLite too)."""
    qn = connection.ops.quote_name
    account, entry = qn(Account._meta.db_table), qn(Entry._meta.db_table)
    journal, customer = qn(Journal._meta.db_table), qn(Customer._meta.db_table)
    marks = ", ".join(["%s"] * n_plants)
    return f"""
WITH bal AS (
  SELECT a.holder_ref AS ref, SUM(a.balance) AS owed
  FROM {account} a
  WHERE a.company_id = %s AND a.holder_type = %s AND a.kind = %s
    AND a.plant_id IN ({marks})
  GROUP BY a.holder_ref
  HAVING SUM(a.balance) > 0
), charges AS (
  SELECT a.holder_ref AS ref, j.posted_at AS at, e.amount AS amount,
    SUM(e.amount) OVER (
      PARTITION BY a.holder_ref ORDER BY j.posted_at DESC, e.id DESC
    ) AS running
  FROM {entry} e
  JOIN {account} a ON a.id = e.account_id
  JOIN {journal} j ON j.id = e.journal_id
  WHERE a.company_id = %s AND a.holder_type = %s AND a.kind = %s
    AND a.plant_id IN ({marks}) AND e.amount > 0 AND j.kind <> 'reversal'
    AND a.holder_ref IN (SELECT ref FROM bal)
), oldest AS (
  SELECT c.ref AS ref, MIN(c.at) AS at
  FROM charges c JOIN bal b ON b.ref = c.ref
  WHERE ROUND((c.running - c.amount) * 100) < ROUND(b.owed * 100)
  GROUP BY c.ref
)
SELECT cu.plant_id, cu.customer_id, cu.status, b.owed, o.at
FROM bal b
JOIN {customer} cu ON cu.company_id = %s AND cu.customer_id = b.ref
LEFT JOIN oldest o ON o.ref = b.ref
"""  # noqa: S608 (table names from the models; values are parameters)


def debts(company_id: int, plant_ids: list[int]) -> list[Debt]:
    """Every customer of these plants who owes, with their oldest unpaid
    charge (one query)."""
    if not plant_ids:
        return []
    head = [company_id, HolderType.CUSTOMER, AccountKind.ASSET]
    params: list[Any] = [*head, *plant_ids, *head, *plant_ids, company_id]
    with connection.cursor() as cursor:
        cursor.execute(_sql(len(plant_ids)), params)
        rows = cursor.fetchall()
    out = []
    for plant_id, customer_id, status, owed, at in rows:
        when = parse_datetime(at) if isinstance(at, str) else at
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when, UTC)
        out.append(
            Debt(plant_id, customer_id, status, Decimal(owed).quantize(ZERO), when)
        )
    return out


def ageing(
    user: Any, *, plant: Plant | None = None, as_of: date | None = None
) -> Ageing:
    """The two lists for every plant of the user's scope (or ``plant``)."""
    staff = access.require(user, Action.RECEIVABLE_VIEW)
    today = as_of or timezone.localdate()
    qs = access.plants_for(user, Action.RECEIVABLE_VIEW)
    if plant is not None:
        qs = qs.filter(pk=plant.pk)
    plants = list(
        qs.select_related("cluster__state").order_by(
            "cluster__state__code", "cluster__code", "state__code", "code"
        )
    )
    lines = {p.pk: AgeLine(label=p.name, key=p.key) for p in plants}
    for debt in debts(staff.company_id, list(lines)):
        line = lines.get(debt.plant_id)
        banned = debt.status in CUT_OFF
        key = bucket_for(debt.age(today), banned=banned)
        if line is not None and key is not None:
            (line.banned if banned else line.active)[key].add(debt.owed)
    groups: dict[int, AgeGroup] = {}
    total = AgeLine(label="")
    for p in plants:
        group = groups.get(p.cluster_id)
        if group is None:
            sub = AgeLine(label=p.cluster.name, key=p.cluster.key)
            group = groups[p.cluster_id] = AgeGroup(p.cluster, [], sub)
        group.plants.append(lines[p.pk])
        group.subtotal.add(lines[p.pk])
        total.add(lines[p.pk])
    return Ageing(today, list(groups.values()), total, plant)
