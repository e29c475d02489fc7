from __future__ import annotations

from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from mcoms.ledger.models import Account, Journal
from mcoms.ledger.services import account_for_plant_revenue, journal_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("mcoms.ledger.tests.urls")]
BASE = "/api/v1/ledger"


@pytest.fixture
def posted(books, world):
    sika = account_for_plant_revenue(plant=world.plants["BHSIKA"], service="CHG")
    journal_post(
        company=books.company,
        idempotency_key="bill",
        kind="bill",
        lines=[
            (books.receivable, Decimal("100.00")),
            (books.revenue, Decimal("-100.00")),
        ],
    )
    journal_post(
        company=books.company,
        idempotency_key="pay",
        kind="payment",
        lines=[(books.cash, Decimal("40.00")), (books.receivable, Decimal("-40.00"))],
    )
    journal_post(
        company=books.company,
        idempotency_key="sika",
        kind="x",
        lines=[(books.bank, Decimal("5.00")), (sika, Decimal("-5.00"))],
    )
    return books


def client_for(world, name):
    client = APIClient()
    client.force_authenticate(world.user(name))
    return client


def codes(response):
    return {row["code"] for row in response.json()["results"]}


def test_admin_sees_every_account_of_the_company(posted, world):
    response = client_for(world, "admin").get(f"{BASE}/accounts/")
    assert response.status_code == 200
    assert codes(response) == {
        "CUS:BHKATS00101:AR:CHG",
        "CUS:BHKATS00101:AR:WATER",
        "PLT:BHKATS:REV:CHG",
        "STF:csa:CASH",
        "CO:BANK",
        "PLT:BHSIKA:REV:CHG",
    }


def test_plant_staff_see_their_plant_only_and_no_company_accounts(posted, world):
    response = client_for(world, "csa").get(f"{BASE}/accounts/")
    assert codes(response) == {
        "CUS:BHKATS00101:AR:CHG",
        "CUS:BHKATS00101:AR:WATER",
        "PLT:BHKATS:REV:CHG",
        "STF:csa:CASH",
    }
    assert client_for(world, "csa").get(f"{BASE}/accounts/CO:BANK/").status_code == 404


def test_list_filters_by_holder_and_service(posted, world):
    client = client_for(world, "admin")
    response = client.get(
        f"{BASE}/accounts/", {"holder_ref": "BHKATS00101", "service": "WATER"}
    )
    assert codes(response) == {"CUS:BHKATS00101:AR:WATER"}


def test_account_detail_has_a_statement_with_running_balance(posted, world):
    response = client_for(world, "csa").get(f"{BASE}/accounts/CUS:BHKATS00101:AR:CHG/")
    assert response.status_code == 200
    body = response.json()
    assert body["account"]["balance"] == "60.00"
    assert [(r["kind"], r["amount"], r["balance"]) for r in body["rows"]] == [
        ("bill", "100.00", "100.00"),
        ("payment", "-40.00", "60.00"),
    ]
    assert body["closing_balance"] == "60.00"


@pytest.mark.parametrize(
    ("name", "status"), [("sika_csa", 404), ("other_admin", 404), ("operator", 403)]
)
def test_outsiders_cannot_read_an_account(posted, world, name, status):
    response = client_for(world, name).get(f"{BASE}/accounts/STF:csa:CASH/")
    assert response.status_code == status
    assert response.json()["code"] in {"not_found", "permission_denied"}


def test_the_other_company_sees_its_own_account_under_the_same_code(posted, world):
    """Both companies have a customer BHKATS00101: codes are unique per company."""
    url = f"{BASE}/accounts/CUS:BHKATS00101:AR:CHG/"
    response = client_for(world, "other_admin").get(url)
    assert response.status_code == 200
    assert response.json()["rows"] == []
    assert response.json()["account"]["balance"] == "0.00"


def test_anonymous_is_refused(posted):
    assert APIClient().get(f"{BASE}/accounts/").status_code in {401, 403}


LINES = [
    {"account": "STF:csa:CASH", "amount": "25.50"},
    {"account": "CUS:BHKATS00101:AR:CHG", "amount": "-25.50"},
]


