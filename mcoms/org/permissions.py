"""The permission table: designation x action. The one place in code that says
who may do what; ``docs/permissions.md`` is generated from it (and a test keeps
the two equal). *Where* a person may do it (their scope) is decided in
``access.py``."""

from __future__ import annotations

from enum import StrEnum

from mcoms.org.models import Designation

D = Designation


class Action(StrEnum):
    BACKOFFICE_USE = "backoffice.use"
    FIELD_USE = "field.use"
    ORG_VIEW = "org.view"
    ORG_EDIT_STRUCTURE = "org.edit_structure"  # states, clusters, plants
    ORG_EDIT_NETWORK = "org.edit_network"  # feeders and poles
    STAFF_VIEW = "staff.view"
    STAFF_EDIT = "staff.edit"
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_EDIT = "customer.edit"
    LEDGER_VIEW = "ledger.view"
    LEDGER_POST = "ledger.post"  # manual journals and reversals
    AUDIT_VIEW = "audit.view"
    PACKAGE_VIEW = "package.view"
    PACKAGE_EDIT = "package.edit"  # packages and the type / timing code tables
    ACQUISITION_WORK = "acquisition.work"  # survey, acquisition, KYC, package, account
    CONNECTION_WORK = (
        "connection.work"  # meter installation, connection stages, activation
    )
    METER_STOCK_EDIT = "meter_stock.edit"  # meters and load limiters into stock
    CUSTOMER_IMPORT = "customer.import"  # CSV import of customers and packages
    # The approval chain (workflow app, manual 3.5.6): raise, approve or reject
    # a request, register and assign it, execute it, review it.
    REQUEST_RAISE = "request.raise"
    REQUEST_APPROVE = "request.approve"
    REQUEST_ASSIGN = "request.assign"
    REQUEST_EXECUTE = "request.execute"
    REQUEST_REVIEW = "request.review"
    # Metering and billing (issue 4).
    READING_ENTER = "reading.enter"  # manual meter readings (manual 3.8.6)
    READING_REVIEW = "reading.review"  # approve or reject them (manual 3.8.7)
    READING_IMPORT = "reading.import"  # smart-meter interval batches and CSV
    METER_CONTROL = "meter.control"  # one meter: on, off, auto, reset
    METER_GROUP_CONTROL = "meter.group_control"  # feeder / plant switch, limits
    METER_CHANGE = "meter.change"  # Change Meter (manual 3.8.2)
    TOKEN_ISSUE = "token.issue"  # noqa: S105 - OpenPAYGO tokens for a payment, and their list
    BILLING_VIEW = "billing.view"  # bills, runs, the Total Billing dashboard
    BILLING_RUN = "billing.run"  # billing periods and runs
    BILLING_ADJUST = "billing.adjust"  # adjustment lines on the next bill
    # Collection (issue 5).
    PAYMENT_VIEW = "payment.view"  # payments, their allocations and reversals
    PAYMENT_TAKE = "payment.take"  # cash in the field, checkout for card / UPI
    PAYMENT_REVERSE = "payment.reverse"  # reverse or refund a payment
    PAYMENT_CONFLICT_SETTLE = "payment.conflict_settle"  # the conflicts queue
    # Cash in hand, bank deposits and receivables (issue 5, docs/collection.md).
    RECEIVABLE_VIEW = "receivable.view"  # Receivable and Aging (manual 3.4.6)
    CASH_VIEW = "cash.view"  # In Hand Cash and Bank Deposit Review (3.7.7)
    CASH_DEPOSIT = "cash.deposit"  # register a bank deposit of one's cash
    CASH_VERIFY = "cash.verify"  # verify or reject a deposit (head office)
    CASH_LIMIT_EDIT = "cash.limit_edit"  # the limit on cash in hand


FIELD = {D.OPERATOR, D.TECHNICIAN, D.CSA}
MANAGERS = {D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}
EVERYONE = FIELD | MANAGERS

