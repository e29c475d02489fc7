"""Reads of customers, through the one access helper: lists in scope, one
customer, finding customers by name, customer ID, phone, meter or package ID,
the consumer list's counts and the account page's facts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mcoms.core.errors import ValidationFailed
from mcoms.customers import search_index
from mcoms.customers.models import (
    PROFILE_FIELDS,
    Customer,
    CustomerStatus,
    ProfileChange,
    ProfileChangeState,
    field_label,
    shown,
)
from mcoms.ledger.models import Account, AccountKind, HolderType, Service
from mcoms.metering.models import MeterAssignment
from mcoms.notifications.phones import phone_normalise
from mcoms.org.access import plant_q, plants_for, require, staff_for
from mcoms.org.models import Cluster, Plant, User
from mcoms.org.permissions import Action
from mcoms.packages.models import Package

SEARCH_LIMIT = 50
# At most this many ids come from one key's index before the scope is
# applied; a key that common in the company is not a search (docs/customers.md).
CANDIDATES = 5_000
CUSTOMER_ID_PREFIX = re.compile(r"^[A-Z]{2,6}[0-9]{0,5}$")
SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
# A package ID (``A1.1(NN)/17/160``) or its start: a type code, then maybe more.
PACKAGE_ID = re.compile(r"^[A-Z]+[0-9][0-9.]*(\(|$)")
PHONE_CHARS = re.compile(r"^[+\d\s().-]+$")


def customers_for(
    user: Any, action: Action = Action.CUSTOMER_VIEW
) -> QuerySet[Customer]:
    """Customers a user may see: staff by scope, a customer their own accounts."""
    qs = Customer.objects.select_related("plant__state", "pole")
    if getattr(user, "is_authenticated", False) and user.kind == User.Kind.CUSTOMER:
        if action != Action.CUSTOMER_VIEW:
            raise PermissionDenied("Customers can only view their accounts.")
        return qs.filter(user=user)
    return qs.filter(plant_q(require(user, action), "plant__"))


def get_customer_for_user(user: Any, customer_id: str, write: bool = False) -> Customer:
    """One customer, or 404 if outside the user's scope, 403 if not allowed."""
    if staff_for(user) is None and not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in first.")
    action = Action.CUSTOMER_EDIT if write else Action.CUSTOMER_VIEW
    customer = (
        customers_for(user, action).filter(customer_id=customer_id.upper()).first()
    )
    if customer is None:
        raise Http404(f"No customer {customer_id} in your scope.")
    return customer


