"""The access matrix over every GET page of the three web apps (back office,
field app, customer app) and the ledger API.

Each case is one (user, page). The status each user must get is derived by
``expect`` from the permission table (``mcoms.org.permissions``) and the scope
rule (``mcoms.org.access``: a staff member sees their scope node and everything
below it; 403 when the designation lacks the action, 404 for objects outside
the scope or in another company). On every page that answers 200 no marker of
an object outside the user's scope (a plant key, a customer's name, another
person's link) may appear. tests/api/test_access_matrix.py covers the org,
staff and customer API; this module does not repeat it.

Issue 3's pages are here too (the consumer list and account pages, status
requests and flags, the package catalogue, the CSV import, the acquisition
pipeline, the customer app's profile edit and connection request); their
objects (a package, a prospect with a KYC file, a request per plant, imports)
come from tests/matrix_objects.py, and URLs with runtime ids (``{doc_BHKATS}``,
``{import_admin}``) are filled in from the fixture.

Besides the world's staff, a customer and anonymous, two managers the world
lacks are added: a Head Office Manager scoped to state BH (``ho_bh``) and a
State In-charge scoped to cluster BH-SOUTH (``si_south``).

The world is built once for the module; each test runs in a savepoint that is
rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mcoms.ledger import services as ledger
from mcoms.ledger.models import Service
from mcoms.metering.tests.control_kit import build_control_meters
from mcoms.org import services as org
from mcoms.org.models import User
from mcoms.org.permissions import Action, allowed
from tests.builders import PASSWORD, World, build_world
from tests.matrix_objects import PACKAGE, Objects, add_objects

A = Action
CUSTOMER = "c+919800000001"  # the sign-in user of customer BHKATS00101
ANON = "anonymous"

# --- the world as data: company trees, people, customers, ledger accounts ---
TREES: dict[str, dict[str, str]] = {  # node key -> parent key, per company
    "tara": {
        "BH": "tara",
        "UP": "tara",
        "BH-NORTH": "BH",
        "BH-SOUTH": "BH",
        "UP-EAST": "UP",
        "BHKATS": "BH-NORTH",
        "BHMADH": "BH-NORTH",
        "BHSIKA": "BH-SOUTH",
        "UPGORA": "UP-EAST",
    },
    "other": {"BH": "other", "BH-ONE": "BH", "BHKATS": "BH-ONE"},
}
# username -> (company, designation, scope node)
STAFF: dict[str, tuple[str, str, str]] = {
    "operator": ("tara", "operator", "BHKATS"),
    "technician": ("tara", "technician", "BHKATS"),
    "csa": ("tara", "csa", "BHKATS"),
    "cluster_incharge": ("tara", "cluster_incharge", "BH-NORTH"),
    "state_incharge": ("tara", "state_incharge", "BH"),
    "ho_manager": ("tara", "ho_manager", "tara"),
    "admin": ("tara", "admin", "tara"),
    "sika_csa": ("tara", "csa", "BHSIKA"),
    "other_admin": ("other", "admin", "other"),
    "ho_bh": ("tara", "ho_manager", "BH"),  # created below
    "si_south": ("tara", "state_incharge", "BH-SOUTH"),  # created below
}
EXTRA = {"ho_bh": "Hobh", "si_south": "Sisouth"}  # username -> first name
USERS = [*STAFF, CUSTOMER, ANON]
CUSTOMERS = {  # company -> customer id -> plant
    "tara": {"BHKATS00101": "BHKATS", "BHSIKA00101": "BHSIKA", "UPGORA00101": "UPGORA"},
    "other": {"BHKATS00101": "BHKATS"},
}
OWN_ACCOUNT = ("tara", "BHKATS00101")  # the customer user's account
# Issue 3's objects (tests/matrix_objects.py), per company: key -> plant.
PROSPECTS = {
    "tara": {f"P-{p}-000001": p for p in ("BHKATS", "BHSIKA", "UPGORA")},
    "other": {"P-BHKATS-000001": "BHKATS"},
}
REQUESTS = {
    "tara": {f"{p}-00001": p for p in ("BHKATS", "BHSIKA", "UPGORA")},
    "other": {"BHKATS-00001": "BHKATS"},
}
# The CSV imports, by uploader: company-wide staff with customer.import see
# their company's, others only their own.
IMPORTERS = ("admin", "ho_bh", "other_admin")
# company -> account code -> plant (None: a company-level account)
ACCOUNTS: dict[str, dict[str, str | None]] = {
    "tara": {
        "CUS:BHKATS00101:AR:CHG": "BHKATS",
        "PLT:BHKATS:REV:CHG": "BHKATS",
        "CUS:BHSIKA00101:AR:CHG": "BHSIKA",
        "PLT:BHSIKA:REV:CHG": "BHSIKA",
        "PLT:UPGORA:REV:CHG": "UPGORA",
        "CO:BANK": None,
    },
    "other": {"CUS:BHKATS00101:AR:CHG": "BHKATS", "STF:other_admin:CASH": None},
}
# journal name -> (company, [(account code, amount)])
JOURNALS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "kats": (
        "tara",
        [("CUS:BHKATS00101:AR:CHG", "100"), ("PLT:BHKATS:REV:CHG", "-100")],
    ),
    "sika": (
        "tara",
        [("CUS:BHSIKA00101:AR:CHG", "50"), ("PLT:BHSIKA:REV:CHG", "-50")],
    ),
    "kats_sika": (
        "tara",
        [("CUS:BHKATS00101:AR:CHG", "7"), ("PLT:BHSIKA:REV:CHG", "-7")],
    ),
    "bank": ("tara", [("CO:BANK", "5"), ("PLT:UPGORA:REV:CHG", "-5")]),
    "other": (
        "other",
        [("CUS:BHKATS00101:AR:CHG", "1"), ("STF:other_admin:CASH", "-1")],
    ),
}


# --- the scope rule ---
def chain(company: str, key: str) -> list[str]:
    """A node and its ancestors up to the company."""
    out = [key]
    while key != company:
        key = TREES[company][key]
        out.append(key)
    return out


def covers(user: str, company: str, key: str) -> bool:
    """Whether the staff member's scope node is the node or above it."""
    u_company, _designation, scope = STAFF[user]
    return u_company == company and scope in chain(company, key)


