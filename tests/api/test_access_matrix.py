"""The access matrix: every designation, the outsiders and a customer, over every
endpoint. Each user sees exactly its scope, gets 403 for actions its designation
lacks and 404 for objects outside its scope; anonymous requests get 401.

The world is built once for the module; each test runs in a savepoint that is
rolled back, so writes do not leak between tests.

Issue 3's endpoints (packages and code tables, prospects and their steps,
meters, status requests and flags, CSV imports, a customer's history and
profile changes, the connection request) are here too, over the objects of
tests/matrix_objects.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from mcoms.metering.models import MeterCommand
from mcoms.metering.tests.control_kit import build_control_meters
from tests.builders import World, build_world
from tests.matrix_objects import PACKAGE, add_objects

CUSTOMER = "c+919800000001"  # the sign-in user of customer BHKATS00101
FIELD = ["operator", "technician", "csa"]
USERS = [
    *FIELD,
    "cluster_incharge",
    "state_incharge",
    "ho_manager",
    "admin",
    "sika_csa",
    "other_admin",
    CUSTOMER,
]
COMPANY = {"ho_manager", "admin"}
STRUCTURE = {"state_incharge", *COMPANY}  # may edit states, clusters, plants
NETWORK = {"cluster_incharge", *STRUCTURE}  # may edit feeders and poles
STAFF_VIEW = {"cluster_incharge", "state_incharge", *COMPANY, "other_admin"}
TARA_STAFF = frozenset(
    {*FIELD, "cluster_incharge", "state_incharge", *COMPANY, "sika_csa"}
)

PLANTS = {
    **dict.fromkeys(COMPANY, frozenset({"BHKATS", "BHMADH", "BHSIKA", "UPGORA"})),
    "state_incharge": {"BHKATS", "BHMADH", "BHSIKA"},
    "cluster_incharge": {"BHKATS", "BHMADH"},
    **dict.fromkeys(FIELD, frozenset({"BHKATS"})),
    "sika_csa": {"BHSIKA"},
    "other_admin": {"BHKATS"},  # their own plant, which reuses our codes
}
# Expected list contents: a set of keys, or the refusal status.
SEES: dict[str, dict[str, set[Any] | int]] = {
    "states": {
        **dict.fromkeys(COMPANY, frozenset({"BH", "UP"})),
        "state_incharge": {"BH"},
        **dict.fromkeys(["cluster_incharge", *FIELD, "sika_csa"], frozenset()),
        "other_admin": {"BH"},
    },
    "clusters": {
        **dict.fromkeys(COMPANY, frozenset({"BH-NORTH", "BH-SOUTH", "UP-EAST"})),
        "state_incharge": {"BH-NORTH", "BH-SOUTH"},
        "cluster_incharge": {"BH-NORTH"},
        **dict.fromkeys([*FIELD, "sika_csa"], frozenset()),
        "other_admin": {"BH-ONE"},
    },
    "plants": dict(PLANTS),
    "staff": {
        **dict.fromkeys(COMPANY, frozenset(TARA_STAFF)),
        "state_incharge": TARA_STAFF - COMPANY,
        "cluster_incharge": {*FIELD, "cluster_incharge"},
        "other_admin": {"other_admin"},
    },
    "customers": {
        **dict.fromkeys(
            COMPANY, frozenset({"BHKATS00101", "BHSIKA00101", "UPGORA00101"})
        ),
        "state_incharge": {"BHKATS00101", "BHSIKA00101"},
        **dict.fromkeys(["cluster_incharge", *FIELD], frozenset({"BHKATS00101"})),
        "sika_csa": {"BHSIKA00101"},
        "other_admin": {"BHKATS00101"},  # their own customer, same ID
        CUSTOMER: {"BHKATS00101"},
    },
}
for kind in ("states", "clusters", "plants", "staff"):
    SEES[kind].setdefault(CUSTOMER, 403)
for user in USERS:
    SEES["staff"].setdefault(user, 403)
    SEES["feeders"] = SEES.get("feeders", {})
    SEES["poles"] = SEES.get("poles", {})
    visible = user in PLANTS and "BHKATS" in PLANTS[user]
    SEES["feeders"][user] = (
        {"F1", "F2"} if visible else (403 if user == CUSTOMER else 404)
    )
    SEES["poles"][user] = {1, 2, 3} if visible else (403 if user == CUSTOMER else 404)

# --- issue 3 ---
OURS = ("BHKATS", "BHSIKA", "UPGORA")  # the plants with issue 3's objects
STAFF_USERS = [u for u in USERS if u != CUSTOMER]


def per_plant(name: str, extra: dict[str, set[str]] | None = None) -> dict:
    """For each staff member, ``name`` formatted with each plant of their scope
    that holds the objects; customers 403."""
    out: dict[str, Any] = {
        u: {name.format(p) for p in PLANTS[u] if p in OURS} for u in STAFF_USERS
    }
    for user, more in (extra or {}).items():
        out[user] = out[user] | more
    out[CUSTOMER] = 403
    return out


SEES["prospects"] = per_plant("P-{}-000001")
SEES["packages"] = per_plant("{}")
SEES["meters"] = per_plant("M-{}", {u: {"M-STORE"} for u in COMPANY})
SEES["meters"]["other_admin"] = {"M-OTHER"}
SEES["requests"] = per_plant("{}-00001")
SEES["flagged"] = {**SEES["customers"], CUSTOMER: 403}
SEES["documents"] = {**per_plant("{}"), "other_admin": set()}  # tara's files
SEES["imports"] = {  # by uploader; company-wide importers see the company's
    **dict.fromkeys(USERS, 403),
    **{u: {"admin"} for u in COMPANY},
    "other_admin": {"other_admin"},
}
SEES["codes"] = {**{u: {"A1.1", "NN"} for u in STAFF_USERS}, CUSTOMER: 403}
# Runtime ids in URLs and lists (``{doc_BHKATS}``, import tokens by uploader),
# filled in by the ``matrix_world`` fixture.
IDS: dict[str, str] = {}
IMPORTERS = ("admin", "other_admin")

LISTS = {
    "states": ("/api/v1/states/", "code"),
    "clusters": ("/api/v1/clusters/", "key"),
    "plants": ("/api/v1/plants/", "key"),
    "feeders": ("/api/v1/plants/BHKATS/feeders/", "code"),
    "poles": ("/api/v1/plants/BHKATS/poles/", "number"),
    "staff": ("/api/v1/staff/", "username"),
    "customers": ("/api/v1/customers/", "customer_id"),
    "prospects": ("/api/v1/prospects/", "ref"),
    "packages": ("/api/v1/packages/", "plant"),
    "meters": ("/api/v1/meters/", "serial"),
    "requests": ("/api/v1/requests/", "number"),
    "flagged": ("/api/v1/flagged-customers/", "customer_id"),
    "imports": ("/api/v1/imports/", "token"),
}
# Our objects, by detail URL, with the list that says who may see them.
DETAILS: list[tuple[str, str, Any]] = [
    *[("states", f"/api/v1/states/{k}/", k) for k in ("BH", "UP")],
    *[("clusters", f"/api/v1/clusters/{k}/", k) for k in SEES["clusters"]["admin"]],
    *[("plants", f"/api/v1/plants/{k}/", k) for k in PLANTS["admin"]],
    *[("plants", f"/api/v1/plants/{k}/feeders/F1/", k) for k in PLANTS["admin"]],
    *[("plants", f"/api/v1/plants/{k}/poles/1/", k) for k in PLANTS["admin"]],
    *[("staff", f"/api/v1/staff/{k}/", k) for k in sorted(TARA_STAFF)],
    *[("customers", f"/api/v1/customers/{k}/", k) for k in SEES["customers"]["admin"]],
    *[
        ("customers", f"/api/v1/customers/{k}/{rest}/", k)
        for k in SEES["customers"]["admin"]
        for rest in ("history", "profile-changes")
    ],
    *[("prospects", f"/api/v1/prospects/P-{p}-000001/", f"P-{p}-000001") for p in OURS],
    *[
        ("documents", f"/api/v1/prospects/P-{p}-000001/kyc/documents/{{doc_{p}}}/", p)
        for p in OURS
    ],
    *[("packages", f"/api/v1/packages/{p}/{PACKAGE}/v1/", p) for p in OURS],
    *[("meters", f"/api/v1/meters/M-{k}/", f"M-{k}") for k in [*OURS]],
    ("meters", "/api/v1/meters/M-STORE/", "M-STORE"),
    *[("requests", f"/api/v1/requests/{p}-00001/", f"{p}-00001") for p in OURS],
    *[
        ("requests", f"/api/v1/requests/{p}-00001/assignees/", f"{p}-00001")
        for p in OURS
    ],
    *[("imports", "/api/v1/imports/{import_" + u + "}/", u) for u in IMPORTERS],
    ("codes", "/api/v1/package-types/A1.1/", "A1.1"),
    ("codes", "/api/v1/timing-codes/NN/", "NN"),
]


def allowed(ok: int, who: set[str], out_of_scope: set[str] = frozenset()) -> dict:
    """Status per user: ``ok`` for ``who``, 404 outside scope, 403 otherwise."""
    return {
        u: ok if u in who else 404 if u in out_of_scope | {"other_admin"} else 403
        for u in USERS
    }


NEW_STAFF = {"username": "new", "first_name": "N", "designation": "csa"}
WRITES: list[tuple[str, str, dict, dict[str, int]]] = [
    (
        "post",
        "/api/v1/states/",
        {"code": "MP", "name": "M"},
        allowed(201, {*COMPANY, "other_admin"}),  # their own company
    ),
    ("patch", "/api/v1/states/UP/", {"name": "U"}, allowed(200, COMPANY, STRUCTURE)),
    (
        "post",
        "/api/v1/clusters/",
        {"state": "UP", "code": "WEST", "name": "W"},
        allowed(201, COMPANY, STRUCTURE),
    ),
    ("patch", "/api/v1/clusters/BH-SOUTH/", {"name": "S"}, allowed(200, STRUCTURE)),
    (
        "post",
        "/api/v1/plants/",
        {"cluster": "BH-SOUTH", "code": "NEWP", "name": "N", "capacity_kwp": "5"},
        allowed(201, STRUCTURE),
    ),
    ("patch", "/api/v1/plants/BHMADH/", {"village": "V"}, allowed(200, STRUCTURE)),
    ("post", "/api/v1/plants/BHMADH/feeders/", {"code": "F9"}, allowed(201, NETWORK)),
    (
        "patch",
        "/api/v1/plants/BHMADH/feeders/F1/",
        {"name": "N"},
        allowed(200, NETWORK),
    ),
    (
        "post",
        "/api/v1/plants/BHMADH/poles/",
        {"feeder": "F1", "number": 50},
        allowed(201, NETWORK),
    ),
    (
        "patch",
        "/api/v1/plants/BHMADH/poles/1/",
        {"latitude": "25.5"},
        allowed(200, NETWORK),
    ),
    (
        "post",
        "/api/v1/plants/UPGORA/feeders/",
        {"code": "F9"},
        allowed(201, COMPANY, NETWORK),
    ),
    (
        "post",
        "/api/v1/staff/",
        {**NEW_STAFF, "scope": {"level": "plant", "key": "BHMADH"}},
        allowed(201, COMPANY),
    ),
    ("patch", "/api/v1/staff/operator/", {"first_name": "X"}, allowed(200, COMPANY)),
]


# Issue 3's writes, sent with an Idempotency-Key. A status per user; ``codes``
# the body's code by status (or by user) where it is not the plain 403/404:
# refusals that are not about access (the step's turn, an open request, a
# meter of another company) prove that the access passed.
def statuses(ok: int, who: set[str], out_of_scope: set[str], **more: int) -> dict:
    """``ok`` for ``who``, 404 for ``out_of_scope``, ``more`` as given, 403
    for everyone else."""
    out = dict.fromkeys(USERS, 403) | dict.fromkeys(out_of_scope, 404)
    return out | dict.fromkeys(who, ok) | more


AW_KATS = {"operator", "technician", "csa"}  # acquisition.work at BHKATS only
SIKA = "/api/v1/prospects/P-BHSIKA-000001/"
PACKAGE_SIKA = f"/api/v1/packages/BHSIKA/{PACKAGE}/v1/"
WRITES_3: list[tuple[str, dict[str, Any], dict[str, int], dict[Any, str]]] = [
    (
        "/api/v1/prospects/",
        {"plant": "BHMADH", "name": "N", "phone": "+919876509999", "pole": 1}
        | {"distance_m": "10"},
        statuses(
            201,
            {"cluster_incharge", "state_incharge", "admin"},
            {*AW_KATS, "sika_csa", "other_admin"},
        ),
        {},
    ),
    (
        SIKA + "kyc/",
        {"id_type": "voter_id", "id_number": "ABC1234567"}
        | {"commitments_acknowledged": True},
        statuses(
            200,
            {"state_incharge", "admin", "sika_csa"},
            {*AW_KATS, "cluster_incharge", "other_admin"},
        ),
        {},
    ),
    (
        "/api/v1/prospects/P-BHKATS-000001/meter/",
        {"meter": "M-BHKATS"},
        statuses(
            409,
            {"technician", "cluster_incharge", "state_incharge", "admin"},
            set(),
            other_admin=400,  # their own P-BHKATS-000001; M-BHKATS is not theirs
        ),
        {409: "stage_wrong_order", 400: "meter_not_in_stock"},
    ),
    (
        "/api/v1/prospects/P-UPGORA-000001/reject/",
        {"reason": "moved away"},
        statuses(
            200,
            {"admin"},
            {*AW_KATS, "cluster_incharge", "state_incharge", "sika_csa", "other_admin"},
        ),
        {},
    ),
    (
        "/api/v1/packages/",
        {"type_code": "A1.1", "timing_code": "NN", "load_w": 30}
        | {"prepaid_amount": "160", "prepaid_period_days": 30, "plant": "BHSIKA"}
        | {"deposit_amount": "100"},
        statuses(201, COMPANY, {"other_admin"}),
        {},
    ),
    (PACKAGE_SIKA + "withdraw/", {}, statuses(200, COMPANY, {"other_admin"}), {}),
    (
        "/api/v1/package-types/",
        {"code": "A2.1", "label": "Shop", "billing_type": "prepaid"},
        statuses(201, {*COMPANY, "other_admin"}, set()),
        {},
    ),
    (
        "/api/v1/meters/",
        {"serial": "NEW-1", "kind": "load_limiter", "plant": "BHMADH"},
        statuses(201, {"cluster_incharge", *STRUCTURE}, {"technician", "other_admin"}),
        {},
    ),
    (
        "/api/v1/meters/M-BHSIKA/move/",
        {"plant": "BHMADH"},
        statuses(200, STRUCTURE, {"technician", "cluster_incharge", "other_admin"}),
        {},
    ),
    (
        "/api/v1/requests/",
        {"kind": "deactivation", "plant": "BHSIKA", "customer": "BHSIKA00101"}
        | {"payload": {"reason": "non_payment"}},
        statuses(
            409,
            {"state_incharge", *COMPANY, "sika_csa"},
            {*FIELD, "cluster_incharge", "other_admin"},
        ),
        {409: "request_already_open"},
    ),
    (
        "/api/v1/requests/BHSIKA-00001/approve/",
        {},
        statuses(
            200,
            {"state_incharge", *COMPANY},
            {*FIELD, "cluster_incharge", "other_admin"},
        ),
        {"sika_csa": "designation_not_allowed"},  # sees it, may not approve
    ),
    (
        "/api/v1/customers/BHSIKA00101/profile-changes/",
        {"address": "Ward 9"},
        statuses(
            201,
            {"state_incharge", *COMPANY, "sika_csa"},
            {"technician", "csa", "cluster_incharge", "other_admin", CUSTOMER},
        ),
        {},
    ),
]


@pytest.mark.parametrize(("url", "body", "expected", "codes"), WRITES_3)
@pytest.mark.parametrize("user", USERS)
def test_issue3_writes_need_the_designation_and_the_scope(
    as_user: Any, user: str, url: str, body: dict, expected: dict, codes: dict
) -> None:
    response = as_user(user).post(
        url, body, format="json", headers={"Idempotency-Key": f"matrix-{user}"}
    )
    assert response.status_code == expected[user], response.json()
    want = {403: "permission_denied", 404: "not_found"} | codes
    code = codes.get(user) or want.get(expected[user])
    if code:
        assert response.json()["code"] == code


# Reads that are the same for every member of staff (no scope in them), the
# customer's own connection requests, and the public plant list.
EVERY_STAFF = {**dict.fromkeys(STAFF_USERS, 200), CUSTOMER: 403}
READS_3 = [
    ("/api/v1/prospects/board/", EVERY_STAFF),
    ("/api/v1/requests/kinds/", EVERY_STAFF),
    ("/api/v1/package-types/", EVERY_STAFF),
    ("/api/v1/timing-codes/", EVERY_STAFF),
    (
        "/api/v1/connection-requests/",
        {**dict.fromkeys(STAFF_USERS, 403), CUSTOMER: 200},
    ),
    ("/api/v1/connection-requests/plants/?company=tara", dict.fromkeys(USERS, 200)),
]


@pytest.mark.parametrize(("url", "expected"), READS_3)
@pytest.mark.parametrize("user", USERS)
def test_issue3_reads(as_user: Any, user: str, url: str, expected: dict) -> None:
    response = as_user(user).get(url)
    assert response.status_code == expected[user], response.json()


@pytest.fixture(scope="module")
def matrix_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[World]:
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, MEDIA_ROOT=media),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            objects = add_objects(world)
            IDS.clear()
            IDS.update({f"import_{u}": t for u, t in objects.imports.items()})
            docs = objects.documents.items()
            IDS.update({f"doc_{p}": str(pk) for (c, p), pk in docs if c == "tara"})
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def as_user(matrix_world: World, db: None, client_for: Any) -> Any:
    return client_for


def resolved(kind: str, expected: set[Any]) -> set[Any]:
    """Imports are named by their uploader; the API shows their tokens."""
    if kind == "imports":
        return {IDS[f"import_{u}"] for u in expected}
    return expected


def filled(url: str) -> str:
    return url.format(**IDS) if "{" in url else url


def keys(response: Any, field: str) -> set[Any]:
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["results"])
    return {row[field] for row in body["results"]}


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("user", USERS)
def test_each_user_lists_exactly_its_scope(as_user: Any, user: str, kind: str) -> None:
    url, field = LISTS[kind]
    expected = SEES[kind][user]
    response = as_user(user).get(url)
    if isinstance(expected, int):
        assert response.status_code == expected
        assert (
            response.json()["code"]
            == {403: "permission_denied", 404: "not_found"}[expected]
        )
    else:
        assert keys(response, field) == resolved(kind, expected)


@pytest.mark.parametrize(("kind", "url", "key"), DETAILS)
@pytest.mark.parametrize("user", USERS)
def test_each_object_is_seen_only_in_scope(
    as_user: Any, user: str, kind: str, url: str, key: str
) -> None:
    expected = SEES[kind][user]
    response = as_user(user).get(filled(url))
    if isinstance(expected, int):
        assert response.status_code == expected
    elif key in expected:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("method", "url", "body", "statuses"), WRITES)
@pytest.mark.parametrize("user", USERS)
def test_each_write_needs_the_designation_and_the_scope(
    as_user: Any, user: str, method: str, url: str, body: dict, statuses: dict
) -> None:
    response = getattr(as_user(user), method)(url, body)
    assert response.status_code == statuses[user], response.json()
    if statuses[user] >= 400:
        code = {403: "permission_denied", 404: "not_found"}[statuses[user]]
        assert response.json()["code"] == code


def test_the_other_companys_admin_sees_only_their_own(as_user: Any) -> None:
    client = as_user("other_admin")
    plants = client.get("/api/v1/plants/").json()["results"]
    assert [p["cluster"] for p in plants] == ["BH-ONE"]
    customers = client.get("/api/v1/customers/").json()["results"]
    assert [c["name"] for c in customers] == ["Other customer"]
    assert client.get("/api/v1/plants/BHKATS/").json()["cluster"] == "BH-ONE"
    assert client.get("/api/v1/customers/?q=Customer BH").json()["count"] == 0


KATS = "/api/v1/prospects/P-BHKATS-000001/"
STEPS = ["survey", "marketing", "acquire", "kyc", "kyc/documents", "package"]
STEPS += ["account", "meter", "connection-steps", "install", "activate"]
STEPS += ["reject", "reopen"]
CHANGE = "/api/v1/customers/BHKATS00101/profile-changes/1/"
POSTS_3 = [
    *[KATS + f"{step}/" for step in STEPS],
    "/api/v1/prospects/instant/",
    *[PACKAGE_SIKA + f"{act}/" for act in ("revise", "withdraw", "offer")],
    *[f"/api/v1/requests/BHSIKA-00001/{act}/" for act in ("assign", "reject")],
    *[f"/api/v1/requests/BHSIKA-00001/{act}/" for act in ("execute", "complete")],
    "/api/v1/imports/",
    "/api/v1/imports/{import_admin}/commit/",
    *[CHANGE + f"{act}/" for act in ("confirm", "cancel", "resend")],
]
ALL_URLS = sorted(
    {(("get", url)) for url, _ in LISTS.values()}
    | {("get", url) for _, url, _ in DETAILS}
    | {(method, url) for method, url, _, _ in WRITES}
    | {("get", "/api/v1/me/"), ("post", "/api/v1/auth/logout/")}
    | {("post", url) for url, _, _, _ in WRITES_3}
    | {("post", url) for url in POSTS_3}
    | {("get", url) for url, expected in READS_3 if expected[CUSTOMER] != 200}
    | {("get", "/api/v1/connection-requests/"), ("get", CHANGE)}
)


@pytest.mark.parametrize(("method", "url"), ALL_URLS)
def test_anonymous_requests_get_401(
    matrix_world: World, db: None, method: str, url: str
) -> None:
    response = getattr(APIClient(), method)(filled(url), {})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- a customer's money and bill PDFs (docs/billing-documents.md) ---
MONEY_CUSTOMERS = {
    "BHKATS00101": "BHKATS",
    "BHSIKA00101": "BHSIKA",
    "UPGORA00101": "UPGORA",
}
REFUSAL_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def money_status(user: str, customer_id: str) -> int:
    """``billing.view`` (CSA and the managers) over the customer's plant; a
    customer their own account; other_admin their own BHKATS00101."""
    if user in (CUSTOMER, "other_admin"):
        return 200 if customer_id == "BHKATS00101" else 404
    if user in ("operator", "technician"):
        return 403
    return 200 if MONEY_CUSTOMERS[customer_id] in PLANTS[user] else 404


@pytest.mark.parametrize("what", ["payable", "statement"])
@pytest.mark.parametrize("customer_id", MONEY_CUSTOMERS)
@pytest.mark.parametrize("user", USERS)
def test_a_customers_money_is_seen_only_in_scope(
    as_user: Any, user: str, customer_id: str, what: str
) -> None:
    response = as_user(user).get(f"/api/v1/customers/{customer_id}/{what}/")
    expected = money_status(user, customer_id)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["customer"] == customer_id
    else:
        assert response.json()["code"] == REFUSAL_CODES[expected]


@pytest.mark.parametrize("customer_id", MONEY_CUSTOMERS)
@pytest.mark.parametrize("user", [*USERS, "anonymous"])
def test_a_bill_pdf_is_seen_only_in_scope(
    as_user: Any, matrix_world: World, user: str, customer_id: str
) -> None:
    from mcoms.customers.models import Customer
    from tests.bill_kit import make_bill, month

    customer = Customer.objects.get(
        company=matrix_world.company, customer_id=customer_id
    )
    bill = make_bill(customer, month(2026, 4), {"CHG": "10.00"})
    client = APIClient() if user == "anonymous" else as_user(user)
    response = client.get(f"/api/v1/billing/bills/{bill.number}/pdf/", {"lang": "en"})
    if user == "anonymous":
        expected = 401
    elif user == "other_admin":
        expected = 404  # not a bill of their company, whatever its number
    else:
        expected = money_status(user, customer_id)
    assert response.status_code == expected
    if expected == 200:
        assert response.content.startswith(b"%PDF-")
    else:
        assert response.json()["code"] == REFUSAL_CODES[expected]


# --- meter control (docs/metering.md, "Control and tokens") ---
# Meters SM-BHKATS, SM-BHSIKA, SM-UPGORA (and the other company's own
# SM-BHKATS) are made in each test's savepoint; the command has its key.
GROUP = {"cluster_incharge", "state_incharge", "admin"}
TOKENS = {"csa", "sika_csa", "cluster_incharge", "state_incharge", "admin"}
CONTROL: list[tuple[str, str, dict, dict[str, int]]] = [
    (
        "post",
        "/api/v1/meter-commands/",
        {"target": "meter", "meter": "SM-BHKATS", "action": "off"},
        {**allowed(201, {"technician", *GROUP}), "other_admin": 201},
    ),
    (
        "post",
        "/api/v1/meter-commands/",
        {
            "target": "meter",
            "meter": "SM-BHKATS",
            "action": "set_limit",
            "params": {"limit_w": 60},
        },
        {**allowed(201, GROUP), "other_admin": 201},
    ),
    (
        "post",
        "/api/v1/meter-commands/",
        {"target": "plant", "plant": "BHKATS", "action": "off"},
        {**allowed(201, GROUP), "other_admin": 201},  # their own BHKATS
    ),
    (
        "post",
        "/api/v1/meter-commands/",
        {"target": "feeder", "plant": "BHSIKA", "feeder": "F1", "action": "auto"},
        allowed(201, {"state_incharge", "admin"}, {"cluster_incharge"}),
    ),
    (
        "post",
        "/api/v1/meter-commands/",
        {"target": "plant", "plant": "UPGORA", "action": "on"},
        allowed(201, {"admin"}, {"cluster_incharge", "state_incharge"}),
    ),
    (
        "get",
        "/api/v1/meters/SM-BHSIKA/control/",
        {},
        allowed(200, {"state_incharge", *COMPANY, "sika_csa"}, TARA_STAFF),
    ),
    (
        "get",
        "/api/v1/meters/SM-BHKATS/tokens/",
        {},
        {**allowed(200, TOKENS - {"sika_csa"}, {"sika_csa"}), "other_admin": 200},
    ),
]


@pytest.mark.parametrize(("method", "url", "body", "statuses"), CONTROL)
@pytest.mark.parametrize("user", USERS)
def test_meter_control_needs_the_designation_and_the_scope(
    matrix_world: World,
    as_user: Any,
    user: str,
    method: str,
    url: str,
    body: dict,
    statuses: dict,
) -> None:
    build_control_meters(matrix_world)
    client = as_user(user)
    if method == "post":
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    else:
        response = client.get(url)
    assert response.status_code == statuses[user], response.json()
    if statuses[user] >= 400:
        code = {403: "permission_denied", 404: "not_found"}[statuses[user]]
        assert response.json()["code"] == code
    if method == "post":
        assert MeterCommand.objects.exists() is (statuses[user] == 201)


# --- Change Meter and Unreleased Meter (docs/metering.md) ---
# Load limiters MW-BHKATS and MW-BHSIKA installed for the plants' customers,
# a new one in each plant's stock and (for the release steps) a release of
# each, BHKATS's assigned to the technician; made in each test's savepoint.
AT_KATS = {*FIELD, "cluster_incharge", "state_incharge", *COMPANY}  # cover BHKATS
CHANGERS = {"cluster_incharge", "admin"}  # meter.change
METER_WORK: list[tuple[str, str, dict, dict[str, int]]] = [
    (
        "get",
        "/api/v1/meters/changes/options/?customer=BHKATS00101",
        {},
        {**allowed(200, CHANGERS), "other_admin": 200},  # their own customer
    ),
    (
        "post",
        "/api/v1/meters/changes/",
        {"customer": "BHKATS00101", "old_meter": "MW-BHKATS"}
        | {"new_meter": "MW-BHKATS-NEW", "reason": "faulty"},
        allowed(201, CHANGERS),
    ),
    (
        "post",
        "/api/v1/meters/MW-BHKATS/release/",
        {"reason": "malfunction"},
        allowed(201, AT_KATS, {"sika_csa"}),
    ),
    (
        "post",
        "/api/v1/meters/releases/{BHKATS}/execute/",
        {"destination": "plant"},
        allowed(200, {"technician"}, {"sika_csa"}),  # the assignee only
    ),
    (
        "get",
        "/api/v1/meters/releases/summary/",
        {},
        {**allowed(200, {*AT_KATS, "sika_csa"}), "other_admin": 200},
    ),
]


@pytest.mark.parametrize(("method", "url", "body", "statuses"), METER_WORK)
@pytest.mark.parametrize("user", USERS)
def test_meter_work_needs_the_designation_and_the_scope(
    matrix_world: World,
    as_user: Any,
    user: str,
    method: str,
    url: str,
    body: dict,
    statuses: dict,
) -> None:
    from mcoms.metering.tests.change_kit import build_meter_work

    numbers = build_meter_work(matrix_world, release="{" in url)
    client = as_user(user)
    if method == "post":
        response = client.post(
            url.format(**numbers), body, format="json", HTTP_IDEMPOTENCY_KEY="mw"
        )
    else:
        response = client.get(url)
    assert response.status_code == statuses[user], response.json()
    if statuses[user] >= 400:
        code = {403: "permission_denied", 404: "not_found"}[statuses[user]]
        if user in {"csa", "cluster_incharge", "admin"} and "execute" in url:
            code = "request_not_assignee"  # they execute, but not this one
        elif user in {"operator", "state_incharge", "ho_manager"} and (
            "execute" in url
        ):
            code = "designation_not_allowed"
        assert response.json()["code"] == code


@pytest.mark.parametrize("user", USERS)
def test_meter_releases_list_exactly_the_scope(
    matrix_world: World, as_user: Any, user: str
) -> None:
    from mcoms.metering.tests.change_kit import build_meter_work

    numbers = build_meter_work(matrix_world, release=True)
    response = as_user(user).get("/api/v1/meters/releases/")
    if user == CUSTOMER:
        assert response.status_code == 403
        return
    rows = response.json()["results"]
    mine = set() if user == "other_admin" else PLANTS[user]
    assert {r["number"] for r in rows} == {
        n for plant, n in numbers.items() if plant in mine
    }


METER_WORK_URLS = [
    ("get", "/api/v1/meters/changes/options/?customer=BHKATS00101"),
    ("post", "/api/v1/meters/changes/"),
    ("post", "/api/v1/meters/M-1/release/"),
    ("get", "/api/v1/meters/releases/"),
    ("get", "/api/v1/meters/releases/summary/"),
    ("post", "/api/v1/meters/releases/BHKATS-00001/execute/"),
]


@pytest.mark.parametrize(("method", "url"), METER_WORK_URLS)
def test_meter_work_needs_a_sign_in(
    matrix_world: World, db: None, method: str, url: str
) -> None:
    response = getattr(APIClient(), method)(url, {})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- meter readings (docs/metering.md, "Readings") ---
READING_ENTER = {"technician", "csa", "cluster_incharge", "state_incharge", "admin"}
READING_REVIEW = {"cluster_incharge", "state_incharge", "admin"}
READING_IMPORT = {"cluster_incharge", "state_incharge", *COMPANY}
STAFF_USERS = set(USERS) - {CUSTOMER}


def reading_status(ok: int, who: set[str], plant: str | None = None) -> dict:
    """``ok`` for the designations in ``who`` whose scope holds ``plant``
    (any scope when None), 404 for those outside it, 403 for the others."""
    out = {}
    for u in USERS:
        if u not in who:
            out[u] = 403
        elif plant is None or plant in PLANTS.get(u, ()):
            out[u] = ok
        else:
            out[u] = 404
    return out


def _ledger(customer_id: str) -> dict:
    sees = SEES["customers"]
    return {
        u: 200 if customer_id in sees[u] else 404  # type: ignore[operator]
        for u in USERS
    }


# (method, url, body, status per user); POSTs carry an Idempotency-Key.
READINGS: list[tuple[str, str, dict, dict[str, int]]] = [
    ("get", "/api/v1/readings/", {}, reading_status(200, STAFF_USERS)),
    ("get", "/api/v1/readings/999999/", {}, reading_status(404, STAFF_USERS)),
    (
        "post",
        "/api/v1/readings/",
        {"meter": "NO-SUCH", "value": "1"},
        reading_status(404, READING_ENTER | {"sika_csa", "other_admin"}),
    ),
    (
        "get",
        "/api/v1/readings/due/?plant=BHMADH",
        {},
        reading_status(200, READING_ENTER | {"sika_csa", "other_admin"}, "BHMADH"),
    ),
    ("get", "/api/v1/readings/ledger/BHSIKA00101/", {}, _ledger("BHSIKA00101")),
    ("get", "/api/v1/readings/ledger/BHKATS00101/", {}, _ledger("BHKATS00101")),
    (
        "post",
        "/api/v1/readings/999999/approve/",
        {},
        reading_status(404, READING_REVIEW | {"other_admin"}),
    ),
    (
        "post",
        "/api/v1/readings/intervals/",
        {"readings": []},
        reading_status(201, READING_IMPORT | {"other_admin"}),
    ),
    (
        "get",
        "/api/v1/readings/batches/",
        {},
        reading_status(200, READING_IMPORT | {"other_admin"}),
    ),
]


@pytest.mark.parametrize(("method", "url", "body", "statuses"), READINGS)
@pytest.mark.parametrize("user", USERS)
def test_each_readings_endpoint_needs_the_designation_and_the_scope(
    as_user: Any, user: str, method: str, url: str, body: dict, statuses: dict
) -> None:
    client = as_user(user)
    if method == "post":
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    else:
        response = client.get(url)
    assert response.status_code == statuses[user], response.json()
    if statuses[user] in REFUSAL_CODES:
        assert response.json()["code"] == REFUSAL_CODES[statuses[user]]


@pytest.mark.parametrize(("method", "url"), [(m, u) for m, u, _, _ in READINGS])
def test_readings_need_a_sign_in(
    matrix_world: World, db: None, method: str, url: str
) -> None:
    response = getattr(APIClient(), method)(url, {})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- receipts (docs/receipts.md) ---
# The payment is made in each test's savepoint (it writes ledger accounts and
# journals); its receipt is then asked for by every user. ``payment.view``
# reads it (CSA and the managers), ``payment.take`` sends its SMS; customers
# read their own; the public check answers everyone.
RECEIPT_READS = ["", "escpos/", "pdf/", "sms/"]


def receipt_status(user: str, customer_id: str, action: str = "payment.view") -> int:
    from mcoms.org.permissions import Action, allowed

    if user == "anonymous":
        return 401
    if user == CUSTOMER:
        if action != "payment.view":
            return 403
        return 200 if customer_id == "BHKATS00101" else 404
    if user == "other_admin":
        return 404  # not a receipt of their company, whatever its number
    designation = "csa" if user == "sika_csa" else user
    if not allowed(designation, Action(action)):
        return 403
    return 200 if MONEY_CUSTOMERS[customer_id] in PLANTS[user] else 404


def make_receipt(world: World, customer_id: str) -> Any:
    import uuid

    from mcoms.customers.models import Customer
    from mcoms.payments.services import payment_take_cash

    customer = Customer.objects.get(company=world.company, customer_id=customer_id)
    return payment_take_cash(
        customer=customer,
        amount="10.00",
        by=world.user("admin"),
        client_key=str(uuid.uuid4()),
    ).payment.receipt


@pytest.mark.parametrize("customer_id", MONEY_CUSTOMERS)
@pytest.mark.parametrize("user", [*USERS, "anonymous"])
def test_a_receipt_is_seen_only_in_scope(
    as_user: Any, matrix_world: World, user: str, customer_id: str
) -> None:
    receipt = make_receipt(matrix_world, customer_id)
    client = APIClient() if user == "anonymous" else as_user(user)
    expected = receipt_status(user, customer_id)
    for tail in RECEIPT_READS:
        url = f"/api/v1/receipts/{receipt.number}/{tail}"
        response = client.get(url, {"lang": "en"})
        assert response.status_code == expected, url
        if expected != 200:
            assert response.json()["code"] == REFUSAL_CODES[expected]
    if expected == 200:
        listed = client.get("/api/v1/receipts/", {"customer": customer_id}).json()
        assert [r["number"] for r in listed["results"]] == [receipt.number]
    sent = client.post(
        f"/api/v1/receipts/{receipt.number}/sms/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY="matrix-sms",
    )
    take = receipt_status(user, customer_id, "payment.take")
    assert sent.status_code == (201 if take == 200 else take)
    check = APIClient().get(f"/api/v1/receipts/verify/{receipt.token}/")
    assert (check.status_code, check.json()["state"]) == (200, "genuine")


# --- collection, cash in hand, bank deposits (docs/collection.md) ---
def collection_status(
    ok: int, action: str, plant: str | None = None, customer: str | None = None
) -> dict[str, int]:
    """``ok`` for users whose designation has ``action`` and whose scope holds
    ``plant`` (or ``customer``; any scope when both are None), 404 for those
    outside it, 403 for the other designations and the customer."""
    from mcoms.org.permissions import Action, allowed

    out = {}
    for user in USERS:
        designation = "csa" if user == "sika_csa" else user
        if user == CUSTOMER or not allowed(
            "admin" if user == "other_admin" else designation, Action(action)
        ):
            out[user] = 403
        elif customer is not None:
            seen = SEES["customers"][user]
            out[user] = ok if customer in seen else 404  # type: ignore[operator]
        elif plant is None or plant in PLANTS.get(user, ()):
            out[user] = ok
        else:
            out[user] = 404
    return out


NO_DEPOSIT = "/api/v1/cash/deposits/00000000-0000-4000-8000-000000000000/"
COLLECTION: list[tuple[str, str, dict, dict[str, int]]] = [
    ("get", "/api/v1/cash/mine/", {}, collection_status(200, "cash.deposit")),
    ("get", "/api/v1/cash/in-hand/", {}, collection_status(200, "cash.view")),
    (
        "get",
        "/api/v1/cash/in-hand/?plant=BHMADH",
        {},
        collection_status(200, "cash.view", "BHMADH"),
    ),
    ("get", "/api/v1/cash/deposits/", {}, collection_status(200, "cash.view")),
    ("get", NO_DEPOSIT, {}, collection_status(404, "cash.view")),
    ("get", NO_DEPOSIT + "slip/", {}, collection_status(404, "cash.view")),
    (
        "post",
        NO_DEPOSIT + "verify/",
        {"received_amount": "1"},
        collection_status(404, "cash.verify"),
    ),
    (
        "post",
        NO_DEPOSIT + "reject/",
        {"reason": "x"},
        collection_status(404, "cash.verify"),
    ),
    ("get", "/api/v1/cash/review/", {}, collection_status(200, "cash.view")),
    (
        "get",
        "/api/v1/cash/review/?plant=BHSIKA",
        {},
        collection_status(200, "cash.view", "BHSIKA"),
    ),
    ("get", "/api/v1/cash/limits/", {}, collection_status(200, "cash.limit_edit")),
    (
        "get",
        "/api/v1/reports/cash-register/",
        {},
        collection_status(200, "payment.view"),
    ),
    (
        "get",
        "/api/v1/reports/cash-register/?plant=BHSIKA",
        {},
        collection_status(200, "payment.view", "BHSIKA"),
    ),
    (
        "get",
        "/api/v1/reports/receivables/?plant=BHMADH",
        {},
        collection_status(200, "receivable.view", "BHMADH"),
    ),
    ("get", "/api/v1/reports/ageing/", {}, collection_status(200, "receivable.view")),
    (
        "get",
        "/api/v1/reports/total-collection/?plant=BHSIKA",
        {},
        collection_status(200, "payment.view", "BHSIKA"),
    ),
    *[
        (
            "get",
            f"/api/v1/customers/{c}/deposit-ledger/",
            {},
            collection_status(200, "ledger.view", customer=c),
        )
        for c in ("BHKATS00101", "BHSIKA00101")
    ],
]


@pytest.mark.parametrize(("method", "url", "body", "statuses"), COLLECTION)
@pytest.mark.parametrize("user", USERS)
def test_each_collection_endpoint_needs_the_designation_and_the_scope(
    as_user: Any, user: str, method: str, url: str, body: dict, statuses: dict
) -> None:
    client = as_user(user)
    if method == "post":
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    else:
        response = client.get(url)
    assert response.status_code == statuses[user], (url, response.content[:200])
    if statuses[user] in REFUSAL_CODES:
        assert response.json()["code"] == REFUSAL_CODES[statuses[user]]


@pytest.mark.parametrize("user", USERS)
def test_a_deposit_needs_the_designation_and_the_plant(
    as_user: Any, user: str, tmp_path: Any, settings: Any
) -> None:
    """A deposit at BHMADH by someone holding no cash: refused as more than
    the cash in hand (400) where the plant is in scope, else 404 / 403."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    body = {
        "plant": "BHMADH",
        "amount": "1",
        "deposited_on": "2026-01-02",
        "bank": "SBI",
        "slip": SimpleUploadedFile("s.png", png.getvalue(), content_type="image/png"),
    }
    response = as_user(user).post(
        "/api/v1/cash/deposits/", body, format="multipart", HTTP_IDEMPOTENCY_KEY="d-1"
    )
    expected = collection_status(400, "cash.deposit", "BHMADH")[user]
    assert response.status_code == expected, response.json()
    code = REFUSAL_CODES.get(expected, "deposit_exceeds_cash")
    assert response.json()["code"] == code


@pytest.mark.parametrize(("method", "url"), [(m, u) for m, u, _, _ in COLLECTION])
def test_collection_endpoints_need_a_sign_in(
    matrix_world: World, db: None, method: str, url: str
) -> None:
    response = getattr(APIClient(), method)(url, {})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
