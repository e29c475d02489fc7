"""Reads of cash in hand and bank deposits, always through the user's scope
(``cash.view``: a CSA sees their plant, management their part of the
portfolio; a designation without the action is a 403, an object outside the
scope a 404).

Cash in hand comes from the ledger: the entries of the agents' cash accounts
(``STF:<username>:CASH``). Each entry counts at the plant of what moved the
cash (the payment, its reversal, the deposit, its rejection or the shortfall
of its verification; else the account's plant), so an in-charge who collects
at two plants shows at both. Collected = cash payments net of their
reversals and refunds; deposited = deposits registered net of rejections and
of verification differences; cash in hand = all entries to date.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from mcoms.cash import accounts
from mcoms.cash.models import BankDeposit, CashLimit, DepositStatus
from mcoms.core.periods import Period
from mcoms.ledger.models import Entry, HolderType
from mcoms.org import access
from mcoms.org.models import Cluster, Plant, User
from mcoms.org.permissions import Action

ZERO = Decimal("0.00")
DEFAULT_STALE_DAYS = 3


def stale_days() -> int:
    """A deposit still unverified after this many days is an anomaly."""
    return int(getattr(settings, "CASH_DEPOSIT_STALE_DAYS", DEFAULT_STALE_DAYS))


def _money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)


# --- deposits -----------------------------------------------------------------------
def deposits_for(user: Any, action: Action = Action.CASH_VIEW) -> QuerySet[BankDeposit]:
    staff = access.require(user, action)
    return BankDeposit.objects.select_related(
        "plant__state", "agent", "settled_by"
    ).filter(access.plant_q(staff, "plant__"), company_id=staff.company_id)


def get_deposit_for_user(
    user: Any, uid: Any, action: Action = Action.CASH_VIEW
) -> BankDeposit:
    """One deposit by its id, or 403 (designation) / 404 (scope)."""
    qs = deposits_for(user, action)
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        key = None
    deposit = qs.filter(uid=key).first() if key else None
    if deposit is None:
        raise Http404(f"No deposit {uid} in your scope.")
    return deposit


def deposit_search(qs: QuerySet[BankDeposit], q: str) -> QuerySet[BankDeposit]:
    """Agent's username or name, bank, slip number or amount."""
    q = q.strip()[:60]
    if not q:
        return qs
    cond = (
        Q(agent__username__icontains=q)
        | Q(agent__first_name__icontains=q)
        | Q(agent__last_name__icontains=q)
        | Q(bank__icontains=q)
        | Q(reference__icontains=q)
    )
    with contextlib.suppress(ArithmeticError):
        cond |= Q(amount=Decimal(q))
    return qs.filter(cond)


def limit_for(plant: Plant) -> Decimal | None:
    """The plant's own limit on cash in hand, else the company's, else none."""
    rows: dict[int | None, Decimal] = dict(
        CashLimit.objects.filter(
            Q(plant=plant) | Q(plant__isnull=True), company_id=plant.company_id
        ).values_list("plant_id", "amount")
    )
    return rows.get(plant.pk, rows.get(None))


def limits_of(company_id: int) -> dict[int | None, Decimal]:
    """Plant id (None: the company's) -> limit."""
    return dict(
        CashLimit.objects.filter(company_id=company_id).values_list(
            "plant_id", "amount"
        )
    )


# --- an agent's own cash ------------------------------------------------------------
@dataclass(frozen=True)
class AgentCash:
    in_hand: Decimal
    pending: Decimal  # registered, not yet verified
    pending_count: int
    limit: Decimal | None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.in_hand > self.limit


def agent_cash(user: User, plant: Plant | None) -> AgentCash:
    """The agent's cash in hand (the account's entries), their deposits
    waiting for head office, and the limit of ``plant``."""
    staff = access.staff_for(user)
    company_id = staff.company_id if staff else 0
    account = accounts.cash_account_of(company_id, user.get_username())
    in_hand = ZERO
    if account is not None:
        in_hand = _money(
            Entry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"]
        )
    pending = BankDeposit.objects.filter(
        agent=user, status=DepositStatus.REGISTERED
    ).aggregate(t=Sum("amount"), n=Count("id"))
    limit = limit_for(plant) if plant is not None else None
    return AgentCash(in_hand, _money(pending["t"]), pending["n"], limit)


# --- In Hand Cash (manual 3.7.7) ----------------------------------------------------
PAYMENT_Q = Q(journal__payment__isnull=False) | Q(
    journal__reverses__payment__isnull=False
)
DEPOSIT_Q = (
    Q(journal__bank_deposit__isnull=False)
    | Q(journal__reverses__bank_deposit__isnull=False)
    | Q(journal__bank_deposit_settled__isnull=False)
)
WHERE = Coalesce(
    "journal__payment__plant_id",
    "journal__reverses__payment__plant_id",
    "journal__bank_deposit__plant_id",
    "journal__reverses__bank_deposit__plant_id",
    "journal__bank_deposit_settled__plant_id",
    "account__plant_id",
)