def is_company_wide(user: str) -> bool:
    company, _designation, scope = STAFF[user]
    return scope == company


def may(user: str, action: Action) -> bool:
    return user in STAFF and allowed(STAFF[user][1], action)


def company_of(user: str) -> str:
    return STAFF[user][0] if user in STAFF else "tara"


def node_exists(user: str, key: str) -> bool:
    company = company_of(user)
    return key in TREES[company] or key == company


# --- pages ---
@dataclass(frozen=True)
class Page:
    url: str
    app: str  # backoffice, field, selfcare, api
    action: Action | None = None
    node: str = ""  # the org node the page is about (plant, cluster, state key)
    staff: str = ""  # the person the page is about
    customer: str = ""  # the customer the page is about (selfcare)
    account: str = ""  # the ledger account the page is about
    journal: str = ""  # the ledger journal the page is about
    company_only: bool = False  # an act on the company itself (add a state)
    # Who may see the object, when neither node nor staff say it (imports,
    # KYC files of one company); checked after the designation.
    visible: Callable[[str], bool] | None = None


VIEW, STRUCT, NET = A.ORG_VIEW, A.ORG_EDIT_STRUCTURE, A.ORG_EDIT_NETWORK
STATES = ["BH", "UP"]
CLUSTERS = ["BH-NORTH", "BH-SOUTH", "UP-EAST"]
PLANTS = ["BHKATS", "BHSIKA", "UPGORA"]
PEOPLE = [
    "operator",
    "sika_csa",
    "cluster_incharge",
    "state_incharge",
    "admin",
    "other_admin",
    "si_south",
]
EDITABLE_PEOPLE = ["operator", "sika_csa", "state_incharge", "admin", "other_admin"]


def _bo(url: str, action: Action, **kw: Any) -> Page:
    return Page("/backoffice/" + url, "backoffice", action, **kw)


BACKOFFICE = [
    _bo("", VIEW),
    _bo("states/", VIEW),
    _bo("states/new/", STRUCT, company_only=True),
    *[_bo(f"states/{s}/", VIEW, node=s) for s in STATES],
    *[_bo(f"states/{s}/edit/", STRUCT, node=s) for s in STATES],
    *[_bo(f"states/{s}/clusters/new/", STRUCT, node=s) for s in STATES],
    _bo("clusters/", VIEW),
    *[_bo(f"clusters/{c}/", VIEW, node=c) for c in [*CLUSTERS, "BH-ONE"]],
    *[_bo(f"clusters/{c}/edit/", STRUCT, node=c) for c in CLUSTERS],
    *[_bo(f"clusters/{c}/plants/new/", STRUCT, node=c) for c in CLUSTERS],
    _bo("plants/", VIEW),
    *[
        _bo(f"plants/{p}/{rest}", action, node=p)
        for p in PLANTS
        for rest, action in [
            ("", VIEW),
            ("edit/", STRUCT),
            ("feeders/", VIEW),
            ("feeders/new/", NET),
            ("feeders/F1/", VIEW),
            ("feeders/F1/edit/", NET),
            ("feeders/F1/poles/new/", NET),
            ("poles/", VIEW),
            ("poles/1/", VIEW),
            ("poles/1/edit/", NET),
        ]
    ],
    _bo("staff/", A.STAFF_VIEW),
    _bo("staff/new/", A.STAFF_EDIT),
    *[_bo(f"staff/{u}/", A.STAFF_VIEW, staff=u) for u in PEOPLE],
    *[_bo(f"staff/{u}/edit/", A.STAFF_EDIT, staff=u) for u in EDITABLE_PEOPLE],
    # Total Billing (docs/billing-documents.md)
    _bo("reports/total-billing/", A.BILLING_VIEW),
    _bo("reports/total-billing/?month=2026-04", A.BILLING_VIEW),
    *[_bo(f"reports/total-billing/?plant={p}", A.BILLING_VIEW, node=p) for p in PLANTS],
]
# --- issue 3: customers, status requests, packages, import, acquisition ---
CV, CE, RAISE = A.CUSTOMER_VIEW, A.CUSTOMER_EDIT, A.REQUEST_RAISE
PV, PE, IMP, AW = A.PACKAGE_VIEW, A.PACKAGE_EDIT, A.CUSTOMER_IMPORT, A.ACQUISITION_WORK
TARA_CUSTOMERS = CUSTOMERS["tara"].items()
TARA_PROSPECTS = PROSPECTS["tara"].items()
TARA_REQUESTS = REQUESTS["tara"].items()


def import_visible(uploader: str) -> Callable[[str], bool]:
    """An import is seen by its uploader and their company's company-wide
    staff (with customer.import, checked before)."""
    company = STAFF[uploader][0]
    return lambda user: (
        user == uploader or (company_of(user) == company and is_company_wide(user))
    )


def tara_only(plant: str) -> Callable[[str], bool]:
    """An object of tara's at this plant (its id is not shared with the other
    company's, unlike a customer ID or a prospect's reference)."""
    return lambda user: covers(user, "tara", plant)


