"""The readings API: manual readings (record with the Idempotency-Key as the
client's key, every refusal as JSON with a code, approve, reject), the meters
due, the ledger, and the interval batch API (limit, key, report)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from mcoms.metering.models import IntervalReading, Reading, ReadingBatch
from mcoms.metering.readings import reading_window_set
from mcoms.metering.simulator import simulate_intervals
from mcoms.metering.tests.reading_kit import IN_WINDOW, install
from tests.builders import World

URL = "/api/v1/readings/"
DAY1 = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)


def post(client: Any, url: str, body: dict, key: str = "k-1") -> Any:
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.fixture
def meter(world: World):
    return install(world, "CM-1", initial="100")


def test_record_approve_and_the_ledger(world: World, meter, client_for) -> None:
    tech = client_for("technician")
    body = {"meter": "cm-1", "value": "142.5", "taken_at": IN_WINDOW.isoformat()}
    first = post(tech, URL, body)
    assert first.status_code == 201, first.json()
    assert (first.json()["status"], first.json()["units"]) == ("pending", "42.500")
    again = post(tech, URL, body)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    pk = first.json()["id"]
    done = post(client_for("cluster_incharge"), f"{URL}{pk}/approve/", {}, "a-1")
    assert (done.status_code, done.json()["status"]) == (200, "approved")
    ledger = client_for("csa").get(f"{URL}ledger/BHKATS00101/")
    assert ledger.json()["results"][0]["units"] == "42.500"
    assert ledger["X-Meters"] == "CM-1"
    own = client_for("c+919800000001").get(f"{URL}ledger/BHKATS00101/")
    assert own.json()["count"] == 1


@pytest.mark.parametrize(
    ("value", "extra", "code"),
    [
        ("abc", {}, "reading_not_a_number"),
        ("-5", {}, "reading_negative"),
        ("99", {}, "reading_below_previous"),
        ("150", {"rollover": True}, "reading_rollover_not_below"),
        ("150", {"taken_at": "2099-01-01T00:00:00Z"}, "reading_in_future"),
        ("150", {"taken_at": "2001-01-25T00:00:00Z"}, "reading_before_installation"),
    ],
)
def test_refusals_are_json_with_a_code(
    world: World, meter, client_for, value: str, extra: dict, code: str
) -> None:
    body = {"meter": "CM-1", "value": value, "taken_at": IN_WINDOW.isoformat()}
    response = post(client_for("technician"), URL, {**body, **extra})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Reading.objects.count() == 0


def test_a_post_needs_its_key(world: World, meter, client_for) -> None:
    response = client_for("technician").post(
        URL, {"meter": "CM-1", "value": "150"}, format="json"
    )
    assert response.json()["code"] == "idempotency_key_missing"


def test_reject_with_a_reason(world: World, meter, client_for) -> None:
    body = {"meter": "CM-1", "value": "150", "taken_at": IN_WINDOW.isoformat()}
    pk = post(client_for("csa"), URL, body).json()["id"]
    boss = client_for("state_incharge")
    assert post(boss, f"{URL}{pk}/reject/", {}, "r-0").json()["code"] == (
        "reason_required"
    )
    done = post(boss, f"{URL}{pk}/reject/", {"reason": "Blurred photo"}, "r-1")
    assert (done.json()["status"], done.json()["reject_reason"]) == (
        "rejected",
        "Blurred photo",
    )
    late = post(boss, f"{URL}{pk}/approve/", {}, "r-2")
    assert (late.status_code, late.json()["code"]) == (409, "reading_not_pending")


def test_the_meters_due(world: World, meter, client_for) -> None:
    reading_window_set(company=world.company, day=1, by=None)
    body = client_for("technician").get(f"{URL}due/?plant=BHKATS").json()
    assert body["open"] is True
    assert [(m["meter"], m["previous_value"]) for m in body["meters"]] == [
        ("CM-1", "100.000")
    ]


# --- the batch API --------------------------------------------------------------------
def batch_rows(serial: str = "SM-1", days: int = 1) -> list[dict]:
    data = simulate_intervals(
        meter_serial=serial, seed=5, start=DAY1, end=DAY1 + timedelta(days=days)
    )
    return [{"meter": serial, "at": at.isoformat(), "kwh": str(k)} for at, k in data]


@pytest.fixture
def smart(world: World):
    return install(
        world, "SM-1", kind="smart", digits=7, installed_at=DAY1 - timedelta(days=9)
    )


def test_a_batch_with_a_bad_row(world: World, smart, client_for) -> None:
    rows = batch_rows()
    rows.insert(3, {"meter": "SM-1", "at": "not a time", "kwh": "1"})
    rows.append("not an object")
    rows.append({"meter": "SM-1", "at": rows[0]["at"], "kwh": 12.5})  # a number
    client = client_for("cluster_incharge")
    first = post(client, URL + "intervals/", {"readings": rows}, "batch-1")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["received"], body["stored"], body["rejected"], body["duplicates"]) == (
        99,
        96,
        2,
        1,
    )
    codes = [(i["row"], i["code"]) for i in body["report"]]
    assert (3, "time_invalid") in codes and (97, "row_invalid") in codes
    assert (98, "duplicate_differs") in codes
    again = post(client, URL + "intervals/", {"readings": rows}, "batch-1")
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    other = post(client, URL + "intervals/", {"readings": rows[:5]}, "batch-1")
    assert (other.status_code, other.json()["code"]) == (409, "batch_key_reused")
    assert IntervalReading.objects.count() == 96
    assert Reading.objects.filter(source="smart").count() == 1


def test_the_key_may_come_in_the_body(world: World, smart, client_for) -> None:
    client = client_for("admin")
    body = {"key": "in-body", "readings": batch_rows()[:4]}
    response = client.post(URL + "intervals/", body, format="json")
    assert response.status_code == 201
    assert ReadingBatch.objects.get().key == "in-body"
    missing = client.post(URL + "intervals/", {"readings": []}, format="json")
    assert missing.json()["code"] == "batch_key_missing"


def test_at_most_ten_thousand_readings(world: World, smart, client_for) -> None:
    rows = [{"meter": "SM-1", "at": "x", "kwh": "1"}] * 10_001
    response = post(client_for("admin"), URL + "intervals/", {"readings": rows}, "big")
    assert (response.status_code, response.json()["code"]) == (413, "batch_too_large")
    shape = post(client_for("admin"), URL + "intervals/", {"rows": []}, "shape")
    assert shape.json()["code"] == "readings_missing"
    assert ReadingBatch.objects.count() == 0


def test_meters_outside_the_scope_are_unknown(world: World, client_for) -> None:
    install(world, "SM-9", kind="smart", customer="BHSIKA", installed_at=DAY1)
    rows = batch_rows("SM-9")[:2]
    body = post(client_for("cluster_incharge"), URL + "intervals/", {"readings": rows})
    assert body.json()["stored"] == 0
    assert {i["code"] for i in body.json()["report"]} == {"meter_unknown"}


def test_the_batches(world: World, smart, client_for) -> None:
    post(
        client_for("cluster_incharge"),
        URL + "intervals/",
        {"readings": batch_rows()[:2]},
    )
    pk = ReadingBatch.objects.get().pk
    assert client_for("cluster_incharge").get(f"{URL}batches/").json()["count"] == 1
    assert client_for("admin").get(f"{URL}batches/{pk}/").status_code == 200
    assert client_for("state_incharge").get(f"{URL}batches/{pk}/").status_code == 404
    assert client_for("csa").get(f"{URL}batches/").status_code == 403


def test_the_list_filters(world: World, meter, client_for) -> None:
    body = {"meter": "CM-1", "value": "150", "taken_at": IN_WINDOW.isoformat()}
    post(client_for("technician"), URL, body)
    assert client_for("csa").get(URL + "?status=pending").json()["count"] == 1
    assert client_for("csa").get(URL + "?status=approved").json()["count"] == 0
    assert client_for("sika_csa").get(URL).json()["count"] == 0
    assert Decimal(client_for("admin").get(URL).json()["results"][0]["value"]) == 150