PERMISSIONS: dict[Action, frozenset[D]] = {
    # The web platform is for cluster, state and head office (manual 1.3.1.3).
    Action.BACKOFFICE_USE: frozenset(MANAGERS),
    # The field agent app: field teams and the in-charges; the manual shows no
    # field-app module for head office; the company admin sees everything.
    Action.FIELD_USE: frozenset(
        FIELD | {D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}
    ),
    Action.ORG_VIEW: frozenset(EVERYONE),
    Action.ORG_EDIT_STRUCTURE: frozenset({D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}),
    Action.ORG_EDIT_NETWORK: frozenset(
        {D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}
    ),
    Action.STAFF_VIEW: frozenset(MANAGERS),
    Action.STAFF_EDIT: frozenset({D.HO_MANAGER, D.ADMIN}),
    Action.CUSTOMER_VIEW: frozenset(EVERYONE),
    Action.CUSTOMER_EDIT: frozenset({D.TECHNICIAN, D.CSA} | MANAGERS),
    # Money: bank deposits and portfolio figures are for management (1.2.3.3);
    # CSAs collect and see their customers' ledgers.
    Action.LEDGER_VIEW: frozenset({D.CSA} | MANAGERS),
    Action.LEDGER_POST: frozenset({D.HO_MANAGER, D.ADMIN}),
    Action.AUDIT_VIEW: frozenset(MANAGERS),
    # Head Office Managers "create new packages and services" (manual 1.2.3.3).
    Action.PACKAGE_VIEW: frozenset(EVERYONE),
    Action.PACKAGE_EDIT: frozenset({D.HO_MANAGER, D.ADMIN}),
    # The sales side of Figure 11 is field work; in-charges may step in.
    Action.ACQUISITION_WORK: frozenset(
        {D.OPERATOR, D.CSA, D.TECHNICIAN, D.CLUSTER_INCHARGE, D.STATE_INCHARGE}
        | {D.ADMIN}
    ),
    # "Meter installed by technical team"; "Technical team confirm connection".
    Action.CONNECTION_WORK: frozenset(
        {D.TECHNICIAN, D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}
    ),
    Action.METER_STOCK_EDIT: frozenset(
        {D.TECHNICIAN, D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}
    ),
    Action.CUSTOMER_IMPORT: frozenset({D.HO_MANAGER, D.ADMIN}),
    # Consumer Activity (manual 3.5.6): anyone on the customer side raises a
    # request; the State In-charge approves; the Cluster In-charge registers
    # and assigns; a Technician or CSA executes; the in-charges review.
    Action.REQUEST_RAISE: frozenset({D.OPERATOR, D.TECHNICIAN, D.CSA} | MANAGERS),
    Action.REQUEST_APPROVE: frozenset({D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}),
    Action.REQUEST_ASSIGN: frozenset(
        {D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}
    ),
    Action.REQUEST_EXECUTE: frozenset(
        {D.TECHNICIAN, D.CSA, D.CLUSTER_INCHARGE, D.ADMIN}
    ),
    Action.REQUEST_REVIEW: frozenset(
        {D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}
    ),
    # Meter Reading: Technician and CSA (and the in-charges, "all of the
    # above"); Meter Reading Review: the Cluster or State In-charge approves.
    Action.READING_ENTER: frozenset(
        {D.TECHNICIAN, D.CSA, D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}
    ),
    Action.READING_REVIEW: frozenset({D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}),
    Action.READING_IMPORT: frozenset(
        {D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}
    ),
    # "Control of equipment operation should be in the hands of the cluster
    # or state in-charge" (1.2.3.3); a Technician's Temporary Disconnect works
    # on specific customers only; feeders, whole plants, load limits and
    # schedules are for the in-charges (Smart Feeder Status, emergencies).
    Action.METER_CONTROL: frozenset(
        {D.TECHNICIAN, D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}
    ),
    Action.METER_GROUP_CONTROL: frozenset(
        {D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}
    ),
    # Change Meter is the Cluster In-charge's module; the State In-charge
    # "reviews and acknowledges meter changes" (request.review) and does not
    # execute requests, so does not make them (docs/decisions/0066).
    Action.METER_CHANGE: frozenset({D.CLUSTER_INCHARGE, D.ADMIN}),
    # The CSA collects payments (1.2.3 Table 1) and hands the customer the
    # token a payment buys; the in-charges may step in.
    Action.TOKEN_ISSUE: frozenset(
        {D.CSA, D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}
    ),
    Action.BILLING_VIEW: frozenset({D.CSA} | MANAGERS),
    Action.BILLING_RUN: frozenset({D.STATE_INCHARGE, D.HO_MANAGER, D.ADMIN}),
    Action.BILLING_ADJUST: frozenset({D.HO_MANAGER, D.ADMIN}),
    # The CSA collects payments (1.2.3 Table 1); the in-charges may step in
    # (the Operator only checks whether a customer is active). Undoing money
    # and settling provider callbacks that do not match is head office's
    # (docs/decisions/0081).
    Action.PAYMENT_VIEW: frozenset({D.CSA} | MANAGERS),
    Action.PAYMENT_TAKE: frozenset(
        {D.CSA, D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}
    ),
    Action.PAYMENT_REVERSE: frozenset({D.HO_MANAGER, D.ADMIN}),
    Action.PAYMENT_CONFLICT_SETTLE: frozenset({D.HO_MANAGER, D.ADMIN}),
    # The Operator checks on the Receivable page whether a customer is active;
    # CSAs and the in-charges work it (manual 3.4.6, Key Users).
    Action.RECEIVABLE_VIEW: frozenset({D.OPERATOR, D.CSA} | MANAGERS),
    # Cash is deposited by those who collect it and verified by head office
    # (manual 2.4.3); deposits are seen within one's scope: a CSA their
    # plant, management their portfolio (1.2.3.3); docs/decisions/0101.
    Action.CASH_VIEW: frozenset({D.CSA} | MANAGERS),
    Action.CASH_DEPOSIT: frozenset(
        {D.CSA, D.CLUSTER_INCHARGE, D.STATE_INCHARGE, D.ADMIN}
    ),
    Action.CASH_VERIFY: frozenset({D.HO_MANAGER, D.ADMIN}),
    Action.CASH_LIMIT_EDIT: frozenset({D.HO_MANAGER, D.ADMIN}),
}


def allowed(designation: str, action: Action) -> bool:
    return designation in PERMISSIONS[action]


def as_markdown() -> str:
    """The table as Markdown, for docs/permissions.md."""
    designations = list(D)
    head = "| action | " + " | ".join(str(d.label) for d in designations) + " |"
    rule = "|---" * (len(designations) + 1) + "|"
    rows = [
        f"| `{action.value}` | "
        + " | ".join("yes" if d in PERMISSIONS[action] else "-" for d in designations)
        + " |"
        for action in Action
    ]
    return "\n".join([head, rule, *rows]) + "\n"