BACKOFFICE_3 = [
    _bo("customers/", CV),
    *[_bo(f"customers/?plant={p}", CV, node=p) for p in PLANTS],
    *[_bo(f"customers/{c}/", CV, node=p) for c, p in TARA_CUSTOMERS],
    *[_bo(f"customers/{c}/edit/", CE, node=p) for c, p in TARA_CUSTOMERS],
    _bo("requests/", RAISE),
    _bo("requests/new/", RAISE),
    _bo("requests/flagged/", CV),
    *[_bo(f"requests/flagged/?plant={p}", CV, node=p) for p in PLANTS],
    *[_bo(f"requests/{n}/", RAISE, node=p) for n, p in TARA_REQUESTS],
    _bo("packages/", PV),
    *[_bo(f"packages/?plant={p}", PV, node=p) for p in PLANTS],
    _bo("packages/new/", PE),
    _bo("packages/codes/", PV),
    *[
        _bo(f"packages/codes/{rest}", PE, company_only=True)
        for rest in ("types/new/", "types/A1.1/", "timings/new/", "timings/NN/")
    ],
    *[_bo(f"packages/{p}/{PACKAGE}/v1/", PV, node=p) for p in PLANTS],
    *[_bo(f"packages/{p}/{PACKAGE}/v1/revise/", PE, node=p) for p in PLANTS],
    _bo("imports/", IMP),
    _bo("imports/template/customers.csv", IMP),
    _bo("imports/template/packages.csv", IMP),
    *[
        _bo("imports/{import_" + u + "}/", IMP, visible=import_visible(u))
        for u in IMPORTERS
    ],
    _bo("acquisition/", CV),
    _bo("acquisition/prospects/", CV),
    *[_bo(f"acquisition/prospects/?plant={p}", CV, node=p) for p in PLANTS],
    *[_bo(f"acquisition/prospects/?cluster={c}", CV, node=c) for c in CLUSTERS],
    *[_bo(f"acquisition/prospects/{r}/", CV, node=p) for r, p in TARA_PROSPECTS],
    *[
        _bo(
            f"acquisition/prospects/{r}/documents/{{doc_{p}}}/",
            CV,
            visible=tara_only(p),
        )
        for r, p in TARA_PROSPECTS
    ],
    *[_bo(f"acquisition/{form}/", AW) for form in ("new", "instant")],
    *[
        _bo(f"acquisition/{form}/?plant={p}", AW, node=p)
        for form in ("new", "instant")
        for p in PLANTS
    ],
]
BACKOFFICE += BACKOFFICE_3
# --- issue 4: meter control (docs/metering.md, "Control and tokens") ---
GC = A.METER_GROUP_CONTROL
BACKOFFICE += [
    _bo("control/meters/", CV),
    _bo("control/meters/?q=SM", CV),
    *[_bo(f"control/meters/?plant={p}", CV, node=p) for p in PLANTS],
    *[_bo(f"control/meters/SM-{p}/", CV, node=p) for p in PLANTS],
    *[_bo(f"control/plants/{p}/", CV, node=p) for p in PLANTS],
    *[_bo(f"control/plants/{p}/switch/?action=off", GC, node=p) for p in PLANTS],
    *[
        _bo(f"control/plants/{p}/feeders/F1/switch/?action=on", GC, node=p)
        for p in PLANTS
    ],
    _bo("control/commands/", CV),
]
FIELD = [
    Page("/field/", "field", A.FIELD_USE),
    Page("/field/consumers/", "field", A.CUSTOMER_VIEW),
    Page("/field/consumers/?q=Customer", "field", A.CUSTOMER_VIEW),
    *[
        Page(f"/field/consumers/?plant={p}", "field", A.CUSTOMER_VIEW, node=p)
        for p in PLANTS
    ],
    Page("/field/contacts/", "field", A.ORG_VIEW),
    Page("/field/notifications/", "field", A.FIELD_USE),
    *[Page(f"/field/consumers/{c}/", "field", CV, node=p) for c, p in TARA_CUSTOMERS],
    *[
        Page(f"/field/consumers/{c}/edit/", "field", CE, node=p)
        for c, p in TARA_CUSTOMERS
    ],
    Page("/field/requests/", "field", RAISE),
    Page("/field/requests/new/", "field", RAISE),
    *[Page(f"/field/requests/{n}/", "field", RAISE, node=p) for n, p in TARA_REQUESTS],
    Page("/field/flagged/", "field", CV),
    *[Page(f"/field/flagged/?plant={p}", "field", CV, node=p) for p in PLANTS],
    Page("/field/packages/", "field", PV),
    *[Page(f"/field/packages/?plant={p}", "field", PV, node=p) for p in PLANTS],
    Page("/field/acquisition/", "field", CV),
    *[Page(f"/field/acquisition/?plant={p}", "field", CV, node=p) for p in PLANTS],
    Page("/field/acquisition/connections/", "field", CV),
    *[Page(f"/field/acquisition/{form}/", "field", AW) for form in ("new", "instant")],
    *[
        Page(f"/field/acquisition/{form}/?plant={p}", "field", AW, node=p)
        for form in ("new", "instant")
        for p in PLANTS
    ],
    *[Page(f"/field/acquisition/{r}/", "field", CV, node=p) for r, p in TARA_PROSPECTS],
    Page("/field/dashboard/", "field", A.BILLING_VIEW),  # Total Billing
    *[
        Page(f"/field/dashboard/?plant={p}", "field", A.BILLING_VIEW, node=p)
        for p in PLANTS
    ],
]
FIELD += [  # meter control (docs/metering.md, "Control and tokens")
    Page("/field/smart-meters/", "field", CV),
    Page("/field/smart-meters/?q=SM", "field", CV),
    *[Page(f"/field/smart-meters/?plant={p}", "field", CV, node=p) for p in PLANTS],
    *[Page(f"/field/smart-meters/SM-{p}/", "field", CV, node=p) for p in PLANTS],
    Page("/field/feeders/", "field", CV),
    *[Page(f"/field/feeders/?plant={p}", "field", CV, node=p) for p in PLANTS],
    *[
        Page(f"/field/plants/{p}/switch/?action=off", "field", GC, node=p)
        for p in PLANTS
    ],
    *[
        Page(f"/field/feeders/{p}/F1/switch/?action=auto", "field", GC, node=p)
        for p in PLANTS
    ],
]
# --- issue 4: meter stock, Change Meter, Unreleased Meter (docs/metering.md) ---
MS, MC = A.METER_STOCK_EDIT, A.METER_CHANGE
BACKOFFICE += [
    _bo("meters/", VIEW),
    _bo("meters/?plant=-&state=available", VIEW),
    *[_bo(f"meters/?plant={p}", VIEW, node=p) for p in PLANTS],
    # (the other company's BHKATS holds M-OTHER, not M-BHKATS: not listed here)
    *[_bo(f"meters/M-{p}/", VIEW, node=p) for p in ("BHSIKA", "UPGORA")],
    _bo("meters/receive/", MS),
    _bo("meters/change/", MC),
    _bo("meters/change/?customer=BHKATS00101", MC, node="BHKATS"),
    _bo("meters/releases/", RAISE),
    *[_bo(f"meters/releases/?tab=completed&plant={p}", RAISE, node=p) for p in PLANTS],
    _bo("meters/releases/new/", RAISE),
]
FIELD += [
    Page("/field/meters/", "field", VIEW),
    *[Page(f"/field/meters/?plant={p}", "field", VIEW, node=p) for p in PLANTS],
    Page("/field/meters/receive/", "field", MS),
    Page("/field/meters/change/", "field", MC),
    Page("/field/meters/change/?customer=BHKATS00101", "field", MC, node="BHKATS"),
    Page("/field/meters/releases/", "field", RAISE),
    *[
        Page(f"/field/meters/releases/?tab=review&plant={p}", "field", RAISE, node=p)
        for p in PLANTS
    ],
    Page("/field/meters/releases/new/", "field", RAISE),
]
# --- issue 4: meter readings (docs/metering.md, "Readings") ---
RE, RR, RI = A.READING_ENTER, A.READING_REVIEW, A.READING_IMPORT
BACKOFFICE += [
    _bo("readings/", RI),  # reviewers and importers (importers include reviewers)
    *[_bo(f"readings/{p}/", RR, node=p) for p in PLANTS],
    _bo("readings/import/", RI),
    *[_bo(f"customers/{c}/readings/", CV, node=p) for c, p in TARA_CUSTOMERS],
]
FIELD += [
    Page("/field/readings/", "field", RE),
    *[Page(f"/field/readings/{p}/", "field", RE, node=p) for p in PLANTS],
    Page("/field/readings/review/", "field", RR),
    *[Page(f"/field/readings/review/{p}/", "field", RR, node=p) for p in PLANTS],
]
# --- issue 5: a customer's transactions (docs/receipts.md) ---
FIELD += [
    Page(f"/field/consumers/{c}/transactions/", "field", A.PAYMENT_VIEW, node=p)
    for c, p in TARA_CUSTOMERS
]
# --- issue 5: collection, cash in hand, bank deposits (docs/collection.md) ---
PAY, RV, CASHV, LV = A.PAYMENT_VIEW, A.RECEIVABLE_VIEW, A.CASH_VIEW, A.LEDGER_VIEW
NO_DEPOSIT = "00000000-0000-4000-8000-000000000000"  # a deposit nobody has
COLLECTION_BO = [
    ("reports/cash-register/", PAY),
    ("reports/receivables/", RV),
    ("reports/ageing/", RV),
    ("reports/total-collection/", PAY),
    ("cash/", CASHV),
    ("cash/deposits/", CASHV),
    ("cash/deposits/review/", CASHV),
]
BACKOFFICE += [
    *[_bo(url, action) for url, action in COLLECTION_BO],
    *[
        _bo(f"{url}?plant={p}", action, node=p)
        for url, action in COLLECTION_BO
        for p in PLANTS
    ],
    _bo("cash/deposits/new/", A.CASH_DEPOSIT),
    _bo("cash/limits/", A.CASH_LIMIT_EDIT),
    _bo(f"cash/deposits/{NO_DEPOSIT}/", CASHV, visible=lambda user: False),
    *[
        _bo(f"customers/{c}/{tab}/", action, node=p)
        for c, p in TARA_CUSTOMERS
        for tab, action in [
            ("transactions", PAY),
            ("cash-ledger", LV),
            ("deposit-ledger", LV),
        ]
    ],
]
COLLECTION_FIELD = [
    ("cash-register/", PAY),
    ("receivables/", RV),
    ("receivables/ageing/", RV),
    ("collection/", PAY),
    ("bank-deposit/in-hand/", CASHV),
    ("bank-deposit/review/", CASHV),
]
FIELD += [
    *[Page(f"/field/{url}", "field", action) for url, action in COLLECTION_FIELD],
    *[
        Page(f"/field/{url}?plant={p}", "field", action, node=p)
        for url, action in COLLECTION_FIELD
        for p in PLANTS
    ],
    Page("/field/bank-deposit/", "field", CASHV),
    Page("/field/bank-deposit/new/", "field", A.CASH_DEPOSIT),
    Page(f"/field/bank-deposit/{NO_DEPOSIT}/", "field", CASHV, visible=lambda u: False),
    *[
        Page(f"/field/consumers/{c}/{tab}/", "field", LV, node=p)
        for c, p in TARA_CUSTOMERS
        for tab in ("cash-ledger", "deposit-ledger")
    ],
]
SELFCARE = [
    Page("/selfcare/", "selfcare"),
    *[
        Page(f"/selfcare/a/{c}/{rest}", "selfcare", customer=c)
        for c in CUSTOMERS["tara"]
        for rest in ("", "profile/", "profile/edit/", "payable/", "bills/", "readings/")
    ],
    Page("/selfcare/notifications/", "selfcare"),
    *[
        Page(f"/selfcare/a/{c}/transactions/", "selfcare", customer=c)
        for c in CUSTOMERS["tara"]
    ],
]
LEDGER = "/api/v1/ledger/"
API = [
    Page(LEDGER + "accounts/", "api", A.LEDGER_VIEW),
    *[
        Page(LEDGER + f"accounts/{code}/", "api", A.LEDGER_VIEW, account=code)
        for code in [*ACCOUNTS["tara"], "STF:other_admin:CASH"]
    ],
    *[
        Page(LEDGER + "journals/{" + name + "}/", "api", A.LEDGER_VIEW, journal=name)
        for name in JOURNALS
    ],
]
PAGES = [*BACKOFFICE, *FIELD, *SELFCARE, *API]
LOGIN = {
    "backoffice": "/backoffice/login/",
    "field": "/field/login/",
    "selfcare": "/selfcare/login/",
}


