"""The customer app's connection request through the API: public plants, a
code by SMS, the request with the code; a signed-in customer refers someone."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mcoms.acquisition.models import Prospect
from tests.builders import latest_code

BASE = "/api/v1/connection-requests"
PHONE = "+919876500070"


@pytest.fixture
def anon(db):
    from django.core.cache import cache

    cache.clear()
    return APIClient()


def ask(client, **over):
    data = {
        "company": "tara",
        "plant": "BHKATS",
        "name": "Geeta Kumari",
        "phone": "9876500070",
        "code": latest_code(PHONE),
    } | over
    return client.post(f"{BASE}/", data, format="json", HTTP_IDEMPOTENCY_KEY="r1")


def test_anyone_lists_a_companys_plants(kit, anon) -> None:
    body = anon.get(f"{BASE}/plants/?company=tara").json()
    assert [p["key"] for p in body["results"]] == [
        "BHKATS",
        "BHMADH",
        "BHSIKA",
        "UPGORA",
    ]
    assert anon.get(f"{BASE}/plants/?company=nope").status_code == 404
    assert anon.get(f"{BASE}/plants/").status_code == 400


def test_a_request_from_the_app(kit, anon) -> None:
    response = anon.post(f"{BASE}/otp/", {"phone": "9876500070"}, format="json")
    assert response.status_code == 202
    response = ask(anon)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["ref"], body["stage"], body["status"]) == (
        "P-BHKATS-000001",
        "acquisition",
        "open",
    )
    assert ask(anon).status_code == 200  # the same key: the same request
    assert Prospect.objects.get().channel == "self"


def test_a_wrong_code_or_place_is_refused(kit, anon) -> None:
    anon.post(f"{BASE}/otp/", {"phone": "9876500070"}, format="json")
    wrong = "111111" if latest_code(PHONE) != "111111" else "222222"
    response = ask(anon, code=wrong)
    assert (response.status_code, response.json()["code"]) == (400, "otp_wrong")
    assert ask(anon, plant="BHXXXX").status_code == 404
    assert ask(anon, company="other", plant="BHMADH").status_code == 404
    response = anon.post(f"{BASE}/", {"phone": "1"}, format="json")
    assert response.json()["code"] == "idempotency_key_missing"
    assert not Prospect.objects.exists()


def test_a_customer_refers_someone_else(kit, client_for, anon) -> None:
    anon.post(f"{BASE}/otp/", {"phone": "9876500070"}, format="json")
    response = ask(anon, referrer="BHKATS00101")
    assert (response.status_code, response.json()["code"]) == (
        400,
        "referrer_not_yours",
    )
    customer = client_for("c+919800000001")
    response = ask(customer, referrer="BHSIKA00101")  # not one of theirs
    assert response.json()["code"] == "referrer_not_yours"
    response = ask(customer, referrer="bhkats00101")
    assert response.status_code == 201, response.json()
    prospect = Prospect.objects.get()
    assert (prospect.channel, prospect.referrer.customer_id) == (
        "referral",
        "BHKATS00101",
    )
    mine = customer.get(f"{BASE}/").json()
    assert [r["ref"] for r in mine["results"]] == [prospect.ref]
    assert anon.get(f"{BASE}/").status_code == 401
    assert client_for("csa").get(f"{BASE}/").status_code == 403
