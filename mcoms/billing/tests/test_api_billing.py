"""The billing API: periods, their run, bills; scope and refusals as JSON."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from mcoms.billing.models import Adjustment, BillingPeriod, BillingRun
from mcoms.billing.services import billing_run_start, billing_run_work
from mcoms.billing.tests.conftest import OCT, Site

BASE = "/api/v1/billing"


def client_for(site: Site, name: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(site.world.user(name))
    return client


@pytest.fixture
def billed(site: Site) -> Site:
    site.add("a", site.unmetered)
    site.add("b", site.prepaid)
    period = site.period(OCT)
    billing_run_work(run=billing_run_start(period=period, by=None))
    sika = site.world.plants["BHSIKA"]
    BillingPeriod.objects.create(
        company=sika.company, plant=sika, start=OCT, end=OCT.replace(month=11)
    )
    return site


def test_staff_list_the_periods_of_their_scope(billed: Site):
    rows = client_for(billed, "csa").get(f"{BASE}/periods/").json()["results"]
    assert [(r["plant"], r["start"]) for r in rows] == [("BHKATS", "2026-10-01")]
    assert rows[0]["run"]["status"] == "done"
    assert rows[0]["run"]["done"] == 2
    every = client_for(billed, "admin").get(f"{BASE}/periods/").json()["results"]
    assert {r["plant"] for r in every} == {"BHKATS", "BHSIKA"}


def test_a_period_is_created_once_and_an_overlap_is_refused(site: Site):
    client = client_for(site, "state_incharge")
    body = {"plant": "BHKATS", "start": "2026-09-01"}
    first = client.post(f"{BASE}/periods/", body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["end"] == "2026-10-01"
    again = client.post(f"{BASE}/periods/", body, format="json")
    assert again.status_code == 200
    clash = client.post(
        f"{BASE}/periods/", {"plant": "BHKATS", "start": "2026-09-15"}, format="json"
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "period_overlaps"
    bad = client.post(
        f"{BASE}/periods/",
        {"plant": "BHKATS", "start": "2026-09-01", "end": "2026-08-01"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "period_end_before_start"
    assert BillingPeriod.objects.count() == 1


def test_who_may_create_periods_and_start_runs(site: Site):
    body = {"plant": "BHKATS", "start": "2026-10-01"}
    assert client_for(site, "csa").post(f"{BASE}/periods/", body).status_code == 403
    assert (
        client_for(site, "cluster_incharge").post(f"{BASE}/periods/", body).status_code
        == 403
    )
    sika = {"plant": "BHSIKA", "start": "2026-10-01"}
    assert (
        client_for(site, "other_admin").post(f"{BASE}/periods/", sika).status_code
        == 404
    )
    assert (
        client_for(site, "state_incharge").post(f"{BASE}/periods/", sika).status_code
        == 201
    )
    own = client_for(site, "other_admin").post(f"{BASE}/periods/", body)
    assert own.status_code == 201  # the other company's own BHKATS
    assert BillingPeriod.objects.filter(plant=site.plant).count() == 0


def test_starting_the_run_queues_it_and_a_done_run_answers_200(
    site: Site, django_capture_on_commit_callbacks, settings
):
    from mcoms.notifications.testing import IMMEDIATE_TASKS

    settings.TASKS = IMMEDIATE_TASKS
    site.add("a", site.unmetered)
    site.period(OCT)
    client = client_for(site, "ho_manager")
    url = f"{BASE}/periods/BHKATS/2026-10-01/run/"
    assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url)
    assert started.status_code == 202, started.json()
    status = client.get(url).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 1, 1)
    assert client.post(url).status_code == 200
    assert BillingRun.objects.count() == 1
    assert client_for(site, "csa").post(url).status_code == 403


def test_a_run_too_early_is_refused_with_a_code(site: Site):
    site.period(OCT.replace(month=11), OCT.replace(month=12))
    response = client_for(site, "admin").post(f"{BASE}/periods/BHKATS/2026-11-01/run/")
    assert response.status_code == 409
    assert response.json()["code"] == "period_not_ended"


def test_bills_of_a_period_of_a_customer_and_one_bill(billed: Site):
    client = client_for(billed, "csa")
    rows = client.get(f"{BASE}/periods/BHKATS/2026-10-01/bills/").json()["results"]
    assert [r["number"] for r in rows] == ["BHKATS-2026-000001", "BHKATS-2026-000002"]
    customer = billed.customers["a"].customer_id
    mine = client.get(f"{BASE}/bills/", {"customer": customer}).json()["results"]
    assert len(mine) == 1 and mine[0]["amount_due"] == "300.00"
    detail = client.get(f"{BASE}/bills/{mine[0]['number']}/").json()
    assert detail["charges"] == {"CHG": "300.00"}
    assert [(line["kind"], line["amount"]) for line in detail["lines"]] == [
        ("monthly", "300.00")
    ]
    assert detail["journal"] is not None


def test_bills_outside_the_scope_are_not_found(billed: Site):
    number = "BHKATS-2026-000001"
    assert (
        client_for(billed, "sika_csa").get(f"{BASE}/bills/{number}/").status_code == 404
    )
    assert (
        client_for(billed, "other_admin").get(f"{BASE}/bills/{number}/").status_code
        == 404
    )
    assert (
        client_for(billed, "technician").get(f"{BASE}/bills/{number}/").status_code
        == 403
    )
    assert (
        client_for(billed, "sika_csa")
        .get(f"{BASE}/periods/BHKATS/2026-10-01/bills/")
        .status_code
        == 404
    )


def test_adjustments_need_a_key_and_the_right(site: Site):
    customer = site.world.customers["BHKATS"].customer_id
    body = {
        "customer": customer,
        "service": "OTHER",
        "amount": "-20",
        "description": "Refund",
    }
    client = client_for(site, "ho_manager")
    missing = client.post(f"{BASE}/adjustments/", body, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "idempotency_key_missing"
    made = client.post(
        f"{BASE}/adjustments/", body, format="json", HTTP_IDEMPOTENCY_KEY="a1"
    )
    assert made.status_code == 201 and made.json()["amount"] == "-20.00"
    again = client.post(
        f"{BASE}/adjustments/", body, format="json", HTTP_IDEMPOTENCY_KEY="a1"
    )
    assert again.status_code == 200
    denied = client_for(site, "state_incharge").post(
        f"{BASE}/adjustments/", body, format="json", HTTP_IDEMPOTENCY_KEY="a2"
    )
    assert denied.status_code == 403
    assert Adjustment.objects.count() == 1


def test_the_schema_lists_the_billing_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = {
        op["operationId"]
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {
        "billing_periods_list",
        "billing_periods_create",
        "billing_periods_retrieve",
        "billing_runs_retrieve",
        "billing_runs_start",
        "billing_period_bills_list",
        "billing_bills_list",
        "billing_bills_retrieve",
        "billing_adjustments_create",
    } <= ops