def account_visible(user: str, company: str, code: str) -> bool:
    plant = ACCOUNTS[company][code]
    if plant is None:
        return company_of(user) == company and is_company_wide(user)
    return covers(user, company, plant)


def journal_visible(user: str, name: str) -> bool:
    company, lines = JOURNALS[name]
    return company_of(user) == company and all(
        account_visible(user, company, code) for code, _amount in lines
    )


def expect(user: str, page: Page) -> tuple[int, str]:
    """The status the user must get on the page, and where a redirect goes."""
    if user == ANON:
        if page.app == "api":
            return 401, ""
        return 302, f"{LOGIN[page.app]}?next="
    if user == CUSTOMER:
        if page.app in ("backoffice", "field"):
            return 302, "/selfcare/"
        if page.app == "api":
            return 403, ""
        if page.url == "/selfcare/":
            return 302, f"/selfcare/a/{OWN_ACCOUNT[1]}/"
        if page.customer and page.customer != OWN_ACCOUNT[1]:
            return 404, ""
        return 200, ""
    company = company_of(user)
    door = {
        "backoffice": A.BACKOFFICE_USE,
        "field": A.FIELD_USE,
        "api": A.LEDGER_VIEW,
    }.get(page.app)
    if door is None:  # the customer app is for customers only
        return 403, ""
    if not may(user, door) or (page.action and not may(user, page.action)):
        return 403, ""
    if page.company_only and not is_company_wide(user):
        return 403, ""
    visible = True
    if page.visible is not None:
        visible = page.visible(user)
    elif page.node:
        visible = node_exists(user, page.node) and covers(user, company, page.node)
    elif page.staff:
        s_company, _designation, s_scope = STAFF[page.staff]
        visible = covers(user, s_company, s_scope)
    elif page.account:
        visible = page.account in ACCOUNTS[company] and account_visible(
            user, company, page.account
        )
    elif page.journal:
        visible = journal_visible(user, page.journal)
    return (200, "") if visible else (404, "")


