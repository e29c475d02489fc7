"""The packages API: scope per user, filters, create / revise / withdraw /
offer with Idempotency-Key, and the domain's refusals next to their field."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from mcoms.packages.models import Package
from mcoms.packages.tests.conftest import Catalogue

BASE = "/api/v1/packages/"
PREPAID = {
    "type_code": "A1.1",
    "timing_code": "NN",
    "load_w": 30,
    "prepaid_amount": "200",
    "prepaid_period_days": 30,
    "deposit_amount": "100",
}


def url(package: Package, action: str = "") -> str:
    ref = f"{package.plant.key}/{package.package_id}/v{package.version}/"
    return BASE + ref + (f"{action}/" if action else "")


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.json()
    return {f"{r['plant']} {r['package_id']}" for r in response.json()["results"]}


def post(client: APIClient, path: str, data: Any = None, key: str = "k1") -> Any:
    return client.post(path, data or {}, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.parametrize(
    ("user", "plants"),
    [
        ("csa", {"BHKATS"}),
        ("operator", {"BHKATS"}),
        ("cluster_incharge", {"BHKATS"}),
        ("state_incharge", {"BHKATS", "BHSIKA"}),
        ("ho_manager", {"BHKATS", "BHSIKA", "UPGORA"}),
        ("sika_csa", {"BHSIKA"}),
        ("other_admin", {"BHKATS"}),
    ],
)
def test_each_user_lists_the_packages_of_their_scope(
    catalogue: Catalogue, api, user: str, plants: set[str]
) -> None:
    rows = api(user).get(BASE).json()["results"]
    assert {r["plant"] for r in rows} == plants
    if user == "other_admin":
        assert [r["package_id"] for r in rows] == [catalogue.other.package_id]


def test_a_customer_gets_403_and_anonymous_401(catalogue: Catalogue, api) -> None:
    assert api("customer").get(BASE).status_code == 403
    assert APIClient().get(BASE).status_code == 401


def test_the_list_filters_by_plant_billing_type_offered_and_id(
    catalogue: Catalogue, api
) -> None:
    client = api("admin")
    assert ids(client.get(BASE, {"plant": "BHSIKA"})) == {"BHSIKA A1.1(NN)/30/160"}
    assert ids(client.get(BASE, {"billing_type": "postpaid_metered"})) == {
        "BHKATS B1.1(FD)/500/50"
    }
    post(client, url(catalogue.gora, "withdraw"))
    assert ids(client.get(BASE, {"offered": "false"})) == {"UPGORA A1.1(NN)/40/160"}
    assert len(ids(client.get(BASE, {"offered": "true"}))) == 4
    assert ids(client.get(BASE, {"q": "c1.1"})) == {"BHKATS C1.1(EV)/60/250"}
    assert client.get(BASE, {"plant": "BHZZZZ"}).status_code == 404


def test_the_detail_shows_the_deposit_versions_and_customers(
    catalogue: Catalogue, api
) -> None:
    body = api("csa").get(url(catalogue.kats_metered)).json()
    assert body["package_id"] == "B1.1(FD)/500/50"
    assert body["deposit_rule"] == "multiple"
    # 500 W x 24 h x 30 d = 360 kWh: 30 x 5 + 70 x 7 + 260 x 8.5 + 50 = 2900
    assert (body["anticipated_monthly_bill"], body["deposit"]) == ("2900.00", "5800.00")
    assert body["slots"] == [["00:00", "24:00"]]
    prepaid = api("csa").get(url(catalogue.kats_prepaid)).json()
    assert (prepaid["customers"], prepaid["newest"], prepaid["offered"]) == (
        1,
        True,
        True,
    )
    assert [v["ref"] for v in prepaid["versions"]] == ["BHKATS/A1.1(NN)/17/160/v1"]


@pytest.mark.parametrize(("user", "status"), [("sika_csa", 404), ("other_admin", 404)])
def test_a_package_outside_the_scope_is_404(
    catalogue: Catalogue, api, user: str, status: int
) -> None:
    # (the other company's BHKATS offers the same prepaid ID, its own package)
    response = api(user).get(url(catalogue.kats_metered))
    assert response.status_code == status
    assert response.json()["code"] == "not_found"


def test_head_office_creates_a_package_once_per_key(catalogue: Catalogue, api) -> None:
    client = api("ho_manager")
    first = post(client, BASE, {**PREPAID, "plant": "BHMADH"})
    assert first.status_code == 201, first.json()
    assert first.json()["ref"] == "BHMADH/A1.1(NN)/30/200/v1"
    again = post(client, BASE, {**PREPAID, "plant": "BHMADH"})
    assert (again.status_code, again.json()["ref"]) == (200, first.json()["ref"])
    assert Package.objects.filter(plant__code="MADH").count() == 1


@pytest.mark.parametrize(
    ("user", "plant", "status"),
    [
        ("csa", "BHKATS", 403),
        ("cluster_incharge", "BHKATS", 403),
        ("state_incharge", "BHSIKA", 403),
        ("other_admin", "BHSIKA", 404),
        ("customer", "BHKATS", 403),
    ],
)
def test_others_may_not_create_packages(
    catalogue: Catalogue, api, user: str, plant: str, status: int
) -> None:
    before = Package.objects.count()
    response = post(api(user), BASE, {**PREPAID, "plant": plant})
    assert response.status_code == status
    assert Package.objects.count() == before


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"load_w": 0}, "package_load_invalid", "load_w"),
        ({"prepaid_amount": None}, "package_rate_missing", "prepaid_amount"),
        ({"prepaid_amount": 200.5}, "amount_not_decimal", "prepaid_amount"),
        ({"rate_per_kwh": "5"}, "package_rate_not_for_billing_type", "rate_per_kwh"),
        ({"timing_code": "ZZ"}, "timing_unknown", "timing_code"),
        ({"deposit_amount": None}, "package_deposit_missing", "deposit_amount"),
        ({"version": 3}, "field_not_editable", "version"),
    ],
)
def test_bad_input_gets_its_code_and_field(
    catalogue: Catalogue, api, change: dict, code: str, field: str
) -> None:
    before = Package.objects.count()
    response = post(api("admin"), BASE, {**PREPAID, "plant": "BHKATS", **change})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert Package.objects.count() == before


def test_a_post_without_an_idempotency_key_is_refused(
    catalogue: Catalogue, api
) -> None:
    response = api("admin").post(BASE, {**PREPAID, "plant": "BHKATS"}, format="json")
    assert (response.status_code, response.json()["code"]) == (
        400,
        "idempotency_key_missing",
    )


def test_a_revision_is_a_new_version_once_per_key(catalogue: Catalogue, api) -> None:
    client = api("admin")
    old = catalogue.kats_prepaid
    response = post(client, url(old, "revise"), {"prepaid_amount": "180"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["ref"], body["customers"]) == ("BHKATS/A1.1(NN)/17/180/v2", 0)
    assert [(v["version"], v["offered"], v["customers"]) for v in body["versions"]] == [
        (1, False, 1),
        (2, True, 0),
    ]
    again = post(client, url(old, "revise"), {"prepaid_amount": "180"})
    assert (again.status_code, again.json()["ref"]) == (200, body["ref"])
    stale = post(client, url(old, "revise"), {"load_w": 20}, key="k2")
    assert (stale.status_code, stale.json()["code"]) == (409, "package_superseded")
    assert Package.objects.filter(plant__code="KATS", company=old.company).count() == 4


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"plant": "BHSIKA"}, "field_not_editable"),
        ({}, "package_unchanged"),
        ({"load_w": -1}, "package_load_invalid"),
    ],
)
def test_a_bad_revision_is_refused(catalogue: Catalogue, api, body, code) -> None:
    before = Package.objects.count()
    response = post(api("admin"), url(catalogue.kats_prepaid, "revise"), body)
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert Package.objects.count() == before


@pytest.mark.parametrize("action", ["revise", "withdraw", "offer"])
@pytest.mark.parametrize(("user", "status"), [("csa", 403), ("sika_csa", 403)])
def test_field_staff_may_not_change_packages(
    catalogue: Catalogue, api, action: str, user: str, status: int
) -> None:
    response = post(api(user), url(catalogue.kats_prepaid, action), {"load_w": 20})
    assert response.status_code == status
    assert Package.objects.get(pk=catalogue.kats_prepaid.pk).active


def test_withdraw_and_offer_again(catalogue: Catalogue, api) -> None:
    client = api("ho_manager")
    package = catalogue.kats_unmetered
    out = post(client, url(package, "withdraw"), key="w1")
    assert (out.status_code, out.json()["offered"]) == (200, False)
    back = post(client, url(package, "offer"), key="o1")
    assert (back.status_code, back.json()["offered"]) == (200, True)
    # a retried withdraw returns the first result: the package stays offered
    assert post(client, url(package, "withdraw"), key="w1").json()["offered"] is True
    assert Package.objects.get(pk=package.pk).active