def customer_search(qs: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """Match a name, a customer ID or (4+ digits) part of a mobile number."""
    q = q.strip()
    if not q:
        return qs
    cond = Q(name__icontains=q) | Q(customer_id__icontains=q.replace(" ", ""))
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 4:
        cond |= Q(phone__contains=digits)
    return qs.filter(cond)


# --- finding customers -----------------------------------------------------------
@dataclass
class Found:
    """Customers matching a search, at most ``limit`` of them, by customer ID.
    ``more``: there were more matches; the user should narrow the search.
    ``kinds``: the kinds of key the query was looked up as."""

    customers: list[Customer]
    more: bool = False
    kinds: list[str] = field(default_factory=list)


def _prefix(name: str, text: str) -> Q:
    """``name`` starts with ``text``, as a range that a B-tree index serves on
    SQLite and PostgreSQL (LIKE alone is not indexed on SQLite), with the LIKE
    kept for exactness under a non-C collation."""
    upper = text[:-1] + chr(ord(text[-1]) + 1)
    return Q(
        **{f"{name}__gte": text, f"{name}__lt": upper, f"{name}__startswith": text}
    )


def _phone_keys(q: str) -> Q | None:
    """A whole number: that number. 4 to 9 digits: numbers starting so, after
    the country code (``98000`` -> ``+9198000...``), or after ``+`` if typed."""
    if not PHONE_CHARS.match(q):
        return None
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 10:
        try:
            return Q(phone=phone_normalise(phone=q))
        except ValidationFailed:
            pass
    if len(digits) < 4:
        return None
    if q.lstrip().startswith("+"):
        return _prefix("phone", "+" + digits)
    region = settings.PHONENUMBER_DEFAULT_REGION
    code = phonenumbers.country_code_for_region(region)
    return _prefix("phone", f"+{code}{digits.lstrip('0')}")


def _key_lookups(q: str, staff: Any, plant: Plant | None) -> dict[str, Any]:
    """Per kind of key that ``q`` may be, a subquery of the ids of at most
    CANDIDATES matching customers, each served by the key's own index
    (docs/customers.md); none of them is scoped yet."""
    subs: dict[str, Any] = {}
    compact = re.sub(r"\s+", "", q).upper()
    plain = Customer.objects.order_by()
    if any(ch.isalpha() for ch in q):
        name = search_index.name_match_sql(connection, q, CANDIDATES)
        if name is not None:
            subs["name"] = RawSQL(*name)  # noqa: S611 (fixed SQL, bound params)
    if CUSTOMER_ID_PREFIX.match(compact):
        subs["customer_id"] = plain.filter(
            _prefix("customer_id", compact), company_id=staff.company_id
        ).values("pk")[:CANDIDATES]
    phone = _phone_keys(q)
    if phone is not None:
        subs["phone"] = plain.filter(phone).values("pk")[:CANDIDATES]
    if len(compact) >= 3 and SERIAL.match(compact):
        meters = MeterAssignment.objects.order_by().filter(
            _prefix("meter__serial", compact),
            meter__company_id=staff.company_id,
            removed_at__isnull=True,
        )
        subs["meter"] = meters.values("customer_id")[:CANDIDATES]
    if PACKAGE_ID.match(compact):
        # Packages belong to a plant: only those of plants in scope.
        packages = Package.objects.order_by().filter(
            plant_q(staff, "plant__"), _prefix("package_id", compact)
        )
        if plant is not None:
            packages = packages.filter(plant=plant)
        subs["package"] = plain.filter(package__in=packages).values("pk")[:CANDIDATES]
    return subs


def customers_find(
    user: Any,
    q: str,
    *,
    plant: Plant | None = None,
    limit: int = SEARCH_LIMIT,
) -> Found:
    """Customers in the user's scope (and ``plant``) whose name has words
    starting with the words of ``q``, or whose customer ID, mobile number,
    current meter's serial or package ID starts with ``q``: at most ``limit``,
    sorted by customer ID, in one query (``id IN`` each key's subquery: a plan
    SQLite keeps with or without statistics)."""
    q = q.strip()[:60]
    scope = customers_for(user)
    if plant is not None:
        scope = scope.filter(plant=plant)
    staff = staff_for(user)
    if staff is None:  # a customer: a handful of own accounts
        own = list(customer_search(scope, q)[: limit + 1])
        return Found(own[:limit], len(own) > limit, ["own"])
    subs = _key_lookups(q, staff, plant) if len(q) >= 2 else {}
    if not subs:
        return Found([])
    match = Q()
    for ids in subs.values():
        match |= Q(pk__in=ids)
    rows = list(scope.filter(match).order_by()[: limit + 1])
    rows.sort(key=lambda c: c.customer_id)
    return Found(rows[:limit], len(rows) > limit, sorted(subs))


def plants_with_customer_counts(user: Any) -> QuerySet[Plant]:
    """The user's plants with their customers counted by status (manual 3.5.4)."""

    def count(status: str) -> Count:
        return Count("customers", filter=Q(customers__status=status))

    return plants_for(user, Action.CUSTOMER_VIEW).annotate(
        active=count(CustomerStatus.ACTIVE),
        inactive=count(CustomerStatus.INACTIVE),
        banned=count(CustomerStatus.BANNED),
        total=Count("customers"),
    )


# --- the consumer list (manual 3.5.4) ------------------------------------------------
@dataclass
class CountLine:
    """One row of the consumer list's table: a plant, a cluster or the total."""

    label: str
    key: str = ""
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(CustomerStatus.values, 0)
    )

    def add(self, other: CountLine) -> None:
        for status, n in other.counts.items():
            self.counts[status] += n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ClusterCounts:
    cluster: Cluster
    plants: list[CountLine]
    subtotal: CountLine