# --- markers: strings that name one object in a page ---
# (marker, kind, company, key); kind: node, staff, customer.
MARKERS: list[tuple[str, str, str, str]] = [
    ("Tara Urja", "node", "tara", "tara"),
    ("Other Power", "node", "other", "other"),
    ("Bihar", "node", "tara", "BH"),
    ("Bihar", "node", "other", "BH"),
    ("Uttar Pradesh", "node", "tara", "UP"),
    *[(key, "node", "tara", key) for key in ["BH-NORTH", "BH-SOUTH", "UP-EAST"]],
    ("BH-ONE", "node", "other", "BH-ONE"),
    *[(key, "node", "tara", key) for key in ["BHKATS", "BHMADH", "BHSIKA", "UPGORA"]],
    ("BHKATS", "node", "other", "BHKATS"),
    *[(f"Customer {p}", "customer", "tara", f"{p}00101") for p in PLANTS],
    ("Other customer", "customer", "other", "BHKATS00101"),
    *[(f"Prospect {p}", "prospect", "tara", p) for p in PLANTS],
    ("Other prospect", "prospect", "other", "BHKATS"),
    *[(f"/staff/{u}/", "staff", STAFF[u][0], u) for u in STAFF],
    # names shown where people are listed without a link (field contacts)
    *[(name, "staff", "tara", u) for u, name in EXTRA.items()],
    ("other_admin", "staff", "other", "other_admin"),
    *[
        (u, "staff", "tara", u)  # also designation values: not on staff forms
        for u in ["cluster_incharge", "state_incharge", "ho_manager"]
    ],
]


def sees(user: str, page: Page, kind: str, company: str, key: str) -> bool:
    """Whether the user may see this object named on this page."""
    if user == CUSTOMER:
        own_company, own_id = OWN_ACCOUNT
        plant = CUSTOMERS[own_company][own_id]
        if company != own_company:
            return False
        if kind == "node":
            return key in chain(company, plant)
        if kind == "customer":
            return key == own_id
        if kind == "prospect":
            return False
        return key == "csa"  # the CSA of the customer's plant
    u_company, _designation, scope = STAFF[user]
    if company != u_company:
        return False
    if kind == "node":  # below the scope, or above it (their own context)
        return covers(user, company, key) or key in chain(company, scope)
    if kind == "customer":
        return covers(user, company, CUSTOMERS[company][key])
    if kind == "prospect":  # key: its plant
        return covers(user, company, key)
    s_scope = STAFF[key][2]
    if key == user or covers(user, company, s_scope):
        return True
    if page.url.startswith("/field/contacts/"):
        # Contacts: people whose scope covers one of the user's plants.
        plants = [p for p in TREES[company] if covers(user, company, p)]
        return any(s_scope in chain(company, p) for p in plants)
    return False