@dataclass
class CashFigures:
    collected: Decimal = ZERO  # in the period
    deposited: Decimal = ZERO  # in the period
    in_hand: Decimal = ZERO  # now
    pending: Decimal = ZERO  # deposits registered, not yet verified

    def add(self, other: CashFigures) -> None:
        self.collected += other.collected
        self.deposited += other.deposited
        self.in_hand += other.in_hand
        self.pending += other.pending


@dataclass
class AgentLine:
    username: str
    name: str
    figures: CashFigures = field(default_factory=CashFigures)
    over_limit: bool = False


@dataclass
class CashLine:
    label: str
    key: str = ""
    figures: CashFigures = field(default_factory=CashFigures)
    agents: list[AgentLine] = field(default_factory=list)
    limit: Decimal | None = None


@dataclass
class CashGroup:
    cluster: Cluster
    plants: list[CashLine]
    subtotal: CashLine


@dataclass
class CashReport:
    period: Period
    groups: list[CashGroup]
    total: CashLine
    plant: Plant | None


def _plants(user: Any, action: Action, plant: Plant | None) -> list[Plant]:
    qs = access.plants_for(user, action)
    if plant is not None:
        qs = qs.filter(pk=plant.pk)
    return list(
        qs.select_related("cluster__state", "company").order_by(
            "cluster__state__code", "cluster__code", "state__code", "code"
        )
    )


def _cash_rows(company_id: int, ids: list[int], period: Period) -> list[Any]:
    begin, finish = period.bounds()
    when = Q(journal__posted_at__gte=begin, journal__posted_at__lt=finish)
    return list(
        Entry.objects.filter(
            account__company_id=company_id,
            account__holder_type=HolderType.STAFF,
            account__code__startswith="STF:",
            account__code__endswith=":CASH",
        )
        .annotate(at_plant=WHERE)
        .filter(at_plant__in=ids)
        .order_by()
        .values("at_plant", "account__holder_ref")
        .annotate(
            in_hand=Sum("amount"),
            collected=Sum("amount", filter=when & PAYMENT_Q),
            deposited=Sum("amount", filter=when & DEPOSIT_Q),
        )
    )


def cash_in_hand(
    user: Any, *, period: Period, plant: Plant | None = None
) -> CashReport:
    """Per plant and per agent: collected and deposited in ``period``, cash
    in hand now and deposits waiting; cluster subtotals and the total. Four
    queries whatever the number of plants and agents."""
    staff = access.require(user, Action.CASH_VIEW)
    plants = _plants(user, Action.CASH_VIEW, plant)
    ids = [p.pk for p in plants]
    agents: dict[tuple[int, str], CashFigures] = {}
    for row in _cash_rows(staff.company_id, ids, period):
        agents[row["at_plant"], row["account__holder_ref"]] = CashFigures(
            collected=_money(row["collected"]),
            deposited=-_money(row["deposited"]),
            in_hand=_money(row["in_hand"]),
        )
    waiting = (
        BankDeposit.objects.filter(plant_id__in=ids, status=DepositStatus.REGISTERED)
        .order_by()
        .values("plant_id", username=F("agent__username"))
        .annotate(t=Sum("amount"))
    )
    for wait in waiting:
        agents.setdefault((wait["plant_id"], wait["username"]), CashFigures())
        agents[wait["plant_id"], wait["username"]].pending = _money(wait["t"])
    names = {
        u.username: u.get_full_name() or u.username
        for u in User.objects.filter(username__in={k for _p, k in agents})
    }
    limits = limits_of(staff.company_id)
    return _group(plants, agents, names, limits, period, plant)


def _group(
    plants: list[Plant],
    agents: dict[tuple[int, str], CashFigures],
    names: dict[str, str],
    limits: dict[int | None, Decimal],
    period: Period,
    plant: Plant | None,
) -> CashReport:
    groups: dict[int, CashGroup] = {}
    total = CashLine(label="")
    for p in plants:
        limit = limits.get(p.pk, limits.get(None))
        line = CashLine(label=p.name, key=p.key, limit=limit)
        for (plant_id, username), figures in sorted(agents.items()):
            if plant_id != p.pk:
                continue
            over = limit is not None and figures.in_hand > limit
            line.agents.append(
                AgentLine(username, names.get(username, username), figures, over)
            )
            line.figures.add(figures)
        group = groups.get(p.cluster_id)
        if group is None:
            sub = CashLine(label=p.cluster.name, key=p.cluster.key)
            group = groups[p.cluster_id] = CashGroup(p.cluster, [], sub)
        group.plants.append(line)
        group.subtotal.figures.add(line.figures)
        total.figures.add(line.figures)
    return CashReport(period, list(groups.values()), total, plant)


