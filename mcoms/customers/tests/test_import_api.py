"""The import API: upload with dry run, confirm by token, import in one call;
who may, and what a refusal looks like."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from mcoms.customers.models import Customer
from mcoms.customers.tests.import_kit import (
    CUSTOMER_HEADER,
    PACKAGE_HEADER,
    PACKAGE_ROW,
    counts,
    csv_bytes,
    customer,
    with_packages,
)
from mcoms.packages.models import ImportBatch
from tests.builders import World

URL = "/api/v1/imports/"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ready(world: World) -> World:
    with_packages(world)
    return world


def api(world: World, name: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.user(name))
    return client


def upload(rows: list[dict], name: str = "customers.csv", **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(CUSTOMER_HEADER, rows, **kw), "text/csv")


def post(client: APIClient, data: dict, key: str = "k1"):
    return client.post(URL, data, format="multipart", HTTP_IDEMPOTENCY_KEY=key)


def test_a_dry_run_then_a_commit_by_token(ready: World) -> None:
    client = api(ready, "ho_manager")
    before = counts()
    response = post(client, {"customers": upload([customer(1), customer(2)])})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["ok"], body["rows"], body["errors"]) == (
        "checked",
        True,
        {"customers": 2},
        [],
    )
    assert counts() == before
    token = body["token"]
    assert client.get(f"{URL}{token}/").json()["token"] == token
    done = client.post(f"{URL}{token}/commit/", HTTP_IDEMPOTENCY_KEY="c1")
    assert done.status_code == 200, done.json()
    assert (done.json()["state"], done.json()["created"]) == (
        "committed",
        {"packages": 0, "customers": 2},
    )
    again = client.post(f"{URL}{token}/commit/", HTTP_IDEMPOTENCY_KEY="c2")
    assert again.json()["state"] == "committed"
    assert Customer.objects.filter(name__startswith="Grahak").count() == 2


def test_an_import_in_one_call_with_packages(ready: World) -> None:
    packages = SimpleUploadedFile(
        "p.csv", csv_bytes(PACKAGE_HEADER, [PACKAGE_ROW], bom=True), "text/csv"
    )
    rows = [customer(1, package="B1.1(FD)/250/40")]
    response = post(
        api(ready, "admin"),
        {"packages": packages, "customers": upload(rows), "dry_run": "false"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == {"packages": 1, "customers": 1}
    assert response.json()["packages_file"] == "p.csv"


def test_bad_rows_import_nothing_and_say_why(ready: World) -> None:
    before = counts()
    rows = [customer(1), customer(2, pole="77"), customer(3, phone="0")]
    response = post(
        api(ready, "admin"), {"customers": upload(rows), "dry_run": "false"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rows_invalid"
    assert [(e["row"], e["column"], e["code"]) for e in body["import"]["errors"]] == [
        (3, "pole", "pole_unknown"),
        (4, "phone", "phone_invalid"),
    ]
    assert counts() == before
    token = body["import"]["token"]
    commit = api(ready, "admin").post(f"{URL}{token}/commit/", HTTP_IDEMPOTENCY_KEY="c")
    assert (commit.status_code, commit.json()["code"]) == (400, "import_rows_invalid")
    assert counts() == before


def test_a_retried_upload_is_the_same_batch(ready: World) -> None:
    client = api(ready, "admin")
    first = post(client, {"customers": upload([customer(1)])})
    again = post(client, {"customers": upload([customer(1)])})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["token"] == again.json()["token"]
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({}, "import_no_file", None),
        (
            {"customers": SimpleUploadedFile("c.csv", b"name\n\xff\xfe", "text/csv")},
            "import_not_utf8",
            "customers",
        ),
    ],
)
def test_a_refused_upload(ready: World, data: dict, code: str, field) -> None:
    response = post(api(ready, "admin"), data)
    assert response.status_code == 400
    assert (response.json()["code"], response.json().get("field")) == (code, field)
    assert not ImportBatch.objects.exists()


def test_an_upload_over_the_limit(ready: World, settings) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 200
    response = post(
        api(ready, "admin"), {"customers": upload([customer(n) for n in range(9)])}
    )
    assert (response.status_code, response.json()["code"]) == (400, "import_too_large")


def test_the_idempotency_key_is_required(ready: World) -> None:
    response = api(ready, "admin").post(
        URL, {"customers": upload([customer(1)])}, format="multipart"
    )
    assert (response.status_code, response.json()["code"]) == (
        400,
        "idempotency_key_missing",
    )


@pytest.mark.parametrize(
    "user", ["csa", "operator", "technician", "cluster_incharge", "state_incharge"]
)
def test_only_head_office_may_import(ready: World, user: str) -> None:
    client = api(ready, user)
    assert post(client, {"customers": upload([customer(1)])}).status_code == 403
    assert client.get(URL).status_code == 403
    assert not ImportBatch.objects.exists()


def test_another_company_sees_nothing_of_ours(ready: World) -> None:
    response = post(api(ready, "admin"), {"customers": upload([customer(1)])})
    token = response.json()["token"]
    other = api(ready, "other_admin")
    assert other.get(URL).json()["results"] == []
    assert other.get(f"{URL}{token}/").status_code == 404
    commit = other.post(f"{URL}{token}/commit/", HTTP_IDEMPOTENCY_KEY="x")
    assert commit.status_code == 404
    assert api(ready, "admin").get(f"{URL}not-a-token/").status_code == 404
    assert not Customer.objects.filter(name="Grahak 1").exists()


def test_a_customer_and_anonymous_are_refused(ready: World) -> None:
    customer_client = APIClient()
    customer_client.force_authenticate(ready.customers["BHKATS"].user)
    assert customer_client.get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401
