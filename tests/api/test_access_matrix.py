"""The access matrix: every designation, the outsiders and a customer, over every
endpoint. Each user sees exactly its scope, gets 403 for actions its designation
lacks and 404 for objects outside its scope; anonymous requests get 401.

The world is built once for the module; each test runs in a savepoint that is
rolled back, so writes do not leak between tests.
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

LISTS = {
    "states": ("/api/v1/states/", "code"),
    "clusters": ("/api/v1/clusters/", "key"),
    "plants": ("/api/v1/plants/", "key"),
    "feeders": ("/api/v1/plants/BHKATS/feeders/", "code"),
    "poles": ("/api/v1/plants/BHKATS/poles/", "number"),
    "staff": ("/api/v1/staff/", "username"),
    "customers": ("/api/v1/customers/", "customer_id"),
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


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def as_user(matrix_world: World, db: None, client_for: Any) -> Any:
    return client_for


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
        assert keys(response, field) == expected


@pytest.mark.parametrize(("kind", "url", "key"), DETAILS)
@pytest.mark.parametrize("user", USERS)
def test_each_object_is_seen_only_in_scope(
    as_user: Any, user: str, kind: str, url: str, key: str
) -> None:
    expected = SEES[kind][user]
    response = as_user(user).get(url)
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


ALL_URLS = sorted(
    {(("get", url)) for url, _ in LISTS.values()}
    | {("get", url) for _, url, _ in DETAILS}
    | {(method, url) for method, url, _, _ in WRITES}
    | {("get", "/api/v1/me/"), ("post", "/api/v1/auth/logout/")}
)


@pytest.mark.parametrize(("method", "url"), ALL_URLS)
def test_anonymous_requests_get_401(
    matrix_world: World, db: None, method: str, url: str
) -> None:
    response = getattr(APIClient(), method)(url, {})
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