# --- Bank Deposit Review (manual 3.7.7) ---------------------------------------------
@dataclass
class ReviewFigures:
    registered: Decimal = ZERO
    registered_n: int = 0
    received: Decimal = ZERO  # what the bank showed, for the verified ones
    received_n: int = 0
    pending: Decimal = ZERO
    pending_n: int = 0
    rejected: Decimal = ZERO
    rejected_n: int = 0
    anomalies: int = 0

    def add(self, other: ReviewFigures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ReviewLine:
    label: str
    key: str = ""
    figures: ReviewFigures = field(default_factory=ReviewFigures)


@dataclass
class ReviewGroup:
    cluster: Cluster
    plants: list[ReviewLine]
    subtotal: ReviewLine


@dataclass
class Anomaly:
    deposit: BankDeposit
    kind: str  # rejected, mismatch, stale


@dataclass
class DepositReview:
    period: Period
    groups: list[ReviewGroup]
    total: ReviewLine
    anomalies: list[Anomaly]
    stale_days: int
    plant: Plant | None


def _anomaly_q(stale_before: Any) -> dict[str, Q]:
    return {
        "rejected": Q(status=DepositStatus.REJECTED),
        "mismatch": Q(status=DepositStatus.VERIFIED) & ~Q(received_amount=F("amount")),
        "stale": Q(status=DepositStatus.REGISTERED, registered_at__lt=stale_before),
    }


def deposit_review(
    user: Any, *, period: Period, plant: Plant | None = None, limit: int = 200
) -> DepositReview:
    """Per plant, the deposits made in ``period`` (by the deposit date):
    registered, received (verified: the amount the bank showed), waiting and
    rejected; and the anomalies: rejected, received with another amount,
    waiting longer than ``stale_days``. Three queries."""
    plants = _plants(user, Action.CASH_VIEW, plant)
    days = stale_days()
    kinds = _anomaly_q(timezone.now() - timedelta(days=days))
    any_anomaly = kinds["rejected"] | kinds["mismatch"] | kinds["stale"]
    qs = BankDeposit.objects.filter(
        plant_id__in=[p.pk for p in plants],
        deposited_on__gte=period.start,
        deposited_on__lte=period.end,
    )
    sums: dict[int, Any] = {
        row["plant_id"]: row
        for row in qs.order_by()
        .values("plant_id")
        .annotate(**_review_aggregates(any_anomaly))
    }
    groups: dict[int, ReviewGroup] = {}
    total = ReviewLine(label="")
    for p in plants:
        line = ReviewLine(label=p.name, key=p.key)
        if p.pk in sums:
            line.figures = _review_figures(sums[p.pk])
        group = groups.get(p.cluster_id)
        if group is None:
            sub = ReviewLine(label=p.cluster.name, key=p.cluster.key)
            group = groups[p.cluster_id] = ReviewGroup(p.cluster, [], sub)
        group.plants.append(line)
        group.subtotal.figures.add(line.figures)
        total.figures.add(line.figures)
    found = qs.filter(any_anomaly).select_related("plant__state", "agent")
    anomalies = [
        Anomaly(d, next(k for k in kinds if _matches(d, k, days)))
        for d in found.order_by("-deposited_on", "-pk")[:limit]
    ]
    return DepositReview(period, list(groups.values()), total, anomalies, days, plant)


def _review_figures(row: dict[str, Any]) -> ReviewFigures:
    figures = ReviewFigures()
    for name in figures.__dataclass_fields__:
        counted = name.endswith("_n") or name == "anomalies"
        setattr(figures, name, int(row[name] or 0) if counted else _money(row[name]))
    return figures


def _review_aggregates(any_anomaly: Q) -> dict[str, Any]:
    def amount(status: str | None, column: str = "amount") -> Any:
        return Sum(column, filter=Q(status=status) if status else None)

    def count(status: str | None) -> Any:
        return Count("id", filter=Q(status=status) if status else None)

    return {
        "registered": amount(None),
        "registered_n": count(None),
        "received": amount(DepositStatus.VERIFIED, "received_amount"),
        "received_n": count(DepositStatus.VERIFIED),
        "pending": amount(DepositStatus.REGISTERED),
        "pending_n": count(DepositStatus.REGISTERED),
        "rejected": amount(DepositStatus.REJECTED),
        "rejected_n": count(DepositStatus.REJECTED),
        "anomalies": Count("id", filter=any_anomaly),
    }


def _matches(deposit: BankDeposit, kind: str, days: int) -> bool:
    if kind == "rejected":
        return deposit.status == DepositStatus.REJECTED
    if kind == "mismatch":
        return deposit.mismatch
    return deposit.status == DepositStatus.REGISTERED and (
        deposit.registered_at < timezone.now() - timedelta(days=days)
    )
