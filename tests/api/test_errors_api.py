"""Every API error is JSON with a code; throttles answer 429 ``throttled``."""

from __future__ import annotations

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.builders import World


@pytest.mark.django_db
def test_anonymous_is_401_not_authenticated(anon) -> None:
    response = anon.get("/api/v1/plants/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_401(world: World, anon) -> None:
    anon.credentials(HTTP_AUTHORIZATION="Token nope")
    response = anon.get("/api/v1/plants/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_wrong_method_is_405(world: World, client_for) -> None:
    response = client_for("admin").delete("/api/v1/plants/BHKATS/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_an_unknown_path_is_a_json_404(world: World, client_for) -> None:
    response = client_for("admin").get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_malformed_body_is_400(world: World, client_for) -> None:
    response = client_for("admin").generic(
        "POST", "/api/v1/states/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_too_many_code_requests_are_429(
    world: World, anon, monkeypatch: pytest.MonkeyPatch
) -> None:
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "otp": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    for _ in range(2):
        response = anon.post("/api/v1/auth/otp/verify/", {"phone": "1", "code": "1"})
        assert response.status_code == 400
    response = anon.post("/api/v1/auth/otp/verify/", {"phone": "1", "code": "1"})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_signed_in_users_are_throttled_too(
    world: World, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "user": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    client = client_for("csa")
    statuses = [client.get("/api/v1/plants/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client_for("operator").get("/api/v1/plants/").status_code == 200
