"""Total Collection (manual 3.4.3.2, with the Dashboard's Collection Detail
and YTD Outstanding of 3.4.3): per plant, what was collected in a period,
split POS (cash taken by a field agent), Wallet (UPI, M-Pesa, mobile wallets)
and Card; what was billed since the start of the calendar year and how much
of it is still owed; plants grouped by cluster with subtotals, and the total.

* Collected: payments made in the period that still stand (a reversed or
  refunded payment does not count).
* YTD billed: charges posted to customers' receivables since 1 January.
* YTD outstanding: the part of those charges still unpaid, with credits
  applied to the oldest charges first (as for ageing): per customer, what
  they owe, but at most what was charged to them this year
  (docs/decisions/0105).

Three queries whatever the number of plants. Access: ``payment.view``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from mcoms.core.periods import Period, year_start
from mcoms.ledger.models import Account, AccountKind, Entry, HolderType, Journal
from mcoms.org import access
from mcoms.org.models import Cluster, Plant
from mcoms.org.permissions import Action
from mcoms.payments.models import Channel, Payment, PaymentStatus

ZERO = Decimal("0.00")
CHANNEL_GROUP: dict[str, str] = {
    Channel.CASH: "pos",
    Channel.UPI: "wallet",
    Channel.MPESA: "wallet",
    Channel.WALLET: "wallet",
    Channel.CARD: "card",
}


@dataclass
class CollectionFigures:
    pos: Decimal = ZERO
    wallet: Decimal = ZERO
    card: Decimal = ZERO
    payments: int = 0
    ytd_billed: Decimal = ZERO
    ytd_outstanding: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.pos + self.wallet + self.card

    @property
    def ytd_share(self) -> Decimal | None:
        """Per cent of this year's charges still owed."""
        if not self.ytd_billed:
            return None
        share = self.ytd_outstanding * 100 / self.ytd_billed
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def add(self, other: CollectionFigures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class CollectionLine:
    label: str
    key: str = ""
    figures: CollectionFigures = field(default_factory=CollectionFigures)


@dataclass
class CollectionGroup:
    cluster: Cluster
    plants: list[CollectionLine]
    subtotal: CollectionLine


@dataclass
class TotalCollection:
    period: Period
    year_start: date
    groups: list[CollectionGroup]
    total: CollectionLine
    plant: Plant | None


def _collected(
    ids: list[int], period: Period
) -> dict[int, dict[str, tuple[Decimal, int]]]:
    begin, finish = period.bounds()
    rows = (
        Payment.objects.filter(
            plant_id__in=ids,
            status=PaymentStatus.POSTED,
            created_at__gte=begin,
            created_at__lt=finish,
        )
        .order_by()
        .values_list("plant_id", "channel")
        .annotate(t=Sum("amount"), n=Count("id"))
    )
    out: dict[int, dict[str, tuple[Decimal, int]]] = {}
    for plant_id, channel, total, n in rows:
        out.setdefault(plant_id, {})[channel] = (Decimal(total).quantize(ZERO), n)
    return out


def _ytd_sql(n_plants: int) -> str:
    qn = connection.ops.quote_name
    account, entry = qn(Account._meta.db_table), qn(Entry._meta.db_table)
    journal = qn(Journal._meta.db_table)
    marks = ", ".join(["%s"] * n_plants)
    return f"""
SELECT per.plant_id, SUM(per.ytd),
  SUM(CASE WHEN per.owed <= 0 THEN 0 WHEN per.owed < per.ytd THEN per.owed
      ELSE per.ytd END)
FROM (
  SELECT a.plant_id AS plant_id, a.holder_ref AS ref, SUM(e.amount) AS owed,
    SUM(CASE WHEN e.amount > 0 AND j.kind <> 'reversal' AND j.posted_at >= %s
        THEN e.amount ELSE 0 END) AS ytd
  FROM {entry} e
  JOIN {account} a ON a.id = e.account_id
  JOIN {journal} j ON j.id = e.journal_id
  WHERE a.company_id = %s AND a.holder_type = %s AND a.kind = %s
    AND a.plant_id IN ({marks})
  GROUP BY a.plant_id, a.holder_ref
) per
GROUP BY per.plant_id
"""  # noqa: S608 (table names from the models; values are parameters)


def _ytd(company_id: int, ids: list[int], since: date) -> dict[int, tuple[Any, Any]]:
    if not ids:
        return {}
    start = datetime.combine(since, time.min, tzinfo=timezone.get_current_timezone())
    params: list[Any] = [
        connection.ops.adapt_datetimefield_value(start),
        company_id,
        HolderType.CUSTOMER,
        AccountKind.ASSET,
        *ids,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_ytd_sql(len(ids)), params)
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def _money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(ZERO)


def total_collection(
    user: Any, *, period: Period, plant: Plant | None = None
) -> TotalCollection:
    """The table for every plant of the user's scope (or ``plant``, from
    ``get_plant_for_user``); the year is the one ``period`` ends in."""
    staff = access.require(user, Action.PAYMENT_VIEW)
    qs = access.plants_for(user, Action.PAYMENT_VIEW)
    if plant is not None:
        qs = qs.filter(pk=plant.pk)
    plants = list(
        qs.select_related("cluster__state").order_by(
            "cluster__state__code", "cluster__code", "state__code", "code"
        )
    )
    ids = [p.pk for p in plants]
    since = year_start(period.end)
    collected = _collected(ids, period)
    ytd = _ytd(staff.company_id, ids, since)
    groups: dict[int, CollectionGroup] = {}
    total = CollectionLine(label="")
    for p in plants:
        line = CollectionLine(label=p.name, key=p.key)
        f = line.figures
        for channel, (amount, n) in collected.get(p.pk, {}).items():
            group_name = CHANNEL_GROUP.get(channel, "wallet")
            setattr(f, group_name, getattr(f, group_name) + amount)
            f.payments += n
        billed, owed = ytd.get(p.pk, (None, None))
        f.ytd_billed, f.ytd_outstanding = _money(billed), _money(owed)
        group = groups.get(p.cluster_id)
        if group is None:
            sub = CollectionLine(label=p.cluster.name, key=p.cluster.key)
            group = groups[p.cluster_id] = CollectionGroup(p.cluster, [], sub)
        group.plants.append(line)
        group.subtotal.figures.add(f)
        total.figures.add(f)
    return TotalCollection(period, since, list(groups.values()), total, plant)
