"""The prospects API: a walk through the eight stages, retries with the
Idempotency-Key, JSON errors with codes, and who may do what where."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mcoms.acquisition.models import Prospect
from mcoms.ledger.models import Journal

from .conftest import image_file, pdf_file

BASE = "/api/v1/prospects"
keys = count(1)


def post(client, url, data=None, *, key=None, **kw):
    return client.post(
        url,
        data or {},
        HTTP_IDEMPOTENCY_KEY=key or f"k-{next(keys)}",
        format=kw.pop("format", "json"),
        **kw,
    )


SURVEY = {
    "plant": "BHKATS",
    "name": "Sunita Devi",
    "phone": "9876500001",
    "pole": 2,
    "distance_m": "12.5",
    "appliances": [{"name": "bulb", "count": 3, "watts": 9}],
    "hours_per_day": "6",
}


def test_one_prospect_through_all_stages(kit, client_for) -> None:
    csa, tech = client_for("csa"), client_for("technician")
    response = post(csa, f"{BASE}/", SURVEY)
    assert response.status_code == 201, response.json()
    body = response.json()
    ref = body["ref"]
    assert (ref, body["stage"], body["next_stage"], body["pole"]) == (
        "P-BHKATS-000001",
        "survey",
        "marketing",
        2,
    )
    assert body["anticipated_load_w"] == 27
    url = f"{BASE}/{ref}"
    steps = [
        (csa, "marketing", {"method": "group_discussion", "note": "at the school"}),
        (csa, "acquire", {}),
        (csa, "kyc/documents", {"kind": "id_proof", "file": pdf_file()}),
        (csa, "kyc/documents", {"kind": "photo", "file": image_file()}),
        (
            csa,
            "kyc",
            {
                "id_type": "voter_id",
                "id_number": "ABC1234567",
                "commitments_acknowledged": True,
            },
        ),
        (csa, "package", {"package": "A1.1(NN)/17/160"}),
        (csa, "account", {}),
        (tech, "meter", {"meter": "ll-1"}),
        (tech, "connection-steps", {"step": "at_pole"}),
        (tech, "connection-steps", {"step": "house_wire"}),
        (tech, "connection-steps", {"step": "service_wire"}),
        (tech, "install", {"initial_reading": "0"}),
        (tech, "activate", {}),
    ]
    for client, action, data in steps:
        multipart = action == "kyc/documents"
        response = post(
            client,
            f"{url}/{action}/",
            data,
            format="multipart" if multipart else "json",
        )
        assert response.status_code == (201 if multipart else 200), (
            action,
            response.json(),
        )
    body = csa.get(f"{url}/").json()
    assert (body["stage"], body["status"], body["customer_id"]) == (
        "activation",
        "active",
        "BHKATS00201",
    )
    assert (body["deposit_amount"], body["activation_amount"]) == ("100.00", "150.00")
    assert (body["meter"], body["connection_step"]) == ("LL-1", "review")
    assert [d["kind"] for d in body["documents"]] == ["id_proof", "photo"]
    done = [(e["stage"], e["by"]) for e in body["events"] if e["kind"] == "done"]
    assert done[-2:] == [("meter", "technician"), ("activation", "technician")]
    assert Journal.objects.filter(idempotency_key__startswith="acq:").count() == 2


def test_a_retried_post_returns_the_first_result(kit, client_for) -> None:
    csa = client_for("csa")
    first = post(csa, f"{BASE}/", SURVEY, key="same")
    again = post(csa, f"{BASE}/", SURVEY, key="same")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ref"] == first.json()["ref"]
    url = f"{BASE}/{first.json()['ref']}/marketing/"
    data = {"method": "leaflet"}
    assert post(csa, url, data, key="m1").status_code == 200
    assert post(csa, url, data, key="m1").status_code == 200
    assert Prospect.objects.get().events.filter(stage="marketing").count() == 1
    response = csa.post(url, data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"


def _prospect(client_for) -> str:
    return post(client_for("csa"), f"{BASE}/", SURVEY).json()["ref"]


@pytest.mark.parametrize(
    ("over", "status", "code", "field"),
    [
        ({"pole": 99}, 400, "pole_other_plant", "pole"),
        ({"distance_m": "31"}, 400, "pole_too_far", "distance_m"),
        ({"phone": "12"}, 400, "phone_invalid", "phone"),
        ({"distance_m": "1.25"}, 400, "max_decimal_places", "distance_m"),
        ({"plant": "BHSIKA"}, 404, "not_found", None),
    ],
)
def test_bad_surveys_get_json_errors(kit, client_for, over, status, code, field):
    response = post(client_for("csa"), f"{BASE}/", SURVEY | over)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json().get("field") == field
    assert not Prospect.objects.exists()


def test_steps_out_of_turn_and_bad_input(kit, client_for) -> None:
    csa = client_for("csa")
    ref = _prospect(client_for)
    url = f"{BASE}/{ref}"
    response = post(csa, f"{url}/package/", {"package": "A1.1(NN)/17/160"})
    assert (response.status_code, response.json()["code"]) == (409, "stage_wrong_order")
    post(csa, f"{url}/marketing/", {"method": "leaflet"})
    post(csa, f"{url}/acquire/", {})
    text = SimpleUploadedFile("x.png", b"plain text, not an image")
    response = post(
        csa,
        f"{url}/kyc/documents/",
        {"kind": "photo", "file": text},
        format="multipart",
    )
    assert (response.status_code, response.json()["code"]) == (400, "kyc_file_type")
    kyc = {
        "id_type": "pan",
        "id_number": "ABCDE1234F",
        "commitments_acknowledged": True,
    }
    response = post(csa, f"{url}/kyc/", kyc)
    assert (response.status_code, response.json()["code"]) == (
        400,
        "kyc_document_missing",
    )
    doc = {"kind": "id_proof", "file": pdf_file()}
    assert (
        post(csa, f"{url}/kyc/documents/", doc, format="multipart").status_code == 201
    )
    assert post(csa, f"{url}/kyc/", kyc).status_code == 200
    response = post(csa, f"{url}/package/", {"package": "B9(XX)/1/1"})
    assert (response.status_code, response.json()["code"]) == (
        400,
        "package_not_offered",
    )
    response = post(csa, f"{url}/package/", {"package": "A1.1(NN)/17/160"})
    assert response.json()["next_stage"] == "account"


def test_the_file_of_a_document_is_read_through_the_scope(kit, client_for) -> None:
    csa = client_for("csa")
    ref = _prospect(client_for)
    post(csa, f"{BASE}/{ref}/marketing/", {"method": "leaflet"})
    post(csa, f"{BASE}/{ref}/acquire/", {})
    doc = post(
        csa,
        f"{BASE}/{ref}/kyc/documents/",
        {"kind": "id_proof", "file": pdf_file()},
        format="multipart",
    ).json()
    url = f"{BASE}/{ref}/kyc/documents/{doc['id']}/"
    response = csa.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_for("sika_csa").get(url).status_code == 404
    assert csa.get(f"{BASE}/{ref}/kyc/documents/999/").status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("operator", 200),
        ("csa", 200),
        ("cluster_incharge", 200),
        ("ho_manager", 403),  # reads, does no field work
        ("sika_csa", 404),
        ("other_admin", 404),
        ("c+919800000001", 403),  # a customer
    ],
)
def test_who_may_work_on_a_prospect(kit, client_for, who, expected) -> None:
    ref = _prospect(client_for)
    response = post(client_for(who), f"{BASE}/{ref}/marketing/", {"method": "leaflet"})
    assert response.status_code == expected, response.json()


def test_only_the_technical_side_connects(kit, client_for) -> None:
    csa = client_for("csa")
    ref = _prospect(client_for)
    Prospect.objects.filter(ref=ref).update(stage="account")
    response = post(csa, f"{BASE}/{ref}/meter/", {"meter": "LL-1"})
    assert (response.status_code, response.json()["code"]) == (
        403,
        "permission_denied",
    )
    response = post(client_for("technician"), f"{BASE}/{ref}/meter/", {"meter": "X"})
    assert (response.status_code, response.json()["code"]) == (
        400,
        "meter_not_in_stock",
    )


def test_reading_the_list_detail_and_board(kit, client_for) -> None:
    ref = _prospect(client_for)
    ci = client_for("cluster_incharge")
    madh = SURVEY | {"plant": "BHMADH", "pole": 1, "phone": "9876500002"}
    assert post(client_for("csa"), f"{BASE}/", madh).status_code == 404
    assert post(ci, f"{BASE}/", madh).status_code == 201
    listed = ci.get(f"{BASE}/?plant=BHKATS").json()
    assert [p["ref"] for p in listed["results"]] == [ref]
    assert ci.get(f"{BASE}/?stage=kyc").json()["count"] == 0
    assert ci.get(f"{BASE}/?q=sunita").json()["count"] == 2
    assert client_for("csa").get(f"{BASE}/").json()["count"] == 1
    assert client_for("sika_csa").get(f"{BASE}/").json()["count"] == 0
    assert client_for("sika_csa").get(f"{BASE}/{ref}/").status_code == 404
    assert client_for("c+919800000001").get(f"{BASE}/").status_code == 403
    board = ci.get(f"{BASE}/board/").json()
    north = board["clusters"][0]
    assert north["key"] == "BH-NORTH"
    assert [(p["key"], p["counts"]["survey"]) for p in north["plants"]] == [
        ("BHKATS", 1),
        ("BHMADH", 1),
    ]
    assert north["subtotal"]["total"] == board["total"]["total"] == 2


def test_reject_and_reopen(kit, client_for) -> None:
    csa = client_for("csa")
    ref = _prospect(client_for)
    response = post(csa, f"{BASE}/{ref}/reject/", {"reason": "not interested"})
    assert response.json()["status"] == "rejected"
    assert response.json()["rejected_stage"] == "marketing"
    response = post(csa, f"{BASE}/{ref}/marketing/", {"method": "leaflet"})
    assert (response.status_code, response.json()["code"]) == (409, "prospect_rejected")
    response = post(csa, f"{BASE}/{ref}/reopen/", {"reason": "called back"})
    assert response.json()["status"] == "open"


def test_an_instant_consumer(kit, client_for) -> None:
    data = {
        "plant": "BHKATS",
        "name": "Ramesh",
        "phone": "9876500050",
        "pole": 3,
        "package": "A1.1(NN)/17/160",
    }
    csa = client_for("csa")
    response = post(csa, f"{BASE}/instant/", data, key="i1")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["customer_id"], body["stage"], body["deferred"]) == (
        "BHKATS00301",
        "account",
        ["survey", "marketing", "kyc"],
    )
    assert Decimal(body["deposit_amount"]) == 100
    assert post(csa, f"{BASE}/instant/", data, key="i1").status_code == 200
    response = post(csa, f"{BASE}/instant/", data | {"package": "nope"})
    assert response.json()["code"] == "package_not_offered"
    response = post(client_for("ho_manager"), f"{BASE}/instant/", data)
    assert response.status_code == 403