def hidden_markers(user: str, page: Page) -> set[str]:
    staff_form = "/staff/" in page.url and page.url.endswith(("new/", "edit/"))
    shown, hidden = set(), set()
    for marker, kind, company, key in MARKERS:
        if staff_form and marker in STAFF:
            continue
        if sees(user, page, kind, company, key):
            shown.add(marker)
        else:
            hidden.add(marker)
    return hidden - shown  # a marker shared with a visible object says nothing


# --- known leaks: (url, user) -> reason; the case is a strict xfail -----------------
LEAKS: dict[tuple[str, str], str] = {}


def cases(pages: list[Page]) -> list[Any]:
    out = []
    for page in pages:
        for user in USERS:
            marks = []
            reason = LEAKS.get((page.url, user))
            if reason:
                marks = [pytest.mark.xfail(strict=True, reason=f"LEAK: {reason}")]
            out.append(pytest.param(user, page, marks=marks, id=f"{user}-{page.url}"))
    return out


# --- fixtures ---
@dataclass
class Books:
    journals: dict[str, int]
    ids: dict[str, str]  # the runtime ids in page URLs (``{doc_BHKATS}``)


def build_books(w: World) -> Books:
    companies = {"tara": w.company, "other": w.other_company}
    plants = {
        "tara": w.plants,
        "other": {"BHKATS": w.customers["other"].plant},
    }
    accounts: dict[tuple[str, str], Any] = {}
    for company_key, codes in ACCOUNTS.items():
        company = companies[company_key]
        for code, plant_key in codes.items():
            plant = plants[company_key][plant_key] if plant_key else None
            kind, ref, *_rest = code.split(":")
            if kind == "CUS":
                account = ledger.account_for_customer(
                    company=company,
                    customer_id=ref,
                    plant=plant,
                    service=Service.ENERGY,
                )
            elif kind == "PLT":
                account = ledger.account_for_plant_revenue(
                    plant=plant, service=Service.ENERGY
                )
            elif kind == "STF":
                account = ledger.account_for_staff_cash(company=company, username=ref)
            else:
                account = ledger.account_for_company_bank(company=company)
            assert account.code == code
            accounts[company_key, code] = account
    journals = {}
    for name, (company_key, lines) in JOURNALS.items():
        journal = ledger.journal_post(
            company=companies[company_key],
            idempotency_key=f"matrix-{name}",
            kind="manual",
            lines=[(accounts[company_key, c], Decimal(a)) for c, a in lines],
        )
        journals[name] = journal.pk
    return Books(journals, {})


def url_ids(objects: Objects) -> dict[str, str]:
    ids = {f"import_{u}": token for u, token in objects.imports.items()}
    for (company, plant), pk in objects.documents.items():
        if company == "tara":
            ids[f"doc_{plant}"] = str(pk)
    return ids


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Books]:
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, MEDIA_ROOT=media),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = build_world()
            org.staff_create(
                username="ho_bh",
                password=PASSWORD,
                first_name=EXTRA["ho_bh"],
                designation="ho_manager",
                scope=w.states["BH"],
                by=None,
            )
            org.staff_create(
                username="si_south",
                password=PASSWORD,
                first_name=EXTRA["si_south"],
                designation="state_incharge",
                scope=w.clusters["BH-SOUTH"],
                by=None,
            )
            assert w.customers["BHKATS"].user.username == CUSTOMER
            for company, ids in CUSTOMERS.items():
                for customer_id, plant in ids.items():
                    c = w.customers["other" if company == "other" else plant]
                    assert c.customer_id == customer_id
            objects = add_objects(w)
            build_control_meters(w)
            assert objects.prospects == {
                (c, p): ref for c, refs in PROSPECTS.items() for ref, p in refs.items()
            }
            assert objects.requests == {
                (c, p): n for c, numbers in REQUESTS.items() for n, p in numbers.items()
            }
            books = build_books(w)
            books.ids = url_ids(objects)
            yield books
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def books(matrix: Books, db: None) -> Iterator[Books]:
    cache.clear()  # throttle counters live in the cache
    yield matrix
    cache.clear()


def web_client(user: str) -> Client:
    client = Client()
    if user != ANON:
        client.force_login(User.objects.get(username=user))
    return client


def api_client(user: str) -> APIClient:
    client = APIClient()
    if user != ANON:
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=user))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def body_of(response: Any) -> str:
    if response.streaming:  # a KYC file
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode()


def check_no_leak(user: str, page: Page, body: str) -> None:
    leaked = sorted(m for m in hidden_markers(user, page) if m in body)
    assert not leaked, f"{user} sees out-of-scope {leaked} on {page.url}"


# --- the tests ---
@pytest.mark.parametrize(("user", "page"), cases([*BACKOFFICE, *FIELD, *SELFCARE]))
def test_web_page(books: Books, user: str, page: Page) -> None:
    status, location = expect(user, page)
    url = page.url.format(**books.ids) if "{" in page.url else page.url
    response = web_client(user).get(url)
    assert response.status_code == status, (user, url, response.status_code)
    if status == 302:
        assert response["Location"].startswith(location), response["Location"]
    if status == 200:
        check_no_leak(user, page, body_of(response))


