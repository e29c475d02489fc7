"""The type and timing code tables over the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mcoms.packages.models import PackageType, TimingCode
from mcoms.packages.tests.conftest import Catalogue

TYPES = "/api/v1/package-types/"
TIMINGS = "/api/v1/timing-codes/"


def post(client: APIClient, path: str, data: dict, key: str = "k1"):
    return client.post(path, data, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.parametrize("user", ["csa", "technician", "state_incharge", "admin"])
def test_every_staff_member_reads_the_tables(catalogue: Catalogue, api, user) -> None:
    types = api(user).get(TYPES).json()["results"]
    assert {t["code"]: t["packages"] for t in types} == {
        "A1.1": 3,
        "B1.1": 1,
        "C1.1": 1,
    }
    timings = {t["code"]: t for t in api(user).get(TIMINGS).json()["results"]}
    assert timings["NN"]["slots"] == [["18:00", "06:00"]]
    assert (timings["NN"]["hours_per_day"], timings["NN"]["default"]) == ("12.00", True)


def test_a_customer_may_not_read_them(catalogue: Catalogue, api) -> None:
    assert api("customer").get(TYPES).status_code == 403
    assert api("customer").get(TIMINGS + "NN/").status_code == 403


def test_head_office_adds_a_type_once_per_key(catalogue: Catalogue, api) -> None:
    data = {"code": "a2.1", "label": "Shop", "billing_type": "prepaid"}
    first = post(api("ho_manager"), TYPES, data)
    assert first.status_code == 201, first.json()
    assert (first.json()["code"], first.json()["default"]) == ("A2.1", False)
    assert post(api("ho_manager"), TYPES, data).status_code == 200
    assert PackageType.objects.filter(code="A2.1").count() == 1
    # the other company does not see it
    codes = {t["code"] for t in api("other_admin").get(TYPES).json()["results"]}
    assert "A2.1" not in codes
    assert api("other_admin").get(TYPES + "A2.1/").status_code == 404


@pytest.mark.parametrize("user", ["csa", "cluster_incharge", "state_incharge"])
def test_others_may_not_change_the_tables(catalogue: Catalogue, api, user) -> None:
    client = api(user)
    body = {"code": "A2.1", "label": "x", "billing_type": "prepaid"}
    assert post(client, TYPES, body).status_code == 403
    slots = {"code": "MN", "label": "x", "slots": [["05:00", "07:00"]]}
    assert post(client, TIMINGS, slots).status_code == 403
    assert client.patch(TYPES + "A1.1/", {"label": "y"}).status_code == 403
    assert client.patch(TIMINGS + "NN/", {"label": "y"}).status_code == 403
    assert PackageType.objects.count() == 3
    assert not TimingCode.objects.filter(company__isnull=False).exists()


def test_editing_a_default_label_makes_the_company_copy(
    catalogue: Catalogue, api
) -> None:
    response = api("admin").patch(TYPES + "A1.1/", {"label": "Pre-paid LL"})
    assert response.status_code == 200, response.json()
    assert (response.json()["label"], response.json()["default"]) == (
        "Pre-paid LL",
        False,
    )
    other = api("other_admin").get(TYPES + "A1.1/").json()
    assert other["label"] == "Pre-paid, load limited"


@pytest.mark.parametrize(
    ("path", "body", "code", "field"),
    [
        (
            TYPES + "A1.1/",
            {"billing_type": "postpaid_metered"},
            "package_type_in_use",
            "billing_type",
        ),
        (
            TIMINGS + "NN/",
            {"slots": [["19:00", "05:00"]]},
            "timing_code_in_use",
            "slots",
        ),
        (
            TIMINGS + "DD/",
            {"slots": [["06:00", "12:00"], ["11:00", "13:00"]]},
            "timing_slots_overlap",
            "slots",
        ),
        (TIMINGS + "DD/", {"code": "XX"}, "field_not_editable", "code"),
    ],
)
def test_a_refused_edit_names_its_field(
    catalogue: Catalogue, api, path, body, code, field
) -> None:
    response = api("admin").patch(path, body, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not TimingCode.objects.filter(company__isnull=False).exists()
    assert PackageType.objects.count() == 3


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {
                "code": "MN",
                "label": "x",
                "slots": [["05:00", "08:00"], ["07:00", "09:00"]],
            },
            "timing_slots_overlap",
        ),
        ({"code": "MN", "label": "x", "slots": "05:00-08:00"}, "timing_slots_invalid"),
        (
            {"code": "NN", "label": "x", "slots": [["05:00", "08:00"]]},
            "code_is_default",
        ),
        ({"code": "M1", "label": "x", "slots": [["05:00", "08:00"]]}, "invalid"),
    ],
)
def test_a_bad_timing_code_is_refused(catalogue: Catalogue, api, body, code) -> None:
    response = post(api("admin"), TIMINGS, body)
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert not TimingCode.objects.filter(company__isnull=False).exists()


def test_a_new_timing_code_is_used_by_new_packages(catalogue: Catalogue, api) -> None:
    body = {
        "code": "MN",
        "label": "Morning+night",
        "slots": [["05:00", "07:00"], ["18:00", "23:00"]],
    }
    created = post(api("admin"), TIMINGS, body)
    assert (created.status_code, created.json()["hours_per_day"]) == (201, "7.00")
    package = {
        "plant": "BHKATS",
        "type_code": "C1.1",
        "timing_code": "MN",
        "load_w": 40,
        "monthly_amount": "150",
        "deposit_amount": "0",
    }
    response = post(api("admin"), "/api/v1/packages/", package, key="p1")
    assert response.json()["package_id"] == "C1.1(MN)/40/150"