def customer_counts_by_cluster(
    user: Any,
) -> tuple[list[ClusterCounts], CountLine]:
    """Customers per plant by status (new, active, inactive, banned), plants
    grouped by cluster with a subtotal each, and the total: two queries."""
    plants = list(
        plants_for(user, Action.CUSTOMER_VIEW).order_by(
            "cluster__state__code", "cluster__code", "code"
        )
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = customers_for(user).order_by().values_list("plant_id", "status")
    for plant_id, status, n in rows.annotate(n=Count("id")):
        counts[plant_id][status] = n
    groups: dict[int, ClusterCounts] = {}
    total = CountLine(label="")
    for plant in plants:
        line = CountLine(label=plant.name, key=plant.key)
        line.counts.update(counts.get(plant.pk, {}))
        group = groups.get(plant.cluster_id)
        if group is None:
            sub = CountLine(label=plant.cluster.name, key=plant.cluster.key)
            group = groups[plant.cluster_id] = ClusterCounts(plant.cluster, [], sub)
        group.plants.append(line)
        group.subtotal.add(line)
        total.add(line)
    return list(groups.values()), total


def outstanding_for(customers: list[Customer]) -> dict[int, Decimal]:
    """Customer pk -> the sum of their receivable balances (every service but
    the deposit), for one page of customers in one query."""
    by_ref: dict[tuple[int, str], int] = {
        (c.company_id, c.customer_id): c.pk for c in customers
    }
    if not by_ref:
        return {}
    rows = (
        Account.objects.filter(
            company_id__in={c.company_id for c in customers},
            holder_type=HolderType.CUSTOMER,
            holder_ref__in=[c.customer_id for c in customers],
            kind=AccountKind.ASSET,
        )
        .exclude(service=Service.DEPOSIT)
        .order_by()
        .values("company_id", "holder_ref")
        .annotate(total=Sum("balance"))
    )
    owed = dict.fromkeys(by_ref.values(), Decimal("0.00"))
    for row in rows:
        pk = by_ref.get((row["company_id"], row["holder_ref"]))
        if pk is not None:
            owed[pk] = Decimal(row["total"]).quantize(Decimal("0.01"))
    return owed


# --- the account page (manual 3.5.2) -------------------------------------------------
def customer_for_page(customer: Customer) -> Customer:
    """The customer with what the Profile tab shows loaded: plant, pole and
    feeder, package with its type and timing, the sign-in user."""
    return Customer.objects.select_related(
        "plant__state",
        "plant__cluster",
        "pole__feeder",
        "package__package_type",
        "package__timing",
        "user",
    ).get(pk=customer.pk)


def current_meter(customer: Customer) -> MeterAssignment | None:
    """The meter or load limiter serving the connection now, if any."""
    return (
        MeterAssignment.objects.select_related("meter")
        .filter(customer=customer, removed_at__isnull=True)
        .order_by("-assigned_at", "-pk")
        .first()
    )


def profile_changes_for(customer: Customer, limit: int = 20) -> list[ProfileChange]:
    """The customer's latest profile changes, newest first; a waiting change
    whose codes died reads as expired."""
    changes = list(
        customer.profile_changes.select_related("requested_by", "closed_by")[:limit]
    )
    now = timezone.now()
    for change in changes:
        if change.state == ProfileChangeState.PENDING and change.expires_at <= now:
            change.state = ProfileChangeState.EXPIRED
    return changes


def pending_change(changes: list[ProfileChange]) -> ProfileChange | None:
    """The change still waiting for the customer's code, if any."""
    return next((c for c in changes if c.state == ProfileChangeState.PENDING), None)


@dataclass
class HistoryLine:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    reason: str
    changes: list[HistoryLine]


def profile_history(customer: Customer, limit: int = 30) -> list[HistoryEntry]:
    """Who changed the customer's contact details, when, and from what to what
    (the record's simple-history rows, newest first; other fields left out)."""
    records = list(
        customer.history.select_related("history_user").order_by(  # type: ignore[attr-defined]
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    out: list[HistoryEntry] = []
    for record, older in pairwise(records):
        diff = record.diff_against(older, included_fields=list(PROFILE_FIELDS))
        if not diff.changes:
            continue
        user = record.history_user
        out.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else _("system"),
                reason=record.history_change_reason or "",
                changes=[
                    HistoryLine(
                        field_label(c.field),
                        shown(c.field, str(c.old or "")),
                        shown(c.field, str(c.new or "")),
                    )
                    for c in diff.changes
                ],
            )
        )
    return out


@dataclass
class AccountPage:
    """What the account page's Profile tab shows (manual 3.5.2)."""

    customer: Customer
    meter: MeterAssignment | None
    outstanding: Decimal
    changes: list[ProfileChange]
    pending: ProfileChange | None


def account_page(customer: Customer) -> AccountPage:
    customer = customer_for_page(customer)
    changes = profile_changes_for(customer, limit=10)
    return AccountPage(
        customer=customer,
        meter=current_meter(customer),
        outstanding=outstanding_for([customer])[customer.pk],
        changes=changes,
        pending=pending_change(changes),
    )