@pytest.mark.parametrize(("user", "page"), cases(API))
def test_ledger_api(books: Books, user: str, page: Page) -> None:
    url = page.url.format(**books.journals) if page.journal else page.url
    status, _location = expect(user, page)
    response = api_client(user).get(url)
    assert response.status_code == status, (user, url, response.json())
    if status != 200:
        code = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}
        assert response.json()["code"] == code[status]
        return
    body = response.json()
    company = company_of(user)
    visible = {c for c in ACCOUNTS[company] if account_visible(user, company, c)}
    if page.url.endswith("accounts/"):
        assert {row["code"] for row in body["results"]} == visible
    elif page.account:
        assert body["account"]["code"] == page.account
        plant = ACCOUNTS[company][page.account]
        assert body["account"]["plant"] == plant
    else:
        assert body["id"] == books.journals[page.journal]
    hidden = {c for codes in ACCOUNTS.values() for c in codes} - visible
    text = response.content.decode()
    assert not [c for c in hidden if f'"{c}"' in text], text


# --- issue 5: receipts (docs/receipts.md) ---
# A payment writes ledger accounts, which the ledger pages above count, so the
# receipts are made in each test's savepoint: at tara's BHKATS and BHSIKA and
# at the other company's BHKATS, each its plant's first of the year, so that a
# number names a receipt in both companies, like a customer ID.
RECEIPT_PAYERS = {
    ("tara", "BHKATS00101"): "csa",
    ("tara", "BHSIKA00101"): "sika_csa",
    ("other", "BHKATS00101"): "other_admin",
}
RECEIPT_PAGES = [
    *[
        Page(f"/field/receipts/{{receipt_{p}}}{tail}", "field", A.PAYMENT_VIEW, node=p)
        for p in ("BHKATS", "BHSIKA")
        for tail in ("/", ".bin", ".png", ".pdf")
    ],
    *[
        Page(
            f"/selfcare/a/{c}/receipts/{{receipt_{c[:6]}}}{tail}",
            "selfcare",
            customer=c,
        )
        for c in ("BHKATS00101", "BHSIKA00101")
        for tail in ("/", ".png", ".pdf")
    ],
    # another customer's receipt under my own account's address
    Page(
        "/selfcare/a/BHKATS00101/receipts/{receipt_BHSIKA}/",
        "selfcare",
        customer="BHSIKA00101",
    ),
]


def make_receipts() -> tuple[dict[str, str], dict[str, str]]:
    """The receipts' numbers by plant (``receipt_BHKATS``) and their tokens."""
    import uuid

    from mcoms.customers.models import Customer
    from mcoms.payments.services import payment_take_cash

    numbers: dict[str, str] = {}
    tokens: dict[str, str] = {}
    for (company, customer_id), payer in RECEIPT_PAYERS.items():
        customer = Customer.objects.get(company__code=company, customer_id=customer_id)
        receipt = payment_take_cash(
            customer=customer,
            amount="10.00",
            by=User.objects.get(username=payer),
            client_key=str(uuid.uuid4()),
        ).payment.receipt
        key = f"receipt_{customer.plant.key}"
        if company == "tara":
            numbers[key] = receipt.number
            tokens[customer_id] = receipt.token
        else:
            assert receipt.number == numbers[key]  # the same number, theirs
    return numbers, tokens


@pytest.mark.parametrize(("user", "page"), cases(RECEIPT_PAGES))
def test_receipt_page(books: Books, user: str, page: Page) -> None:
    numbers, _tokens = make_receipts()
    status, location = expect(user, page)
    url = page.url.format(**numbers)
    response = web_client(user).get(url)
    assert response.status_code == status, (user, url, response.status_code)
    if status == 302:
        assert response["Location"].startswith(location), response["Location"]
    if status == 200 and response["Content-Type"].startswith("text/html"):
        check_no_leak(user, page, body_of(response))
    elif status == 200:
        assert response.content[:4] in (b"\x1b@\x1ba", b"\x89PNG", b"%PDF")


@pytest.mark.parametrize("user", USERS)
def test_the_receipt_check_is_public(books: Books, user: str) -> None:
    _numbers, tokens = make_receipts()
    client = web_client(user)
    for customer_id, token in tokens.items():
        response = client.get(f"/r/{token}")
        body = response.content.decode()
        assert response.status_code == 200 and 'data-verify="genuine"' in body
        assert customer_id not in body  # masked for everyone
        assert f"Customer {customer_id[:6]}" not in body
    assert client.get("/r/1.AAAAAAAAAAAAAAAA").status_code == 404


# Pages anyone may open: sign-in forms (a signed-in user of the app is sent on),
# the installable shells and the offline pages.
PUBLIC = [
    "/backoffice/login/",
    "/backoffice/sw.js",
    "/backoffice/manifest.webmanifest",
    "/field/login/",
    "/field/offline/",
    "/field/manifest.webmanifest",
    "/field/sw.js",
    "/selfcare/login/",
    "/selfcare/login/verify/",
    "/selfcare/offline/",
    "/selfcare/manifest.webmanifest",
    "/selfcare/sw.js",
]


def expect_public(user: str, url: str) -> tuple[int, str]:
    if url == "/backoffice/login/" and may(user, A.BACKOFFICE_USE):
        return 302, "/backoffice/"
    if url == "/field/login/" and may(user, A.FIELD_USE):
        return 302, "/field/"
    if url == "/selfcare/login/" and user == CUSTOMER:
        return 302, "/selfcare/"
    if url == "/selfcare/login/verify/":  # no mobile number in the session yet
        return 302, "/selfcare/login/"
    return 200, ""


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize("user", USERS)
def test_public_page(books: Books, user: str, url: str) -> None:
    status, location = expect_public(user, url)
    response = web_client(user).get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == location


# The customer app's connection request (issue 3): for anyone signed out and
# for customers, not for staff. With a fresh session the later steps send the
# visitor back to the start (no number proved yet); "for me" takes a
# signed-in customer to the form (their number is proved), anyone else back.
CONNECTION = "/selfcare/connection/"
CONNECTION_STEPS = {
    CONNECTION: ("", ""),
    CONNECTION + "me/": (CONNECTION, CONNECTION + "details/"),
    CONNECTION + "verify/": (CONNECTION, CONNECTION),
    CONNECTION + "details/": (CONNECTION, CONNECTION),
    CONNECTION + "done/": (CONNECTION, CONNECTION),
}


