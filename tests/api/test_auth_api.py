"""Signing in and out: tokens for staff (with lockout), SMS codes for customers."""

from __future__ import annotations

import re

from rest_framework.authtoken.models import Token

from mcoms.notifications.models import Message
from tests.builders import PASSWORD, World

PHONE = "+919800000001"  # the BHKATS customer


def sms_code(phone: str) -> str:
    body = Message.objects.filter(phone=phone).latest("pk").body
    match = re.search(r"\b(\d{4,8})\b", body)
    assert match, body
    return match.group(1)


def test_staff_get_a_token_that_signs_them_in(world: World, anon) -> None:
    response = anon.post(
        "/api/v1/auth/token/", {"username": "csa", "password": PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user.username == "csa"
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = anon.get("/api/v1/me/").json()
    assert (body["username"], body["kind"], body["designation"]) == (
        "csa",
        "staff",
        "csa",
    )
    assert body["scope"] == {"level": "plant", "key": "BHKATS"}
    assert body["customer_ids"] == []


def test_a_wrong_password_is_a_400(world: World, anon) -> None:
    response = anon.post("/api/v1/auth/token/", {"username": "csa", "password": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_five_failures_lock_the_username_out(world: World, anon) -> None:
    for _ in range(4):
        response = anon.post(
            "/api/v1/auth/token/", {"username": "csa", "password": "wrong"}
        )
        assert response.json()["code"] == "invalid_credentials"
    response = anon.post("/api/v1/auth/token/", {"username": "csa", "password": "no"})
    assert response.status_code == 403
    assert response.json()["code"] == "locked_out"
    response = anon.post(
        "/api/v1/auth/token/", {"username": "csa", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "locked_out"
    assert not Token.objects.filter(user__username="csa").exists()
    response = anon.post(
        "/api/v1/auth/token/", {"username": "operator", "password": PASSWORD}
    )
    assert response.status_code == 200  # per username, not per address


def test_a_customer_cannot_get_a_token_by_password(world: World, anon) -> None:
    user = world.customers["BHKATS"].user
    user.set_password(PASSWORD)
    user.save()
    response = anon.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_a_customer_signs_in_with_an_sms_code(world: World, anon) -> None:
    response = anon.post("/api/v1/auth/otp/request/", {"phone": PHONE})
    assert response.status_code == 202, response.json()
    code = sms_code(PHONE)
    response = anon.post("/api/v1/auth/otp/verify/", {"phone": PHONE, "code": code})
    assert response.status_code == 200, response.json()
    anon.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    body = anon.get("/api/v1/me/").json()
    assert (body["kind"], body["designation"], body["scope"]) == (
        "customer",
        None,
        None,
    )
    assert body["customer_ids"] == ["BHKATS00101"]
    response = anon.post("/api/v1/auth/otp/verify/", {"phone": PHONE, "code": code})
    assert response.status_code == 400  # a code works once
    assert response.json()["code"] in {"otp_used", "otp_missing"}


def test_a_wrong_code_gives_no_token(world: World, anon) -> None:
    anon.post("/api/v1/auth/otp/request/", {"phone": PHONE})
    wrong = "000000" if sms_code(PHONE) != "000000" else "111111"
    response = anon.post("/api/v1/auth/otp/verify/", {"phone": PHONE, "code": wrong})
    assert response.status_code == 400
    assert response.json()["code"] == "otp_wrong"
    assert not Token.objects.exists()


def test_an_unknown_number_is_refused(world: World, anon) -> None:
    response = anon.post("/api/v1/auth/otp/request/", {"phone": "+919877777777"})
    assert response.status_code == 400
    assert response.json()["code"] == "phone_unknown"
    assert not Message.objects.exists()


def test_logout_deletes_the_token(world: World, client_for) -> None:
    client = client_for("admin")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert not Token.objects.filter(user__username="admin").exists()
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