def _post(world, name="admin", key="m-1", lines=LINES, memo="cash found"):
    headers = {"Idempotency-Key": key} if key else {}
    return client_for(world, name).post(
        f"{BASE}/journals/",
        {"memo": memo, "lines": lines},
        format="json",
        headers=headers,
    )


def test_admin_posts_a_manual_journal_and_a_retry_returns_it(posted, world):
    first = _post(world)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["kind"], body["posted_by"], body["memo"]) == (
        "manual",
        "admin",
        "cash found",
    )
    assert sorted(line["amount"] for line in body["lines"]) == ["-25.50", "25.50"]
    again = _post(world)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Account.objects.get(code="STF:csa:CASH").balance == Decimal("65.50")


def test_posting_without_an_idempotency_key_is_refused(posted, world):
    response = _post(world, key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([{**LINES[0], "amount": "25.51"}, LINES[1]], "journal_unbalanced"),
        ([{**LINES[0], "amount": 25.5}, LINES[1]], "amount_not_decimal"),
        ([LINES[0]], "journal_too_few_lines"),
        ([{**LINES[0], "amount": "abc"}, LINES[1]], "amount_invalid"),
    ],
)
def test_bad_journals_are_refused_with_a_code(posted, world, lines, code):
    count = Journal.objects.count()
    response = _post(world, lines=lines)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Journal.objects.count() == count


def test_the_same_key_with_other_lines_is_a_conflict(posted, world):
    _post(world)
    response = _post(
        world, lines=[{**LINES[0], "amount": "1.00"}, {**LINES[1], "amount": "-1.00"}]
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(("name", "status"), [("csa", 403), ("other_admin", 404)])
def test_outsiders_cannot_post(posted, world, name, status):
    assert _post(world, name=name).status_code == status
    assert not Journal.objects.filter(idempotency_key="m-1").exists()


def test_admin_reverses_a_journal_once(posted, world):
    bill = Journal.objects.get(idempotency_key="bill")
    client = client_for(world, "admin")
    url = f"{BASE}/journals/{bill.pk}/reverse/"
    missing = client.post(url, {"memo": "wrong"}, format="json")
    assert missing.json()["code"] == "idempotency_key_missing"
    first = client.post(
        url, {"memo": "wrong"}, format="json", headers={"Idempotency-Key": "rev-1"}
    )
    assert first.status_code == 201
    assert first.json()["reverses"] == bill.pk
    retry = client.post(url, {}, format="json", headers={"Idempotency-Key": "rev-1"})
    assert (retry.status_code, retry.json()["id"]) == (200, first.json()["id"])
    twice = client.post(url, {}, format="json", headers={"Idempotency-Key": "rev-2"})
    assert twice.status_code == 409
    assert twice.json()["code"] == "journal_already_reversed"
    receivable = Account.objects.get(pk=posted.receivable.pk)
    assert receivable.balance == Decimal("-40.00")


def test_journal_detail_is_scoped(posted, world):
    sika = Journal.objects.get(idempotency_key="sika")
    bill = Journal.objects.get(idempotency_key="bill")
    assert (
        client_for(world, "admin").get(f"{BASE}/journals/{sika.pk}/").status_code == 200
    )
    assert (
        client_for(world, "csa").get(f"{BASE}/journals/{bill.pk}/").status_code == 200
    )
    assert (
        client_for(world, "csa").get(f"{BASE}/journals/{sika.pk}/").status_code == 404
    )
    other = client_for(world, "other_admin").get(f"{BASE}/journals/{bill.pk}/")
    assert other.status_code == 404


def test_the_endpoints_are_in_the_openapi_schema():
    schema = SchemaGenerator(urlconf="mcoms.ledger.tests.urls").get_schema(
        request=None, public=True
    )
    ops = {
        op["operationId"]
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {
        "ledger_accounts_list",
        "ledger_accounts_retrieve",
        "ledger_journals_create",
        "ledger_journals_retrieve",
        "ledger_journals_reverse",
    } <= ops