@pytest.mark.parametrize("url", CONNECTION_STEPS)
@pytest.mark.parametrize("user", USERS)
def test_connection_request_pages(books: Books, user: str, url: str) -> None:
    response = web_client(user).get(url)
    if user in STAFF:
        assert response.status_code == 403
        return
    to = CONNECTION_STEPS[url][user == CUSTOMER]
    if to:
        assert (response.status_code, response["Location"]) == (302, to)
        return
    assert response.status_code == 200
    if user == CUSTOMER:
        check_no_leak(user, Page(url, "selfcare"), body_of(response))


def test_the_derivation_matches_a_few_hand_checked_cases() -> None:
    """Spot checks of ``expect`` itself, so that a bug there cannot hide a leak."""
    plant = {p.url: p for p in PAGES}
    assert expect("ho_bh", plant["/backoffice/plants/UPGORA/"])[0] == 404
    assert expect("ho_bh", plant["/backoffice/plants/BHSIKA/edit/"])[0] == 200
    assert expect("ho_bh", plant["/backoffice/states/new/"])[0] == 403
    assert expect("si_south", plant["/backoffice/states/BH/"])[0] == 404
    assert expect("si_south", plant["/backoffice/clusters/BH-SOUTH/edit/"])[0] == 200
    assert expect("si_south", plant["/backoffice/staff/sika_csa/"])[0] == 200
    assert expect("si_south", plant["/backoffice/staff/state_incharge/"])[0] == 404
    assert (
        expect("cluster_incharge", plant["/backoffice/plants/BHKATS/edit/"])[0] == 403
    )
    assert expect("other_admin", plant["/backoffice/plants/BHKATS/"])[0] == 200
    assert expect("other_admin", plant["/backoffice/plants/BHSIKA/"])[0] == 404
    assert expect("csa", plant["/backoffice/"])[0] == 403
    assert expect("ho_manager", plant["/field/"])[0] == 403
    assert expect(CUSTOMER, plant["/selfcare/a/BHSIKA00101/profile/"])[0] == 404
    assert expect("admin", plant["/selfcare/"])[0] == 403
    assert expect("technician", plant[LEDGER + "accounts/"])[0] == 403
    assert expect("csa", plant[LEDGER + "accounts/CO:BANK/"])[0] == 404
    assert expect("state_incharge", plant[LEDGER + "journals/{kats_sika}/"])[0] == 200
    assert expect("cluster_incharge", plant[LEDGER + "journals/{kats_sika}/"])[0] == 404
    # issue 3
    doc = "/backoffice/acquisition/prospects/P-BHKATS-000001/documents/{doc_BHKATS}/"
    assert expect("other_admin", plant[doc])[0] == 404
    assert expect("cluster_incharge", plant[doc])[0] == 200
    assert expect("ho_bh", plant["/backoffice/imports/{import_admin}/"])[0] == 404
    assert expect("ho_manager", plant["/backoffice/imports/{import_ho_bh}/"])[0] == 200
    assert expect("ho_bh", plant["/backoffice/imports/{import_ho_bh}/"])[0] == 200
    assert expect("admin", plant["/backoffice/imports/{import_other_admin}/"])[0] == (
        404
    )
    assert expect("ho_bh", plant["/backoffice/packages/codes/types/new/"])[0] == 403
    assert expect("ho_manager", plant["/backoffice/acquisition/new/"])[0] == 403
    assert expect("csa", plant["/field/acquisition/new/?plant=BHSIKA"])[0] == 404
    assert expect("operator", plant["/field/consumers/BHKATS00101/edit/"])[0] == 403
    assert (
        expect(
            "other_admin", plant["/backoffice/acquisition/prospects/P-BHKATS-000001/"]
        )[0]
        == 200
    )


# Positive control: a list shows everything in the user's scope, so the markers
# above do name the objects (an empty page would pass the leak check).
def shown_on_list(user: str, url: str) -> set[str]:
    company = company_of(user)
    tree = TREES[company]
    if url == "/backoffice/plants/":
        return {k for k in tree if len(k) == 6 and covers(user, company, k)}
    if url == "/backoffice/clusters/":
        return {k for k in tree if "-" in k and covers(user, company, k)}
    if url == "/backoffice/staff/":
        return {
            f"/staff/{u}/"
            for u, (c, _d, scope) in STAFF.items()
            if c == company and covers(user, c, scope)
        }
    if url.endswith("acquisition/prospects/") or url == "/field/acquisition/":
        names = {"tara": "Prospect {}", "other": "Other prospect"}
        found = PROSPECTS[company].values()
    else:
        assert url.endswith(("/field/consumers/", "/backoffice/customers/"))
        names = {"tara": "Customer {}", "other": "Other customer"}
        found = CUSTOMERS[company].values()
    return {
        names[company].format(plant) for plant in found if covers(user, company, plant)
    }


LISTS = ["/backoffice/plants/", "/backoffice/clusters/", "/backoffice/staff/"]
LISTS += ["/field/consumers/", "/backoffice/customers/"]
LISTS += ["/backoffice/acquisition/prospects/", "/field/acquisition/"]


LIST_CASES = [
    (user, page.url)
    for page in PAGES
    if page.url in LISTS
    for user in STAFF
    if expect(user, page)[0] == 200
]


@pytest.mark.parametrize(("user", "url"), LIST_CASES)
def test_lists_show_the_whole_scope(books: Books, user: str, url: str) -> None:
    body = web_client(user).get(url).content.decode()
    missing = sorted(m for m in shown_on_list(user, url) if m not in body)
    assert not missing
